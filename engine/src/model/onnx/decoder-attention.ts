/**
 * Self-attention of one decoder layer, in two forms that honour one contract:
 * - keys attend causally over `past + new` positions and only where `attention_mask` is 1, so rows may be
 *   left-padded (guidance batches a conditional and an unconditional prompt of different lengths);
 * - RoPE angles come from `position_ids`; keys enter the cache already rotated;
 * - `present.{i}.key|value` `[B, KVH, past + S, D]` = past concatenated with the new keys/values.
 *
 * Plain form: standard ONNX ops only. The GQA heads are never repeated: queries `[B, H, S, D]` are regrouped
 * as `[B, KVH, G*S, D]` (query head h uses kv head h / G, as transformers' repeat_kv does) so one MatMul
 * against each kv head serves its G query heads.
 *
 * Fused form: com.microsoft RotaryEmbedding + GroupQueryAttention. GQA's own padding model is right padding
 * (`seqlens_k[b]` = valid length - 1, the valid keys being a prefix of the cache) and its `do_rotary` derives
 * positions from seqlens_k, so neither can express a left-padded row. Instead the graph gives every row
 * `seqlens_k = past + S - 1` and `total_sequence_length = past + S` (all cache rows "valid", so present is
 * exactly past ++ new), leaves causality to GQA and passes the padding as `attention_bias` `[B, 1, S, T]`
 * (the same additive mask as the plain form); rotation happens before GQA with the caller's position ids.
 * This matches the plain form for prefill (no past, any batch, left padding included) and for steps of one
 * token per row on top of a cache (any batch), which is all generation does. One case it cannot take: ORT's
 * GQA (CPU, 1.30) rejects several new tokens on top of a non-empty past when batch > 1 ("batch_size must be 1
 * when sequence_length > 1 and past context is given"); a caller that needs chunked continuation of a batch
 * uses the plain form or one row at a time.
 */
import { float } from './graph-builder.js';
import {
  type DecoderContext,
  linear,
  ONNX_BOOL,
  ONNX_FLOAT,
  ONNX_FLOAT16,
  ONNX_INT32,
} from './decoder-linear.js';
import { applyRope, ropeAngles, ropeCaches, ropeTables } from './rope.js';

export type AttentionShared =
  | { kind: 'plain'; cos: string; sin: string; bias: string }
  | {
      kind: 'fused';
      cos: string;
      sin: string;
      ids: string;
      bias: string;
      seqlensK: string;
      totalLength: string;
    };

/** float32 lowest, as transformers fills masked scores; float16 lowest for a float16 bias. */
const MASKED_FLOAT32 = -3.4028234663852886e38;
const MASKED_FLOAT16 = 0xfbff;

/** Per-graph tensors every layer's attention shares: the additive mask and the RoPE tables. */
export function attentionShared(
  ctx: DecoderContext,
  inputIds: string,
  positionIds: string,
  attentionMask: string,
): AttentionShared {
  const { b, config, act } = ctx;
  const axis0 = b.int64s('axis0', [0]);
  const scalar = (x: string) => b.op('Squeeze', [x, axis0]); // [1] → []
  const total = scalar(b.op('Shape', [attentionMask], { start: 1, end: 2 })); // [] = T = past + S
  const fresh = scalar(b.op('Shape', [inputIds], { start: 1, end: 2 })); // [] = S
  const past = b.op('Sub', [total, fresh]); // [] = past
  const one = b.int64s('one', [1], []);
  const keys = b.op('Range', [b.int64s('zero', [0], []), total, one]); // [T]: key positions
  const queries = b.op('Range', [past, total, one]); // [S]: absolute index of each new token
  const causal = b.op('LessOrEqual', [
    b.op('Unsqueeze', [keys, axis0]), // [1, T]
    b.op('Unsqueeze', [queries, b.int64s('axis1', [1])]), // [S, 1]
  ]); // [S, T]
  const real = b.op('Unsqueeze', [b.op('Cast', [attentionMask], { to: ONNX_BOOL }), b.int64s('axis1', [1])]); // [B, 1, T]
  const allowed = b.op('And', [causal, real]); // [B, S, T]
  // A fully masked row (a padding query) gets uniform weights over its masked keys instead of NaN: its
  // output is garbage but finite, so it cannot poison real tokens through the next layer's keys/values.
  // The plain form adds the mask to float32 scores; GQA takes it in the activation type.
  const halfBias = ctx.options.attention === 'fused' && act === 'float16';
  const masked = halfBias
    ? b.initializer('mask_lowest', 'float16', [], Uint16Array.of(MASKED_FLOAT16))
    : b.float32s('mask_lowest', [MASKED_FLOAT32], []);
  const zero = halfBias
    ? b.initializer('mask_zero', 'float16', [], Uint16Array.of(0))
    : b.float32s('mask_zero', [0], []);
  const bias = b.op('Unsqueeze', [b.op('Where', [allowed, zero, masked]), b.int64s('axis1', [1])]); // [B, 1, S, T]
  const angles = ropeAngles(b, positionIds, config.headDim, config.ropeTheta); // [B, S, D/2] float32
  const castTo = act === 'float16' ? ONNX_FLOAT16 : undefined;

  if (ctx.options.attention === 'plain') {
    const { cos, sin } = ropeTables(b, angles, castTo); // [B, 1, S, D] each
    // Scores are laid out [B, KVH, G*S, T] with row g*S + s, so the mask is tiled G times along rows.
    const groups = config.numHeads / config.numKvHeads;
    const tiled = b.op('Tile', [bias, b.int64s('mask_tiles', [1, 1, groups, 1])]); // [B, 1, G*S, T] float32
    return { kind: 'plain', cos, sin, bias: tiled };
  }
  const { cos, sin, ids } = ropeCaches(b, angles, positionIds, config.headDim, castTo); // [B*S, D/2], [B, S]
  const batch = b.op('Shape', [inputIds], { start: 0, end: 1 }); // [1] = B
  const last = b.op('Cast', [b.op('Sub', [total, one])], { to: ONNX_INT32 }); // [] = T - 1
  const seqlensK = b.op('Expand', [last, batch]); // [B] int32
  const totalLength = b.op('Cast', [total], { to: ONNX_INT32 }); // [] int32
  return { kind: 'fused', cos, sin, ids, bias, seqlensK, totalLength };
}

/** One layer's attention on the normed hidden state `xn` `[B, S, hidden]`; returns o_proj's output `[B, S, hidden]`. */
export async function attention(
  ctx: DecoderContext,
  shared: AttentionShared,
  layer: number,
  xn: string,
  pastKey: string,
  pastValue: string,
): Promise<string> {
  const { b, config } = ctx;
  const { numHeads, numKvHeads, headDim, hiddenSize } = config;
  const prefix = `model.layers.${layer}.self_attn`;
  const q = await linear(ctx, xn, `${prefix}.q_proj.weight`, numHeads * headDim, hiddenSize); // [B, S, H*D]
  const k = await linear(ctx, xn, `${prefix}.k_proj.weight`, numKvHeads * headDim, hiddenSize); // [B, S, KVH*D]
  const v = await linear(ctx, xn, `${prefix}.v_proj.weight`, numKvHeads * headDim, hiddenSize); // [B, S, KVH*D]
  const presentKey = `present.${layer}.key`;
  const presentValue = `present.${layer}.value`;
  const scale = 1 / Math.sqrt(headDim);

  let merged: string; // [B, S, H*D]
  if (shared.kind === 'fused') {
    const rotate = (x: string) =>
      b.node('RotaryEmbedding', [x, shared.ids, shared.cos, shared.sin], {
        domain: 'com.microsoft',
        attrs: { interleaved: 0 },
      })[0]!; // [B, S, heads*D]
    const inputs = [rotate(q), rotate(k), v, pastKey, pastValue, shared.seqlensK, shared.totalLength];
    // Inputs 7-9 (cos/sin caches, position_ids) belong to do_rotary, unused here; 10 is attention_bias.
    [merged] = b.node('GroupQueryAttention', [...inputs, '', '', '', shared.bias], {
      outputs: [`${prefix}/gqa`, presentKey, presentValue],
      domain: 'com.microsoft',
      attrs: { num_heads: numHeads, kv_num_heads: numKvHeads, scale: float(scale) },
    }) as [string];
  } else {
    const heads = (x: string, count: number) =>
      b.op('Transpose', [b.op('Reshape', [x, b.int64s('heads_shape', [0, 0, count, headDim])])], {
        perm: [0, 2, 1, 3],
      }); // [B, count, S, D]
    const qh = applyRope(b, heads(q, numHeads), shared.cos, shared.sin, headDim); // [B, H, S, D]
    const kh = applyRope(b, heads(k, numKvHeads), shared.cos, shared.sin, headDim); // [B, KVH, S, D]
    const vh = heads(v, numKvHeads); // [B, KVH, S, D]
    const allKeys = b.node('Concat', [pastKey, kh], { outputs: [presentKey], attrs: { axis: 2 } })[0]!; // [B, KVH, T, D]
    const allValues = b.node('Concat', [pastValue, vh], { outputs: [presentValue], attrs: { axis: 2 } })[0]!; // [B, KVH, T, D]
    const grouped = b.op('Reshape', [qh, b.int64s('group_shape', [0, numKvHeads, -1, headDim])]); // [B, KVH, G*S, D]
    const keysT = b.op('Transpose', [allKeys], { perm: [0, 1, 3, 2] }); // [B, KVH, D, T]
    let scores = b.op('MatMul', [grouped, keysT]); // [B, KVH, G*S, T]
    if (ctx.act === 'float16') scores = b.op('Cast', [scores], { to: ONNX_FLOAT }); // softmax runs in float32
    scores = b.op('Add', [b.op('Mul', [scores, b.float32s('attn_scale', [scale], [])]), shared.bias]); // [B, KVH, G*S, T]
    let probs = b.op('Softmax', [scores], { axis: -1 }); // [B, KVH, G*S, T]
    if (ctx.act === 'float16') probs = b.op('Cast', [probs], { to: ONNX_FLOAT16 });
    const context = b.op('MatMul', [probs, allValues]); // [B, KVH, G*S, D]
    const perHead = b.op('Reshape', [context, b.int64s('head_shape', [0, numHeads, -1, headDim])]); // [B, H, S, D]
    const tokens = b.op('Transpose', [perHead], { perm: [0, 2, 1, 3] }); // [B, S, H, D]
    merged = b.op('Reshape', [tokens, b.int64s('merge_shape', [0, 0, numHeads * headDim])]); // [B, S, H*D]
  }
  return linear(ctx, merged, `${prefix}.o_proj.weight`, hiddenSize, numHeads * headDim); // [B, S, hidden]
}
