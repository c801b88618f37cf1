/** The vision tokenizer graphs: frames to codes and codes to frames. */
import * as ort from 'onnxruntime-node';
import { EngineError, type RgbFrame } from '../api/index.js';
import type { ModelHandle } from './open-model.js';
import { postprocessFrame, preprocessImage, repeatAsClip } from '../model/vision-pixels.js';

/** Codes of one image ([1, h, w]) or one video ([T', h, w]), row-major. */
export interface CodeGrid {
  frames: number;
  height: number;
  width: number;
  codes: Int32Array;
}

/**
 * Encodes frames that already have the model's input size. One frame is an image (repeated to one
 * temporal group, as the reference does); more frames are a video whose count must be a multiple of the
 * temporal factor.
 */
export async function encodeFrames(model: ModelHandle, frames: readonly RgbFrame[]): Promise<CodeGrid> {
  const { vision, preprocessor } = model.manifest;
  const first = frames[0];
  if (!first) throw new EngineError('bad_request', 'no frames to encode');
  const { width, height } = first;
  if (frames.some((f) => f.width !== width || f.height !== height)) {
    throw new EngineError('bad_request', 'all frames of a video must have the same size');
  }
  const factor = vision.temporalDownsampleFactor;
  if (frames.length > 1 && frames.length % factor !== 0) {
    throw new EngineError(
      'bad_request',
      `a video needs a multiple of ${factor} frames, got ${frames.length}`,
    );
  }
  const plane = 3 * height * width;
  const clip =
    frames.length === 1
      ? repeatAsClip(preprocessImage(first.data, { width, height }, preprocessor), factor)
      : concat(
          frames.map((f) => preprocessImage(f.data, { width, height }, preprocessor)),
          plane,
        );
  const t = clip.length / plane;
  const { session } = await model.session('vqEncoder');
  const { codes } = await session.run({ pixels: new ort.Tensor('float32', clip, [1, t, 3, height, width]) }); // [1, T, 3, H, W]
  const [, latentFrames, h, w] = codes!.dims as number[]; // [1, T', h, w]
  return {
    frames: latentFrames!,
    height: h!,
    width: w!,
    codes: Int32Array.from(codes!.data as BigInt64Array, Number),
  };
}

/** Decodes a code grid to RGB frames: temporal factor frames per latent frame (an image keeps frame 0). */
export async function decodeCodes(model: ModelHandle, grid: CodeGrid, image: boolean): Promise<RgbFrame[]> {
  const { vision, preprocessor } = model.manifest;
  const bad = grid.codes.find((c) => c < 0 || c >= vision.codebookSize);
  if (bad !== undefined)
    throw new EngineError('bad_request', `code ${bad} is outside the codebook 0..${vision.codebookSize - 1}`);
  const { session } = await model.session('vqDecoder');
  const input = new ort.Tensor('int64', BigInt64Array.from(grid.codes, BigInt), [
    1,
    grid.frames,
    grid.height,
    grid.width,
  ]);
  const { frames } = await session.run({ codes: input }); // [1, 4T', 3, H, W]
  const [, count, , height, width] = frames!.dims as number[];
  const plane = 3 * height! * width!;
  const data = frames!.data as Float32Array;
  const keep = image ? 1 : count!;
  return Array.from({ length: keep }, (_, i) => ({
    width: width!,
    height: height!,
    data: postprocessFrame(
      data.subarray(i * plane, (i + 1) * plane),
      { width: width!, height: height! },
      preprocessor,
    ),
  }));
}

function concat(parts: Float32Array[], size: number): Float32Array {
  const out = new Float32Array(parts.length * size);
  parts.forEach((part, i) => out.set(part, i * size));
  return out;
}
