/**
 * Test support for the decoder graph (used by the *.test.ts files beside it only): seeded random weights, a
 * straightforward float64 reference forward pass written with plain loops from docs/emu3-facts.md#the-decoder
 * (independent of the graph code), and a thin runner over a real onnxruntime-node session.
 */
import * as ort from 'onnxruntime-node';
import type { DecoderConfig } from '../model-config.js';
import type { WeightReader } from './decoder-graph.js';

export const tinyConfig: DecoderConfig = {
  vocabSize: 97,
  hiddenSize: 64,
  numLayers: 2,
  numHeads: 4,
  numKvHeads: 2,
  headDim: 16,
  intermediateSize: 96,
  rmsNormEps: 1e-5,
  // Lower than Emu3's 1e6 so that every frequency pair rotates visibly over a short test sequence.
  ropeTheta: 10000,
  maxPositionEmbeddings: 256,
};

/** mulberry32 → standard normals (Box-Muller). */
export function gaussian(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/**
 * Weights at the fixture generator's scale (activations of order 1, logits spread over a few units): embed
 * N(0, 1), Linear N(0, 1/in) (lm_head x3), norm scales 1 + N(0, 0.1).
 */
export function randomWeights(config: DecoderConfig, seed = 1): Map<string, Float32Array> {
  const { vocabSize: V, hiddenSize: H, numHeads, numKvHeads, headDim: D, intermediateSize: I } = config;
  const normal = gaussian(seed);
  const weights = new Map<string, Float32Array>();
  const matrix = (name: string, out: number, inp: number, gain = 1) =>
    weights.set(
      name,
      Float32Array.from({ length: out * inp }, () => (normal() * gain) / Math.sqrt(inp)),
    );
  const scale = (name: string) =>
    weights.set(
      name,
      Float32Array.from({ length: H }, () => 1 + 0.1 * normal()),
    );
  weights.set('model.embed_tokens.weight', Float32Array.from({ length: V * H }, normal));
  for (let i = 0; i < config.numLayers; i++) {
    const p = `model.layers.${i}`;
    matrix(`${p}.self_attn.q_proj.weight`, numHeads * D, H);
    matrix(`${p}.self_attn.k_proj.weight`, numKvHeads * D, H);
    matrix(`${p}.self_attn.v_proj.weight`, numKvHeads * D, H);
    matrix(`${p}.self_attn.o_proj.weight`, H, numHeads * D);
    matrix(`${p}.mlp.gate_proj.weight`, I, H);
    matrix(`${p}.mlp.up_proj.weight`, I, H);
    matrix(`${p}.mlp.down_proj.weight`, H, I);
    scale(`${p}.input_layernorm.weight`);
    scale(`${p}.post_attention_layernorm.weight`);
  }
  scale('model.norm.weight');
  matrix('lm_head.weight', V, H, 3);
  return weights;
}

export const readerOf =
  (weights: Map<string, Float32Array>): WeightReader =>
  async (name) => {
    const weight = weights.get(name);
    if (!weight) throw new Error(`no weight ${name}`);
    return weight;
  };

/** Logits `[S][V]` of one unpadded sequence at positions 0..S-1, in float64. */
export function referenceLogits(
  config: DecoderConfig,
  weights: Map<string, Float32Array>,
  ids: number[],
): number[][] {
  const { hiddenSize: H, numHeads, numKvHeads, headDim: D, intermediateSize: I, vocabSize: V } = config;
  const w = (name: string) => weights.get(name)!;
  const matvec = (m: Float32Array, out: number, inp: number, v: number[]) =>
    Array.from({ length: out }, (_, o) => {
      let sum = 0;
      for (let i = 0; i < inp; i++) sum += m[o * inp + i]! * v[i]!;
      return sum;
    });
  const rms = (v: number[], scale: Float32Array) => {
    const r = 1 / Math.sqrt(v.reduce((s, a) => s + a * a, 0) / v.length + config.rmsNormEps);
    return v.map((a, i) => scale[i]! * a * r);
  };
  const rope = (v: number[], pos: number) => {
    const out = v.slice();
    for (let i = 0; i < D / 2; i++) {
      const angle = pos / config.ropeTheta ** ((2 * i) / D);
      const [c, s] = [Math.cos(angle), Math.sin(angle)];
      out[i] = v[i]! * c - v[i + D / 2]! * s;
      out[i + D / 2] = v[i + D / 2]! * c + v[i]! * s;
    }
    return out;
  };
  const head = (v: number[], h: number) => v.slice(h * D, (h + 1) * D);
  let x = ids.map((id) => Array.from(w('model.embed_tokens.weight').subarray(id * H, (id + 1) * H)));
  for (let layer = 0; layer < config.numLayers; layer++) {
    const p = `model.layers.${layer}`;
    const xn = x.map((v) => rms(v, w(`${p}.input_layernorm.weight`)));
    const q = xn.map((v, s) => {
      const all = matvec(w(`${p}.self_attn.q_proj.weight`), numHeads * D, H, v);
      return Array.from({ length: numHeads }, (_, h) => rope(head(all, h), s));
    });
    const k = xn.map((v, s) => {
      const all = matvec(w(`${p}.self_attn.k_proj.weight`), numKvHeads * D, H, v);
      return Array.from({ length: numKvHeads }, (_, h) => rope(head(all, h), s));
    });
    const val = xn.map((v) => {
      const all = matvec(w(`${p}.self_attn.v_proj.weight`), numKvHeads * D, H, v);
      return Array.from({ length: numKvHeads }, (_, h) => head(all, h));
    });
    const h = x.map((xs, s) => {
      const heads = Array.from({ length: numHeads }, (_, hd) => {
        const kv = Math.floor(hd / (numHeads / numKvHeads)); // repeat_kv: query head hd reads kv head hd / G
        const scores = Array.from(
          { length: s + 1 },
          (_, t) => q[s]![hd]!.reduce((sum, a, d) => sum + a * k[t]![kv]![d]!, 0) / Math.sqrt(D),
        );
        const max = Math.max(...scores);
        const e = scores.map((a) => Math.exp(a - max));
        const total = e.reduce((a, b) => a + b, 0);
        return Array.from({ length: D }, (_, d) =>
          e.reduce((sum, p, t) => sum + (p / total) * val[t]![kv]![d]!, 0),
        );
      });
      const o = matvec(w(`${p}.self_attn.o_proj.weight`), H, numHeads * D, heads.flat());
      return xs.map((a, i) => a + o[i]!);
    });
    x = h.map((hs) => {
      const n = rms(hs, w(`${p}.post_attention_layernorm.weight`));
      const gate = matvec(w(`${p}.mlp.gate_proj.weight`), I, H, n);
      const up = matvec(w(`${p}.mlp.up_proj.weight`), I, H, n);
      const act = gate.map((g, i) => (g / (1 + Math.exp(-g))) * up[i]!);
      const down = matvec(w(`${p}.mlp.down_proj.weight`), H, I, act);
      return hs.map((a, i) => a + down[i]!);
    });
  }
  return x.map((v) => matvec(w('lm_head.weight'), V, H, rms(v, w('model.norm.weight'))));
}

/**
 * ONNX Runtime's CPU provider rewrites the plain form's DequantizeLinear + MatMul into MatMulNBits with
 * accuracy level 4 (activations quantized to int8) unless told otherwise; level 0 keeps float32 activations,
 * so the plain form computes what the fused form computes.
 */
export const EXACT_QDQ: ort.InferenceSession.SessionOptions = {
  extra: { session: { qdq_matmulnbits_accuracy_level: '0' } },
};

export interface Step {
  ids: number[][];
  mask: number[][];
  positions: number[][];
  keep: number;
}

/** One onnxruntime-node session over a decoder graph; `past` is a previous step's `present` outputs. */
export class DecoderRunner {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly config: DecoderConfig,
    private readonly cache: 'float32' | 'float16',
  ) {}

  static async create(
    model: Uint8Array | string,
    config: DecoderConfig,
    cache: 'float32' | 'float16' = 'float32',
    options: ort.InferenceSession.SessionOptions = {},
  ) {
    const session = await ort.InferenceSession.create(model as Uint8Array, options);
    return new DecoderRunner(session, config, cache);
  }

  async run(step: Step, past?: Record<string, ort.Tensor>) {
    const batch = step.ids.length;
    const int64 = (rows: number[][]) =>
      new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0]!.length]);
    const feeds: Record<string, ort.Tensor> = {
      input_ids: int64(step.ids),
      position_ids: int64(step.positions),
      attention_mask: int64(step.mask),
      num_logits_to_keep: new ort.Tensor('int64', BigInt64Array.of(BigInt(step.keep)), []),
    };
    const { numKvHeads, headDim } = this.config;
    for (let i = 0; i < this.config.numLayers; i++) {
      for (const kind of ['key', 'value']) {
        const empty =
          this.cache === 'float16'
            ? new ort.Tensor('float16', new Uint16Array(0), [batch, numKvHeads, 0, headDim])
            : new ort.Tensor('float32', new Float32Array(0), [batch, numKvHeads, 0, headDim]);
        feeds[`past_key_values.${i}.${kind}`] = past?.[`present.${i}.${kind}`] ?? empty;
      }
    }
    const out = await this.session.run(feeds);
    const logits = out.logits!;
    const [, kept, vocab] = logits.dims as [number, number, number];
    const data = logits.data as Float32Array;
    /** rows[b][k] = logits of the k-th kept position of row b */
    const rows = Array.from({ length: batch }, (_, b) =>
      Array.from({ length: kept }, (_, k) =>
        data.subarray((b * kept + k) * vocab, (b * kept + k + 1) * vocab),
      ),
    );
    return { rows, present: out };
  }

  release() {
    return this.session.release();
  }
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let [dot, na, nb] = [0, 0, 0];
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

export function argmax(a: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i]! > a[best]!) best = i;
  return best;
}

/** A row of `length` real tokens left-padded to `width`, with transformers' positions (padding → 1). */
export function leftPadded(ids: number[], width: number, pad: number) {
  const padding = width - ids.length;
  return {
    ids: [...Array<number>(padding).fill(pad), ...ids],
    mask: [...Array<number>(padding).fill(0), ...Array<number>(ids.length).fill(1)],
    positions: [...Array<number>(padding).fill(1), ...ids.map((_, i) => i)],
  };
}
