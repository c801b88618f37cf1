/**
 * Forward passes of a decoder graph (docs/model-package.md's contract) timed the way the decoding loop runs
 * them (generate/decode-loop.ts): int64 inputs made per step, logits of the last position read back to the
 * host, `present.*` fed back as the next `past_key_values.*` (left on the GPU under WebGPU).
 *
 * Depth d means d tokens already in the KV cache. Instead of a d-token prefill (minutes for 4k tokens of
 * 8B-shaped layers on a 2-core CPU) the cache starts as seeded random values of the right shape, as
 * llama-bench's `-d` does with a real prefill; a step's cost does not depend on the values. The first
 * warm-up step uploads that cache (to the GPU under WebGPU); timed steps then carry the cache forward, so
 * the depth grows by one per step (a few tokens over the whole measurement).
 */
import * as ort from 'onnxruntime-node';
import type { DecoderConfig } from '../model/model-config.js';
import { seededFloat16Bits, seededFloat32, timeRuns, type RunCounts, type Timing } from './bench-measure.js';

export type KvType = 'float32' | 'float16';

export interface DecoderUnderTest {
  session: ort.InferenceSession;
  config: DecoderConfig;
  kvType: KvType;
  /**
   * Fetch every output even where only logits are needed. Under WebGPU onnxruntime-node 1.30 keeps one
   * IoBinding per session: a run that fetches a subset leaves the other outputs bound to the previous
   * run's GPU tensors, which ORT then takes as pre-allocated and rejects when the shapes changed
   * ("The output OrtValue provided for output 'present.0.key' ... has shape ...").
   */
  fetchAll?: boolean;
}

function int64(values: ArrayLike<number>, dims: number[]): ort.Tensor {
  return new ort.Tensor('int64', BigInt64Array.from(Array.from(values), BigInt), dims);
}

function cacheTensor(kvType: KvType, dims: number[], seed: number): ort.Tensor {
  const length = dims.reduce((a, b) => a * b, 1);
  return kvType === 'float16'
    ? new ort.Tensor('float16', seededFloat16Bits(length, seed, 0.5), dims)
    : new ort.Tensor('float32', seededFloat32(length, seed, 0.5), dims);
}

/** `past_key_values.*` of `depth` tokens for `batch` rows ([B, KVH, depth, D] each). */
function syntheticPast(model: DecoderUnderTest, batch: number, depth: number): Record<string, ort.Tensor> {
  const { numLayers, numKvHeads, headDim } = model.config;
  const past: Record<string, ort.Tensor> = {};
  for (let layer = 0; layer < numLayers; layer++) {
    for (const kind of ['key', 'value']) {
      past[`past_key_values.${layer}.${kind}`] = cacheTensor(
        model.kvType,
        [batch, numKvHeads, depth, headDim],
        layer * 2 + (kind === 'key' ? 0 : 1) + 1,
      );
    }
  }
  return past;
}

/** A fixed, spread-out token id for position i (no tokenizer needed). */
const tokenAt = (i: number, vocab: number) => (i * 7919 + 17) % vocab;

function disposeGpu(tensors: Record<string, ort.Tensor>): void {
  for (const tensor of Object.values(tensors)) if (tensor.location === 'gpu-buffer') tensor.dispose();
}

/** The outputs' `present.*` renamed as the next step's `past_key_values.*`. */
function carry(outputs: ort.InferenceSession.OnnxValueMapType): Record<string, ort.Tensor> {
  return Object.fromEntries(
    Object.entries(outputs)
      .filter(([name]) => name.startsWith('present.'))
      .map(([name, tensor]) => [name.replace('present.', 'past_key_values.'), tensor as ort.Tensor]),
  );
}

/** Milliseconds per one-token step for `batch` rows at `depth` cached tokens. */
export async function timeDecodeSteps(
  model: DecoderUnderTest,
  batch: number,
  depth: number,
  counts: RunCounts,
): Promise<Timing> {
  const vocab = model.config.vocabSize;
  let past = syntheticPast(model, batch, depth);
  let cached = depth;
  try {
    return await timeRuns(counts, async () => {
      const start = performance.now();
      const outputs = await model.session.run({ ...stepFeeds(batch, cached, vocab), ...past });
      await outputs.logits!.getData(); // [B, 1, V] on the host, as the sampler needs it
      const ms = performance.now() - start;
      disposeGpu(past);
      past = carry(outputs);
      if (outputs.logits!.location === 'gpu-buffer') outputs.logits!.dispose();
      cached++;
      return ms;
    });
  } finally {
    disposeGpu(past);
  }
}

/**
 * The same steps with no allocation per step (CPU only; a what-if, not what the engine does today): logits
 * and `present.*` are written into pre-allocated buffers passed as `fetches`, two per cache tensor used in
 * turn, so `present` of one step is the `past` of the next without a fresh array. Shows how much of a step
 * is the allocation (and first-touch page faults) of the returned cache.
 */
export async function timeDecodeStepsPreallocated(
  model: DecoderUnderTest,
  batch: number,
  depth: number,
  counts: RunCounts,
): Promise<Timing> {
  const { vocabSize: vocab, numLayers, numKvHeads, headDim } = model.config;
  const maxDepth = depth + counts.warmup + counts.runs + 1;
  const perToken = batch * numKvHeads * headDim;
  const make = (length: number) =>
    model.kvType === 'float16' ? new Uint16Array(length) : new Float32Array(length);
  const view = (buffer: Float32Array | Uint16Array, tokens: number) =>
    new ort.Tensor(model.kvType, buffer.subarray(0, perToken * tokens), [batch, numKvHeads, tokens, headDim]);
  const names = Array.from({ length: numLayers }, (_, i) => [`${i}.key`, `${i}.value`]).flat();
  const buffers = names.map(() => [make(perToken * maxDepth), make(perToken * maxDepth)] as const);
  const initial = syntheticPast(model, batch, depth);
  names.forEach((name, i) => buffers[i]![0].set(initial[`past_key_values.${name}`]!.data as Float32Array));
  const logits = new ort.Tensor('float32', new Float32Array(batch * vocab), [batch, 1, vocab]);
  let cached = depth;
  let side = 0;
  return timeRuns(counts, async () => {
    const start = performance.now();
    const feeds: Record<string, ort.Tensor> = stepFeeds(batch, cached, vocab);
    const fetches: Record<string, ort.Tensor> = { logits };
    names.forEach((name, i) => {
      feeds[`past_key_values.${name}`] = view(buffers[i]![side]!, cached);
      fetches[`present.${name}`] = view(buffers[i]![1 - side]!, cached + 1);
    });
    await model.session.run(feeds, fetches);
    const ms = performance.now() - start;
    side = 1 - side;
    cached++;
    return ms;
  });
}

function promptFeeds(model: DecoderUnderTest, batch: number, length: number): Record<string, ort.Tensor> {
  const vocab = model.config.vocabSize;
  return {
    input_ids: int64(
      Array.from({ length: batch * length }, (_, i) => tokenAt(i, vocab)),
      [batch, length],
    ), // [B, S]
    position_ids: int64(
      Array.from({ length: batch * length }, (_, i) => i % length),
      [batch, length],
    ), // [B, S]
    attention_mask: int64(new Array<number>(batch * length).fill(1), [batch, length]), // [B, S]
    num_logits_to_keep: int64([1], []),
    ...syntheticPast(model, batch, 0),
  };
}

/** Milliseconds for a prefill of `length` tokens per row, empty cache; presents are fetched as the loop does. */
export async function timePrefill(
  model: DecoderUnderTest,
  batch: number,
  length: number,
  counts: RunCounts,
): Promise<Timing> {
  const feeds = promptFeeds(model, batch, length);
  return timeRuns(counts, async () => {
    const outputs = await model.session.run(feeds);
    await outputs.logits!.getData();
    disposeGpu(outputs as Record<string, ort.Tensor>);
  });
}

/**
 * The no-cache baseline: one "step" at depth d recomputes all d + 1 tokens from an empty cache and keeps
 * only the last position's logits (nothing else is fetched).
 */
export async function timeNoCacheStep(
  model: DecoderUnderTest,
  batch: number,
  depth: number,
  counts: RunCounts,
): Promise<Timing> {
  const feeds = promptFeeds(model, batch, depth + 1);
  return timeRuns(counts, async () => {
    const outputs = model.fetchAll
      ? await model.session.run(feeds)
      : await model.session.run(feeds, ['logits']);
    await outputs.logits!.getData();
    disposeGpu(outputs as Record<string, ort.Tensor>);
  });
}

/** Inputs of one decode step for `batch` rows after `cached` tokens (the cache itself is added by the caller). */
function stepFeeds(batch: number, cached: number, vocab: number): Record<string, ort.Tensor> {
  return {
    input_ids: int64(
      Array.from({ length: batch }, (_, b) => tokenAt(cached + b, vocab)),
      [batch, 1],
    ), // [B, 1]
    position_ids: int64(new Array<number>(batch).fill(cached), [batch, 1]), // [B, 1]
    attention_mask: int64(new Array<number>(batch * (cached + 1)).fill(1), [batch, cached + 1]), // [B, T]
    num_logits_to_keep: int64([1], []),
  };
}
