/**
 * Forward passes of a decoder graph (docs/model-package.md's contract) through the decoding loop's own step
 * (runtime/decoder-step.ts): int64 inputs made per step, logits of the last position read back to the host,
 * `present.*` fed back as the next `past_key_values.*` (left on the GPU under WebGPU).
 *
 * Depth d means d tokens already in the KV cache. Instead of a d-token prefill (minutes for 4k tokens of
 * 8B-shaped layers on a 2-core CPU) the cache starts as seeded random values of the right shape, as
 * llama-bench's `-d` does with a real prefill; a step's cost does not depend on the values. The first
 * warm-up step uploads that cache (to the GPU under WebGPU); timed steps then carry the cache forward, so
 * the depth grows by one per step (a few tokens over the whole measurement).
 */
import * as ort from 'onnxruntime-node';
import { decoderCacheNames } from '../model/onnx/decoder-graph.js';
import {
  DecoderStep,
  makeCache,
  stepInputs,
  type CacheData,
  type DecoderGraph,
} from '../runtime/decoder-step.js';
import { seededFloat16Bits, seededFloat32, timeRuns, type RunCounts, type Timing } from './bench-measure.js';

/** `past_key_values.*` of `depth` tokens for `batch` rows ([B, KVH, depth, D] each), seeded random values. */
function syntheticPast(model: DecoderGraph, batch: number, depth: number): Record<string, ort.Tensor> {
  return makeCache(model, batch, depth, (index, length): CacheData =>
    model.kvType === 'float16'
      ? seededFloat16Bits(length, index + 1, 0.5)
      : seededFloat32(length, index + 1, 0.5),
  );
}

/** A fixed, spread-out token id for position i (no tokenizer needed). */
const tokenAt = (i: number, vocab: number) => (i * 7919 + 17) % vocab;

/** `batch` rows of `length` spread-out token ids. */
const promptRows = (batch: number, length: number, vocab: number) =>
  Array.from({ length: batch }, (_, b) => Array.from({ length }, (_, i) => tokenAt(b * length + i, vocab)));

/** One token per row for the step after `cached` tokens. */
const nextTokens = (batch: number, cached: number, vocab: number) =>
  Array.from({ length: batch }, (_, b) => [tokenAt(cached + b, vocab)]);

/** Milliseconds per one-token step for `batch` rows at `depth` cached tokens. */
export async function timeDecodeSteps(
  model: DecoderGraph,
  batch: number,
  depth: number,
  counts: RunCounts,
): Promise<Timing> {
  const vocab = model.config.vocabSize;
  const step = new DecoderStep(model, {
    batch,
    past: { tensors: syntheticPast(model, batch, depth), depth },
  });
  try {
    return await timeRuns(counts, async () => {
      await step.run(nextTokens(batch, step.length, vocab)); // logits [B, 1, V] on the host, as the sampler needs them
    });
  } finally {
    step.dispose();
  }
}

/**
 * The same steps with no allocation per step (CPU only; a what-if, not what the engine does today): logits
 * and `present.*` are written into pre-allocated buffers passed as `fetches`, two per cache tensor used in
 * turn, so `present` of one step is the `past` of the next without a fresh array. Shows how much of a step
 * is the allocation (and first-touch page faults) of the returned cache.
 */
export async function timeDecodeStepsPreallocated(
  model: DecoderGraph,
  batch: number,
  depth: number,
  counts: RunCounts,
): Promise<Timing> {
  const { vocabSize: vocab, numLayers, numKvHeads, headDim } = model.config;
  const maxDepth = depth + counts.warmup + counts.runs + 1;
  const perToken = batch * numKvHeads * headDim;
  const make = (length: number) =>
    model.kvType === 'float16' ? new Uint16Array(length) : new Float32Array(length);
  const view = (buffer: CacheData, tokens: number) =>
    new ort.Tensor(model.kvType, buffer.subarray(0, perToken * tokens), [batch, numKvHeads, tokens, headDim]); // [B, KVH, T, D]
  const names = decoderCacheNames(numLayers);
  const buffers = names.map(() => [make(perToken * maxDepth), make(perToken * maxDepth)] as const);
  const initial = syntheticPast(model, batch, depth);
  names.forEach(({ past }, i) => buffers[i]![0].set(initial[past]!.data as CacheData));
  const logits = new ort.Tensor('float32', new Float32Array(batch * vocab), [batch, 1, vocab]); // [B, 1, V]
  let cached = depth;
  let side = 0;
  return timeRuns(counts, async () => {
    const start = performance.now();
    const feeds = stepInputs(
      nextTokens(batch, cached, vocab),
      Array.from({ length: batch }, () => [cached]),
      Array.from({ length: batch }, () => new Array<number>(cached + 1).fill(1)),
      1,
    );
    const fetches: Record<string, ort.Tensor> = { logits };
    names.forEach(({ past, present }, i) => {
      feeds[past] = view(buffers[i]![side]!, cached);
      fetches[present] = view(buffers[i]![1 - side]!, cached + 1);
    });
    await model.session.run(feeds, fetches);
    const ms = performance.now() - start;
    side = 1 - side;
    cached++;
    return ms;
  });
}

/** Milliseconds for a prefill of `length` tokens per row, empty cache; presents are fetched as the loop does. */
export async function timePrefill(
  model: DecoderGraph,
  batch: number,
  length: number,
  counts: RunCounts,
): Promise<Timing> {
  const rows = promptRows(batch, length, model.config.vocabSize);
  return timeRuns(counts, async () => {
    const step = new DecoderStep(model, { batch });
    try {
      await step.run(rows);
    } finally {
      step.dispose();
    }
  });
}

/**
 * The no-cache baseline: one "step" at depth d recomputes all d + 1 tokens from an empty cache and keeps
 * only the last position's logits (nothing else is fetched).
 */
export async function timeNoCacheStep(
  model: DecoderGraph,
  batch: number,
  depth: number,
  counts: RunCounts,
): Promise<Timing> {
  const rows = promptRows(batch, depth + 1, model.config.vocabSize);
  return timeRuns(counts, async () => {
    const step = new DecoderStep(model, { batch, cache: false });
    try {
      await step.run(rows);
    } finally {
      step.dispose();
    }
  });
}
