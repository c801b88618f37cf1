/**
 * The tiny fixture model end to end: imported from its BAAI-layout checkpoint with `importModel`, then
 * images and videos through `generateVision` (prompt, guidance batch of 2, prefix constraint, sampling,
 * VQ decode), and the no-cache baseline: the same greedy decode through the same loop, recomputing the whole
 * sequence each step.
 */
import { join } from 'node:path';
import { decodeTokens } from '../generate/decode-loop.js';
import { LogitsProcessorList, PrefixConstraint } from '../generate/logits-processors.js';
import { completeRequest } from '../generate/request-defaults.js';
import { generateVision, type VisionRequest } from '../generate/vision.js';
import { packageRoot } from '../install/package-info.js';
import type { ModelHandle } from '../runtime/open-model.js';
import { median, timeRuns, type RunCounts, type Timing } from './bench-measure.js';

/** models/reference/fixtures/tiny/original/decoder (its vision tokenizer sits beside it). */
export const tinyCheckpoint = () =>
  join(packageRoot(), 'models', 'reference', 'fixtures', 'tiny', 'original', 'decoder');

export interface VisionTiming {
  kind: 'image' | 'video';
  grid: { height: number; width: number; frames: number };
  promptTokens: number;
  newTokens: number;
  /** Whole generateVision call. */
  total: Timing;
  /** Medians over the timed runs, from the loop's own stats. */
  prefillMs: number;
  decodeMs: number;
  decodeMsPerStep: number;
  /** total - prefill - decode: prompt building, VQ decode, record. */
  otherMs: number;
}

export async function timeVision(
  model: ModelHandle,
  kind: 'image' | 'video',
  counts: RunCounts,
): Promise<VisionTiming> {
  const request: VisionRequest = completeRequest(model.manifest, {
    prompt: 'a red cube on a blue floor',
    ratio: '1:1',
    seed: 1,
    ...(kind === 'video' ? { frames: 2, fps: 8 } : {}),
  });
  const prefill: number[] = [];
  const decode: number[] = [];
  const steps: number[] = [];
  let grid = { height: 0, width: 0, frames: 0 };
  let promptTokens = 0;
  const total = await timeRuns(counts, async (i) => {
    const result = await generateVision(model, request);
    if (i < counts.warmup) return;
    prefill.push(result.stats.prefillSeconds * 1000);
    decode.push(result.stats.decodeSeconds * 1000);
    steps.push(result.stats.steps);
    grid = result.record.grid ?? grid;
    promptTokens = result.stats.promptTokens;
  });
  const decodeMs = median(decode);
  const newTokens = median(steps);
  return {
    kind,
    grid,
    promptTokens,
    newTokens,
    total,
    prefillMs: median(prefill),
    decodeMs,
    decodeMsPerStep: decodeMs / Math.max(1, newTokens - 1),
    otherMs: total.medianMs - median(prefill) - decodeMs,
  };
}

export interface NoCacheComparison {
  rows: number;
  promptTokens: number;
  newTokens: number;
  /** Greedy decode with the KV cache (decodeTokens). */
  cached: Timing;
  /** Greedy decode recomputing every token at every step (decodeTokens with `cache: false`). */
  noCache: Timing;
  speedup: number;
  sameTokens: boolean;
}

/** Image-sized greedy decode with guidance, with and without the cache, from the prompts generateVision builds. */
export async function compareNoCache(model: ModelHandle, counts: RunCounts): Promise<NoCacheComparison> {
  const { manifest } = model;
  const request = completeRequest(manifest, {
    prompt: 'a red cube on a blue floor',
    ratio: '1:1',
    sampling: { greedy: true },
    seed: 1,
  });
  const sample = await generateVision(model, request);
  const rows = [sample.record.tokens.prompt, sample.record.tokens.negative!];
  const { height, width } = sample.record.grid ?? { height: 0, width: 0 };
  const constraint = () =>
    new PrefixConstraint({
      height,
      width,
      frames: 1,
      special: manifest.special,
      visual: manifest.visualTokens,
    });
  const maxNewTokens = constraint().totalTokens;
  /** The same greedy decode through the one loop, with or without the cache. */
  const decode = async (cache: boolean) =>
    (
      await decodeTokens(model, {
        rows,
        guidance: request.sampling.guidance,
        processors: new LogitsProcessorList([constraint()]),
        rng: null,
        maxNewTokens,
        stopToken: manifest.special.eos,
        cache,
      })
    ).tokens;
  let cachedTokens: number[] = [];
  let plainTokens: number[] = [];
  const cached = await timeRuns(counts, async () => {
    cachedTokens = await decode(true);
  });
  const noCache = await timeRuns(counts, async () => {
    plainTokens = await decode(false);
  });
  return {
    rows: rows.length,
    promptTokens: Math.max(...rows.map((row) => row.length)),
    newTokens: cachedTokens.length,
    cached,
    noCache,
    speedup: noCache.medianMs / cached.medianMs,
    sameTokens: cachedTokens.length > 0 && cachedTokens.join() === plainTokens.join(),
  };
}
