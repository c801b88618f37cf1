/**
 * Rotary position embedding (docs/emu3-facts.md#the-decoder): HF "rotate_half" (non-interleaved) convention,
 * `q*cos + rotate_half(q)*sin` with `emb = cat(freqs, freqs)` and `inv_freq = 1/theta^(arange(0,d,2)/d)`.
 * The angles are computed inside the graph from `position_ids` exactly as transformers does (float32
 * `inv_freq`, float32 product with the position, float32 cos/sin), so there is no position table to size and
 * left-padded rows simply carry their own positions.
 */
import type { GraphBuilder } from './graph-builder.js';

/** transformers' float32 inverse frequencies: `1.0 / (theta ** (arange(0, d, 2).float() / d))`, each step rounded. */
export function inverseFrequencies(headDim: number, theta: number): Float32Array {
  const out = new Float32Array(headDim / 2);
  for (let i = 0; i < out.length; i++) {
    const exponent = Math.fround((2 * i) / headDim);
    out[i] = Math.fround(1 / Math.fround(theta ** exponent));
  }
  return out;
}

/** Angles `position * inv_freq` in float32: `[B, S, D/2]`. Shared by every layer. */
export function ropeAngles(b: GraphBuilder, positionIds: string, headDim: number, theta: number): string {
  const positions = b.op('Cast', [positionIds], { to: 1 }); // [B, S] float32
  const column = b.op('Unsqueeze', [positions, b.int64s('rope_axis', [2])]); // [B, S, 1]
  const inv = b.initializer('rope_inv_freq', 'float32', [headDim / 2], inverseFrequencies(headDim, theta)); // [D/2]
  return b.op('Mul', [column, inv]); // [B, S, D/2]
}

/** Plain form: `cos`, `sin` as `[B, 1, S, D]` in the activation type (transformers casts them to q's dtype). */
export function ropeTables(b: GraphBuilder, angles: string, castTo?: number): { cos: string; sin: string } {
  const emb = b.op('Concat', [angles, angles], { axis: -1 }); // [B, S, D]
  const axis = b.int64s('rope_head_axis', [1]);
  const table = (op: 'Cos' | 'Sin') => {
    const value = b.op('Unsqueeze', [b.op(op, [emb]), axis]); // [B, 1, S, D] float32
    return castTo === undefined ? value : b.op('Cast', [value], { to: castTo });
  };
  return { cos: table('Cos'), sin: table('Sin') };
}

/** Plain form: rotates `x` `[B, N, S, D]` by the `[B, 1, S, D]` tables. */
export function applyRope(b: GraphBuilder, x: string, cos: string, sin: string, headDim: number): string {
  const half = b.int64s('rope_split', [headDim / 2, headDim / 2]);
  const [x1, x2] = b.node('Split', [x, half], { outputs: 2, attrs: { axis: -1 } }); // [B, N, S, D/2] each
  const rotated = b.op('Concat', [b.op('Neg', [x2!]), x1!], { axis: -1 }); // [B, N, S, D]: rotate_half(x)
  return b.op('Add', [b.op('Mul', [x, cos]), b.op('Mul', [rotated, sin])]); // [B, N, S, D]
}

/**
 * Fused form: com.microsoft RotaryEmbedding indexes a `[rows, D/2]` cos/sin cache by position id. Rather than
 * a table of every position up to max_position_embeddings, the cache here holds one row per token of this
 * call (`[B*S, D/2]`) and the ids are simply 0..B*S-1, so any position (and any padding value) works and the
 * values are bit-identical to the plain form's.
 */
export function ropeCaches(
  b: GraphBuilder,
  angles: string,
  positionIds: string,
  headDim: number,
  castTo?: number,
): { cos: string; sin: string; ids: string } {
  const rows = b.int64s('rope_cache_shape', [-1, headDim / 2]);
  const cache = (op: 'Cos' | 'Sin') => {
    const value = b.op('Reshape', [b.op(op, [angles]), rows]); // [B*S, D/2] float32
    return castTo === undefined ? value : b.op('Cast', [value], { to: castTo });
  };
  const count = b.op('Size', [positionIds]); // [] = B*S
  const flat = b.op('Range', [b.int64s('rope_zero', [0], []), count, b.int64s('rope_one', [1], [])]); // [B*S]
  const ids = b.op('Reshape', [flat, b.op('Shape', [positionIds])]); // [B, S]
  return { cos: cache('Cos'), sin: cache('Sin'), ids };
}
