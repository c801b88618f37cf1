/**
 * The Emu3 decoder (docs/emu3-facts.md#the-decoder: Llama-style, pre-norm RMSNorm, GQA, rotate_half RoPE,
 * SwiGLU, untied lm_head) as one ONNX graph with a KV cache, the graph the generation engine runs every step.
 *
 * Contract (the engine relies on it exactly):
 * - inputs: `input_ids` int64 [batch, sequence]; `position_ids` int64 [batch, sequence] (the caller's
 *   cumsum(mask) - 1; any value at padding); `attention_mask` int64 [batch, total_sequence] with
 *   total_sequence = past_sequence + sequence (1 = real token, 0 = padding; rows may be left-padded);
 *   `num_logits_to_keep` int64 [] (logits for the last K positions; 0 or K >= sequence gives all of them);
 *   `past_key_values.{i}.key|value` [batch, num_kv_heads, past_sequence, head_dim], past_sequence may be 0.
 * - outputs: `logits` float32 [batch, K, vocab]; `present.{i}.key|value`
 *   [batch, num_kv_heads, total_sequence, head_dim] = past ++ new, keys stored after RoPE.
 * - KV cache and activations are float16 for `fp16` and float32 otherwise (int8/int4 quantize weights only);
 *   RMSNorm and softmax always run in float32, logits are always float32.
 * - `plain` uses standard ONNX ops (opset 21) only; `fused` uses ONNX Runtime's com.microsoft operators
 *   (SimplifiedLayerNormalization, SkipSimplifiedLayerNormalization, RotaryEmbedding, GroupQueryAttention,
 *   MatMulNBits). Both give the same logits; see decoder-attention.ts for how GQA is made to honour left
 *   padding, and for its one limit: no multi-token step on top of a cache when batch > 1.
 * - int8/int4 in the plain form are standard DequantizeLinear (blocked, opset 21) + MatMul; ONNX Runtime's CPU
 *   provider fuses them into MatMulNBits with int8 activations unless the session sets
 *   `session.qdq_matmulnbits_accuracy_level` to 0 (then they equal the fused form's logits).
 */
import { EngineError } from '../../api/index.js';
import type { DecoderConfig } from '../model-config.js';
import { attention, attentionShared } from './decoder-attention.js';
import {
  checkedReader,
  configProblem,
  type DecoderContext,
  embedding,
  linear,
  ONNX_FLOAT,
  ONNX_FLOAT16,
  vectorWeight,
} from './decoder-linear.js';
import { float, GraphBuilder } from './graph-builder.js';

/** Reads one weight by its canonical (BAAI original) name, PyTorch layout: Linear [out, in]; embed [vocab, hidden]. */
export type WeightReader = (name: string) => Promise<Float32Array>;
export type Precision = 'fp32' | 'fp16' | 'int8' | 'int4';
export interface DecoderGraphOptions {
  precision: Precision;
  attention: 'fused' | 'plain';
  /** Stream the weights to this file (needed past 2 GB, the protobuf limit); `location` is how the graph names it. */
  externalData?: { path: string; location: string };
}

/** The KV cache's names, layer by layer, key before value: `past_key_values.*` in, `present.*` out. */
export const decoderCacheNames = (numLayers: number): { past: string; present: string }[] =>
  Array.from({ length: numLayers }, (_, i) =>
    ['key', 'value'].map((kind) => ({
      past: `past_key_values.${i}.${kind}`,
      present: `present.${i}.${kind}`,
    })),
  ).flat();

export const decoderInputNames = (numLayers: number): string[] => [
  'input_ids',
  'position_ids',
  'attention_mask',
  'num_logits_to_keep',
  ...decoderCacheNames(numLayers).map((name) => name.past),
];

export const decoderOutputNames = (numLayers: number): string[] => [
  'logits',
  ...decoderCacheNames(numLayers).map((name) => name.present),
];

export async function buildDecoderGraph(
  config: DecoderConfig,
  readWeight: WeightReader,
  options: DecoderGraphOptions,
): Promise<Uint8Array> {
  const problem = configProblem(config);
  if (problem) throw new EngineError('unsupported', `decoder config: ${problem}`);
  const b = new GraphBuilder({ name: 'emu3_decoder', externalData: options.externalData });
  const act = options.precision === 'fp16' ? 'float16' : 'float32';
  const ctx: DecoderContext = {
    b,
    config,
    options,
    act,
    read: checkedReader(readWeight),
  };
  const { numLayers, numKvHeads, headDim, hiddenSize, intermediateSize, vocabSize } = config;

  const inputIds = b.input('input_ids', 'int64', ['batch', 'sequence']);
  const positionIds = b.input('position_ids', 'int64', ['batch', 'sequence']);
  const attentionMask = b.input('attention_mask', 'int64', ['batch', 'total_sequence']);
  const keep = b.input('num_logits_to_keep', 'int64', []);
  const cacheDims = ['batch', numKvHeads, 'past_sequence', headDim];
  const past = Array.from({ length: numLayers }, (_, i) => ({
    key: b.input(`past_key_values.${i}.key`, act, cacheDims),
    value: b.input(`past_key_values.${i}.value`, act, cacheDims),
  }));
  b.output('logits', 'float32', ['batch', 'kept_sequence', vocabSize]);
  for (let i = 0; i < numLayers; i++) {
    b.output(`present.${i}.key`, act, ['batch', numKvHeads, 'total_sequence', headDim]);
    b.output(`present.${i}.value`, act, ['batch', numKvHeads, 'total_sequence', headDim]);
  }

  const shared = attentionShared(ctx, inputIds, positionIds, attentionMask);
  const fused = options.attention === 'fused';
  const norm = fused ? fusedNorm : plainNorm;
  const mlp = async (layer: number, xn: string) => {
    const prefix = `model.layers.${layer}.mlp`;
    const gate = await linear(ctx, xn, `${prefix}.gate_proj.weight`, intermediateSize, hiddenSize); // [B, S, I]
    const up = await linear(ctx, xn, `${prefix}.up_proj.weight`, intermediateSize, hiddenSize); // [B, S, I]
    const silu = b.op('Mul', [gate, b.op('Sigmoid', [gate])]); // [B, S, I]
    return linear(ctx, b.op('Mul', [silu, up]), `${prefix}.down_proj.weight`, hiddenSize, intermediateSize); // [B, S, H]
  };

  // The residual stream is kept as (branch, residual) so the fused form can hand each add to the next
  // SkipSimplifiedLayerNormalization; the plain form adds them itself. Layer input = branch + residual.
  let branch = await embedding(ctx, inputIds); // [B, S, H]
  let residual: string | undefined;
  for (let layer = 0; layer < numLayers; layer++) {
    const prefix = `model.layers.${layer}`;
    const pre = await norm(ctx, branch, residual, `${prefix}.input_layernorm.weight`); // normed, sum: [B, S, H]
    const attended = await attention(ctx, shared, layer, pre.normed, past[layer]!.key, past[layer]!.value); // [B, S, H]
    const post = await norm(ctx, attended, pre.sum, `${prefix}.post_attention_layernorm.weight`);
    branch = await mlp(layer, post.normed); // [B, S, H]
    residual = post.sum;
  }

  // Only the last K positions reach the final norm and lm_head (the 8B head is 184622 x 4096): a negative
  // start slices from the end; K = 0 gives start 0, every position.
  const start = b.op('Neg', [b.op('Unsqueeze', [keep, b.int64s('axis0', [0])])]); // [1]
  const lastK = (x: string) =>
    b.op('Slice', [x, start, b.int64s('slice_end', [Number.MAX_SAFE_INTEGER]), b.int64s('slice_axis', [1])]); // [B, K, H]
  const final = await norm(ctx, lastK(branch), residual && lastK(residual), 'model.norm.weight'); // [B, K, H]
  if (act === 'float32') {
    await linear(ctx, final.normed, 'lm_head.weight', vocabSize, hiddenSize, 'logits'); // [B, K, V]
  } else {
    const logits = await linear(ctx, final.normed, 'lm_head.weight', vocabSize, hiddenSize); // [B, K, V] float16
    b.node('Cast', [logits], { outputs: ['logits'], attrs: { to: ONNX_FLOAT } }); // [B, K, V] float32
  }
  return b.build();
}

interface Normed {
  /** RMSNorm(input) `[B, S, H]` */
  normed: string;
  /** The residual sum that was normalized `[B, S, H]`. */
  sum: string;
}

/** RMSNorm of `residual + branch` (of `branch` alone without a residual) times the weight `weightName`. */
type NormBuilder = (
  ctx: DecoderContext,
  branch: string,
  residual: string | undefined,
  weightName: string,
) => Promise<Normed>;

/** transformers' RMSNorm: float32 `x * 1/sqrt(mean(x²) + eps)`, cast back to the input type, times weight. */
const plainNorm: NormBuilder = async (ctx, branch, residual, weightName) => {
  const { b, config } = ctx;
  const sum = residual === undefined ? branch : b.op('Add', [residual, branch]); // [B, S, H]
  const x = ctx.act === 'float16' ? b.op('Cast', [sum], { to: ONNX_FLOAT }) : sum; // [B, S, H] float32
  const meanSquare = b.op('ReduceMean', [b.op('Mul', [x, x]), b.int64s('norm_axis', [-1])], { keepdims: 1 }); // [B, S, 1]
  const eps = b.float32s('rms_eps', [config.rmsNormEps], []);
  const inverse = b.op('Reciprocal', [b.op('Sqrt', [b.op('Add', [meanSquare, eps])])]); // [B, S, 1]
  let normed = b.op('Mul', [x, inverse]); // [B, S, H] float32
  if (ctx.act === 'float16') normed = b.op('Cast', [normed], { to: ONNX_FLOAT16 });
  const weight = await vectorWeight(ctx, weightName, config.hiddenSize); // [H]
  return { normed: b.op('Mul', [weight, normed]), sum }; // [B, S, H]
};

/** ONNX Runtime's RMSNorm kernels (float32 statistics, stash_type 1), the residual add folded into the next one. */
const fusedNorm: NormBuilder = async (ctx, branch, residual, weightName) => {
  const { b, config } = ctx;
  const weight = await vectorWeight(ctx, weightName, config.hiddenSize); // [H]
  const epsilon = float(config.rmsNormEps);
  if (residual === undefined) {
    // SimplifiedLayerNormalization is registered by ORT in the default ONNX domain (since version 1).
    const normed = b.op('SimplifiedLayerNormalization', [branch, weight], {
      epsilon,
      axis: -1,
      stash_type: 1,
    }); // [B, S, H]
    return { normed, sum: branch };
  }
  const [normed, , , sum] = b.node('SkipSimplifiedLayerNormalization', [branch, residual, weight], {
    outputs: 4, // output [B, S, H], mean and inv_std_var [B, S, 1], input + skip [B, S, H]
    domain: 'com.microsoft',
    attrs: { epsilon },
  });
  return { normed: normed!, sum: sum! };
};
