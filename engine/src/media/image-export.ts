/**
 * A still image as a WebP, JPEG or PNG copy, through sharp. sharp writes no text chunks of its own accord, so
 * a copy never carries the generation record: only the library's own PNG does (png-record.ts).
 * Written to `${path}.partial-<pid>` and renamed, so a failure leaves no file at `path`.
 */
import { rename, rm } from 'node:fs/promises';
import sharp from 'sharp';
import { EngineError } from '../api/index.js';

export type ImageCopyFormat = 'png' | 'webp' | 'jpg';

/** WebP at quality 90 and JPEG at 92: close to the PNG for a generated picture, at a fraction of its size. */
export async function writeImageCopy(input: string, path: string, format: ImageCopyFormat): Promise<void> {
  const partial = `${path}.partial-${process.pid}`;
  try {
    const image = sharp(input, { failOn: 'error' });
    const encoded =
      format === 'webp'
        ? image.webp({ quality: 90 })
        : format === 'jpg'
          ? image.jpeg({ quality: 92 })
          : image.png();
    await encoded.toFile(partial);
    await rename(partial, path);
  } catch (error) {
    await rm(partial, { force: true });
    if (error instanceof Error && !(error instanceof EngineError) && !('code' in error))
      throw new EngineError(
        'invalid_file',
        `${input}: cannot be converted to ${format} (${firstLine(error)})`,
      );
    throw error;
  }
}

function firstLine(error: Error): string {
  return error.message.split('\n')[0]!;
}
