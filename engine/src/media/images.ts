/** Still images in and out of the engine, through sharp. */
import sharp, { type Sharp } from 'sharp';
import { EngineError, type RgbFrame } from '../api/index.js';

/** Reads any image sharp reads as RGB (alpha dropped), optionally resized with a bicubic kernel. */
export async function readRgb(path: string, size?: { width: number; height: number }): Promise<RgbFrame> {
  try {
    let image = sharp(path, { failOn: 'error' }).removeAlpha().toColourspace('srgb');
    if (size) image = image.resize(size.width, size.height, { fit: 'fill', kernel: 'cubic' });
    const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`${info.channels} channels after conversion`);
    return {
      width: info.width,
      height: info.height,
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    };
  } catch (error) {
    throw new EngineError('invalid_file', `${path}: not a readable image (${firstLine(error)})`);
  }
}

/** The pixel size of an image file, without decoding it. */
export async function imageSize(path: string): Promise<{ width: number; height: number }> {
  try {
    const { width, height } = await sharp(path).metadata();
    if (!width || !height) throw new Error('no dimensions');
    return { width, height };
  } catch (error) {
    throw new EngineError('invalid_file', `${path}: not a readable image (${firstLine(error)})`);
  }
}

/** A frame as a sharp pipeline over its raw RGB bytes: the one way a frame goes into sharp. */
export function frameImage(frame: RgbFrame): Sharp {
  return sharp(Buffer.from(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength), {
    raw: { width: frame.width, height: frame.height, channels: 3 },
  });
}

export async function writePng(path: string, frame: RgbFrame): Promise<void> {
  await frameImage(frame).png().toFile(path);
}

export async function pngBytes(frame: RgbFrame): Promise<Buffer> {
  return frameImage(frame).png().toBuffer();
}

/** A frame as a PNG data URL, for events that carry an image. */
export async function pngDataUrl(frame: RgbFrame): Promise<string> {
  return `data:image/png;base64,${(await pngBytes(frame)).toString('base64')}`;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}
