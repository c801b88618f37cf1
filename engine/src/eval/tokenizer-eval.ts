/**
 * `emu3 eval tokenizer`: how faithfully the model's vision tokenizer reconstructs the nano world. Each scene
 * is rendered (one frame, or the world's video frames), resized to the model's picture size, encoded to codes
 * and decoded back; PSNR and SSIM (image-metrics.ts) compare the reconstruction with the resized render.
 */
import { z } from 'zod';
import { CancelledError } from '../api/index.js';
import type { ModelHandle } from '../runtime/open-model.js';
import { decodeCodes, encodeFrames } from '../runtime/vq-runner.js';
import { forLine, mean, modelImageSize, renderForModel, type SetLine } from './eval-io.js';
import { psnr, ssim } from './image-metrics.js';
import { checkScene, Scene } from '../world/scene.js';
import type { WorldSpec } from '../world/spec.js';

export const TokenizerLine = z.object({ scene: Scene, video: z.boolean() });
export type TokenizerLine = z.infer<typeof TokenizerLine>;

export function checkTokenizerLine(spec: WorldSpec) {
  return (line: TokenizerLine, label: string): TokenizerLine => ({
    ...line,
    scene: checkScene(line.scene, spec, `${label}: scene`),
  });
}

export interface Reconstruction {
  count: number;
  /** Means over the items (an item's value is the mean over its frames). */
  psnr: number;
  ssim: number;
}

export interface TokenizerReport {
  size: { width: number; height: number };
  images: Reconstruction;
  videos: Reconstruction;
  items: { label: string; video: boolean; frames: number; psnr: number; ssim: number }[];
}

export async function evaluateTokenizer(
  model: ModelHandle,
  lines: readonly SetLine<TokenizerLine>[],
  spec: WorldSpec,
  options: { signal?: AbortSignal; onStep?: (done: number, total: number) => void } = {},
): Promise<TokenizerReport> {
  const size = modelImageSize(model.manifest);
  const items: TokenizerReport['items'] = [];
  for (const [i, { label, value: line }] of lines.entries()) {
    if (options.signal?.aborted) throw new CancelledError();
    const frames = await renderForModel(line, spec, model.manifest);
    const decoded = await forLine(label, async () =>
      decodeCodes(model, await encodeFrames(model, frames), !line.video),
    );
    items.push({
      label,
      video: line.video,
      frames: frames.length,
      psnr: mean(frames.map((frame, t) => psnr(frame, decoded[t]!))),
      ssim: mean(frames.map((frame, t) => ssim(frame, decoded[t]!))),
    });
    options.onStep?.(i + 1, lines.length);
  }
  const summary = (video: boolean): Reconstruction => {
    const of = items.filter((item) => item.video === video);
    return {
      count: of.length,
      psnr: mean(of.map((item) => item.psnr)),
      ssim: mean(of.map((item) => item.ssim)),
    };
  };
  return { size, images: summary(false), videos: summary(true), items };
}
