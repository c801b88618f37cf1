/**
 * The one decoder step with its KV cache: the decoder graph's feeds (docs/model-package.md), the empty
 * cache, and each run's `present.*` carried into the next run's `past_key_values.*`. Generation, the
 * diagnostics, the benchmarks (and, next, training) step the decoder through this module.
 */
import * as ort from 'onnxruntime-node';
import { InternalError } from '../api/index.js';
import type { DecoderConfig } from '../model/model-config.js';
import { decoderCacheNames } from '../model/onnx/decoder-graph.js';
import type { ModelHandle } from './open-model.js';

/** The cache's element type: float16 in fp16 packages (held as raw bits in a Uint16Array), float32 otherwise. */
export type KvType = 'float32' | 'float16';

/** An opened decoder graph and what stepping it needs to know. */
export interface DecoderGraph {
  session: ort.InferenceSession;
  config: DecoderConfig;
  kvType: KvType;
  /** The id that fills left padding (masked out, so any id works; the model's pad id by convention). */
  pad?: number;
  /**
   * Fetch every output even where only logits are needed. Under WebGPU onnxruntime-node 1.30 keeps one
   * IoBinding per session: a run that fetches a subset leaves the other outputs bound to the previous
   * run's GPU tensors, which ORT then takes as pre-allocated and rejects when the shapes changed
   * ("The output OrtValue provided for output 'present.0.key' ... has shape ...").
   */
  fetchAll?: boolean;
}

/** The decoder of an opened model package. */
export async function openDecoder(model: ModelHandle): Promise<DecoderGraph> {
  const { session, provider } = await model.session('decoder');
  const { manifest } = model;
  return {
    session,
    config: manifest.decoder,
    kvType: manifest.precision === 'fp16' ? 'float16' : 'float32',
    pad: manifest.special.pad,
    fetchAll: provider === 'webgpu',
  };
}

/** One cache tensor's values: float32, or float16 as raw bits. */
export type CacheData = Float32Array | Uint16Array;

/**
 * A cache of `depth` positions for `batch` rows, one tensor per name of decoderCacheNames, each
 * [batch, numKvHeads, depth, headDim]. `fill(index, length)` gives tensor `index`'s values (zeros without
 * it); depth 0 is the empty cache every sequence starts from.
 */
export function makeCache(
  decoder: Pick<DecoderGraph, 'config' | 'kvType'>,
  batch: number,
  depth = 0,
  fill?: (index: number, length: number) => CacheData,
): Record<string, ort.Tensor> {
  const { numLayers, numKvHeads, headDim } = decoder.config;
  const dims = [batch, numKvHeads, depth, headDim]; // [B, KVH, P, D]
  const length = batch * numKvHeads * depth * headDim;
  const cache: Record<string, ort.Tensor> = {};
  decoderCacheNames(numLayers).forEach(({ past }, index) => {
    const data = fill?.(index, length);
    cache[past] =
      decoder.kvType === 'float16'
        ? new ort.Tensor('float16', (data as Uint16Array | undefined) ?? new Uint16Array(length), dims)
        : new ort.Tensor('float32', (data as Float32Array | undefined) ?? new Float32Array(length), dims);
  });
  return cache;
}

/** Rows of equal length as an int64 tensor [rows, length]. */
function int64Rows(rows: readonly (readonly number[])[]): ort.Tensor {
  const width = rows[0]?.length ?? 0;
  const data = new BigInt64Array(rows.length * width);
  rows.forEach((row, r) => {
    if (row.length !== width)
      throw new InternalError(`int64 rows of unequal length ${row.length} ≠ ${width}`);
    for (let i = 0; i < width; i++) data[r * width + i] = BigInt(row[i]!);
  });
  return new ort.Tensor('int64', data, [rows.length, width]);
}

/**
 * The graph's inputs besides the cache: ids and positions [B, S], the attention mask over cached and new
 * positions [B, P + S] (1 = token, 0 = padding), and how many of the last positions get logits.
 */
export function stepInputs(
  ids: readonly (readonly number[])[],
  positions: readonly (readonly number[])[],
  mask: readonly (readonly number[])[],
  keep: number,
): Record<string, ort.Tensor> {
  return {
    input_ids: int64Rows(ids), // [B, S]
    position_ids: int64Rows(positions), // [B, S]
    attention_mask: int64Rows(mask), // [B, P + S]
    num_logits_to_keep: new ort.Tensor('int64', BigInt64Array.of(BigInt(keep)), []), // scalar
  };
}

/** GPU-resident tensors (WebGPU) must be released by hand; CPU tensors ignore it. */
export function disposeGpu(tensors: Record<string, ort.OnnxValue>): void {
  for (const tensor of Object.values(tensors)) if (tensor.location === 'gpu-buffer') tensor.dispose();
}

export interface DecoderStepOptions {
  /** Rows stepped together (2 for guidance: conditional and unconditional). */
  batch: number;
  /**
   * Carry the cache between runs (the default). false: every run feeds the whole sequence so far from an
   * empty cache and fetches only the logits (the no-cache baseline the benchmarks compare against).
   */
  cache?: boolean;
  /** Start from this cache of `depth` positions, every row unpadded, instead of the empty one; it is the step's from now on. */
  past?: { tensors: Record<string, ort.Tensor>; depth: number };
}

/**
 * A batch of rows stepping through the decoder: each `run` appends tokens to every row and returns the
 * logits of the last positions. Rows of unequal length are left-padded, so every row's newest token is in
 * the last column. Call `dispose` when done (it frees a GPU-resident cache).
 */
export class DecoderStep {
  readonly batch: number;
  private readonly decoder: DecoderGraph;
  private readonly cached: boolean;
  /** past_key_values.* of every position so far, each [B, KVH, P, D]; empty without the cache. */
  private past: Record<string, ort.Tensor>;
  /** [B, P]: 1 for a token, 0 for padding. */
  private readonly mask: number[][];
  /** [B]: the position of each row's next token (its tokens so far, padding not counted). */
  private readonly nextPosition: number[];
  /** Without the cache: ids and positions of everything fed so far, [B, P] each. */
  private readonly history: { ids: number[][]; positions: number[][] } | null;

  constructor(decoder: DecoderGraph, options: DecoderStepOptions) {
    const { batch, cache = true, past } = options;
    if (!Number.isInteger(batch) || batch < 1)
      throw new InternalError(`a decoder step needs rows, got ${batch}`);
    if (past && !cache) throw new InternalError('a given cache needs the cache carried');
    this.decoder = decoder;
    this.batch = batch;
    this.cached = cache;
    this.past = past?.tensors ?? makeCache(decoder, batch);
    const depth = past?.depth ?? 0;
    this.mask = Array.from({ length: batch }, () => new Array<number>(depth).fill(1));
    this.nextPosition = new Array<number>(batch).fill(depth);
    this.history = cache ? null : { ids: this.mask.map(() => []), positions: this.mask.map(() => []) };
  }

  /** Positions held so far (padding included): the cache's length. */
  get length(): number {
    return this.mask[0]!.length;
  }

  /**
   * Appends `rows[b]` to row b (left-padded to the longest) and runs the decoder once: the prefill on the
   * first run, one token per row on later ones. Returns the logits of the last `keep` positions, [B, keep, V].
   */
  async run(rows: readonly (readonly number[])[], keep = 1): Promise<Float32Array> {
    if (rows.length !== this.batch)
      throw new InternalError(`a decoder step of ${this.batch} rows was given ${rows.length}`);
    const width = Math.max(...rows.map((row) => row.length));
    if (width === 0) throw new InternalError('a decoder step was given no tokens');
    if (keep < 1 || keep > width) throw new InternalError(`logits of ${keep} positions asked of ${width}`);
    const pad = this.decoder.pad ?? 0;
    const ids: number[][] = []; // [B, S]
    const positions: number[][] = []; // [B, S]
    rows.forEach((row, b) => {
      const padding = width - row.length;
      const rowIds = new Array<number>(padding).fill(pad);
      const rowPositions = new Array<number>(padding).fill(0);
      const mask = this.mask[b]!;
      for (let i = 0; i < padding; i++) mask.push(0);
      for (const id of row) {
        rowIds.push(id);
        rowPositions.push(this.nextPosition[b]!++);
        mask.push(1);
      }
      ids.push(rowIds);
      positions.push(rowPositions);
    });
    return this.history ? this.runWhole(ids, positions, keep) : this.runCached(ids, positions, keep);
  }

  private async runCached(ids: number[][], positions: number[][], keep: number): Promise<Float32Array> {
    const outputs = await this.decoder.session.run({
      ...stepInputs(ids, positions, this.mask, keep),
      ...this.past, // [B, KVH, P, D] each
    });
    const logits = (await outputs.logits!.getData()) as Float32Array; // [B, keep, V]
    disposeGpu(this.past);
    this.past = {};
    for (const { past, present } of decoderCacheNames(this.decoder.config.numLayers)) {
      const tensor = outputs[present];
      if (!tensor) throw new InternalError(`the decoder graph gave no ${present}`);
      this.past[past] = tensor; // [B, KVH, P + S, D]
    }
    if (outputs.logits!.location === 'gpu-buffer') outputs.logits!.dispose();
    return logits;
  }

  /** No cache: the whole sequence so far from the empty cache. */
  private async runWhole(ids: number[][], positions: number[][], keep: number): Promise<Float32Array> {
    const history = this.history!;
    for (let b = 0; b < this.batch; b++) {
      for (const id of ids[b]!) history.ids[b]!.push(id);
      for (const position of positions[b]!) history.positions[b]!.push(position);
    }
    const feeds = { ...stepInputs(history.ids, history.positions, this.mask, keep), ...this.past };
    const { session } = this.decoder;
    const outputs = this.decoder.fetchAll ? await session.run(feeds) : await session.run(feeds, ['logits']);
    const logits = (await outputs.logits!.getData()) as Float32Array; // [B, keep, V]
    disposeGpu(outputs);
    return logits;
  }

  /** Frees the cache where it lives on the GPU. */
  dispose(): void {
    disposeGpu(this.past);
    this.past = {};
  }
}
