/**
 * The tiny fixture model end to end: imported from its BAAI-layout checkpoint with `importModel`, then
 * images and videos through `generateVision` (prompt, guidance batch of 2, prefix constraint, sampling,
 * VQ decode), and the no-cache baseline: the same greedy decode recomputing the whole sequence each step.
 */
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { decodeTokens } from '../generate/decode-loop.js';
import { DEFAULT_NEGATIVE_PROMPT, defaultGenerationSampling } from '../generate/defaults.js';
import { guidanceMix, LogitsProcessorList, PrefixConstraint } from '../generate/logits-processors.js';
import { selectToken } from '../generate/sampling.js';
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
  const request: VisionRequest = {
    prompt: 'a red cube on a blue floor',
    negativePrompt: DEFAULT_NEGATIVE_PROMPT,
    ratio: '1:1',
    sampling: defaultGenerationSampling(model.manifest),
    seed: 1,
    ...(kind === 'video' ? { frames: 2, fps: 8 } : {}),
  };
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
  /** Greedy decode recomputing every token at every step. */
  noCache: Timing;
  speedup: number;
  sameTokens: boolean;
}

/** Image-sized greedy decode with guidance, with and without the cache, from the prompts generateVision builds. */
export async function compareNoCache(model: ModelHandle, counts: RunCounts): Promise<NoCacheComparison> {
  const { manifest } = model;
  const sampling = { ...defaultGenerationSampling(manifest), greedy: true };
  const sample = await generateVision(model, {
    prompt: 'a red cube on a blue floor',
    negativePrompt: DEFAULT_NEGATIVE_PROMPT,
    ratio: '1:1',
    sampling,
    seed: 1,
  });
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
  let cachedTokens: number[] = [];
  let plainTokens: number[] = [];
  const cached = await timeRuns(counts, async () => {
    ({ tokens: cachedTokens } = await decodeTokens(model, {
      rows,
      guidance: sampling.guidance,
      processors: new LogitsProcessorList([constraint()]),
      rng: null,
      maxNewTokens,
      stopToken: manifest.special.eos,
    }));
  });
  const noCache = await timeRuns(counts, async () => {
    plainTokens = await decodeWithoutCache(model, rows, sampling.guidance, constraint(), maxNewTokens);
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

/** decodeTokens without a cache: every step runs the whole (left-padded) sequence from an empty past. */
async function decodeWithoutCache(
  model: ModelHandle,
  rows: readonly (readonly number[])[],
  guidance: number,
  constraint: PrefixConstraint,
  maxNewTokens: number,
): Promise<number[]> {
  const { decoder, special, precision } = model.manifest;
  const { session, provider } = await model.session('decoder');
  const batch = rows.length;
  const vocab = decoder.vocabSize;
  const longest = Math.max(...rows.map((row) => row.length));
  const processors = new LogitsProcessorList([constraint]);
  const mixed = new Float32Array(vocab);
  const tokens: number[] = [];
  const empty = () =>
    precision === 'fp16'
      ? new ort.Tensor('float16', new Uint16Array(0), [batch, decoder.numKvHeads, 0, decoder.headDim])
      : new ort.Tensor('float32', new Float32Array(0), [batch, decoder.numKvHeads, 0, decoder.headDim]);
  while (tokens.length < maxNewTokens) {
    const width = longest + tokens.length;
    const ids: number[] = [];
    const mask: number[] = [];
    const positions: number[] = [];
    for (const row of rows) {
      const pad = longest - row.length;
      ids.push(...new Array<number>(pad).fill(special.pad), ...row, ...tokens);
      mask.push(...new Array<number>(pad).fill(0), ...new Array<number>(width - pad).fill(1));
      positions.push(...new Array<number>(pad).fill(0), ...Array.from({ length: width - pad }, (_, i) => i));
    }
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [batch, width]), // [B, S]
      position_ids: new ort.Tensor('int64', BigInt64Array.from(positions, BigInt), [batch, width]), // [B, S]
      attention_mask: new ort.Tensor('int64', BigInt64Array.from(mask, BigInt), [batch, width]), // [B, S]
      num_logits_to_keep: new ort.Tensor('int64', BigInt64Array.of(1n), []),
    };
    for (let layer = 0; layer < decoder.numLayers; layer++) {
      feeds[`past_key_values.${layer}.key`] = empty(); // [B, KVH, 0, D]
      feeds[`past_key_values.${layer}.value`] = empty();
    }
    // Under WebGPU every output is fetched (see DecoderUnderTest.fetchAll) and the GPU ones let go.
    const outputs = provider === 'webgpu' ? await session.run(feeds) : await session.run(feeds, ['logits']);
    const logits = (await outputs.logits!.getData()) as Float32Array; // [B, 1, V]
    for (const tensor of Object.values(outputs)) if (tensor.location === 'gpu-buffer') tensor.dispose();
    let scores: Float32Array = mixed;
    if (batch === 2) guidanceMix(logits.subarray(0, vocab), logits.subarray(vocab), guidance, mixed);
    else scores = logits.subarray(0, vocab);
    processors.apply(scores, { generated: tokens });
    const token = selectToken(scores, null);
    tokens.push(token);
    if (token === special.eos) break;
  }
  return tokens;
}
