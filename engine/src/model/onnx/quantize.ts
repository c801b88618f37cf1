/**
 * Weight conversions done in TypeScript while a decoder graph is built: transposition for MatMul, float16
 * rounding, and block-wise weight-only quantization in the two layouts ONNX Runtime reads:
 * - `com.microsoft` MatMulNBits (the fused form): B `[N, kBlocks, blockSize * bits / 8]` uint8 with the
 *   first code of a pair in the low nibble, scales `[N, kBlocks]`, zero points packed the same way as B,
 *   `[N, ceil(kBlocks * bits / 8)]` (ContribOperators.md, MatMulNBits).
 * - Standard ONNX DequantizeLinear (opset 21, `axis: 0, block_size`) on the MatMul-ready `[K, N]` matrix
 *   (the plain form): codes uint8/uint4 `[K, N]` in ONNX's int4 packing (element pairs in row-major order,
 *   first in the low nibble), scales and zero points `[kBlocks, N]`.
 * Both come from the same codes, so the plain and fused forms compute the same dequantized weights.
 * Each function works on one weight at a time so an 8B checkpoint never has to be in memory at once.
 */

/** `[rows, cols]` → `[cols, rows]`, optionally converting each value (e.g. to float16 bits) on the way. */
export function transpose<T extends Float32Array | Uint16Array>(
  src: Float32Array,
  rows: number,
  cols: number,
  dst: T,
  convert: (value: number) => number = (value) => value,
): T {
  // Tiled so both sides stay in cache: a naive loop over a 14336 x 4096 matrix is several times slower.
  const TILE = 64;
  for (let r0 = 0; r0 < rows; r0 += TILE) {
    const r1 = Math.min(rows, r0 + TILE);
    for (let c0 = 0; c0 < cols; c0 += TILE) {
      const c1 = Math.min(cols, c0 + TILE);
      for (let r = r0; r < r1; r++) {
        const rowBase = r * cols;
        for (let c = c0; c < c1; c++) dst[c * rows + r] = convert(src[rowBase + c]!);
      }
    }
  }
  return dst;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE binary16 bits of `value`, rounded to nearest even (as torch's `.half()`), with subnormals and inf. */
export function float16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half: value = m * 2^-24, m = (1.mant) >> (14 - e).
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}

export function toFloat16(src: Float32Array): Uint16Array {
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = float16Bits(src[i]!);
  return out;
}

export type QuantBits = 4 | 8;

export interface MatMulNBitsWeight {
  /** `[N, kBlocks, blockSize * bits / 8]` */
  b: Uint8Array;
  /** `[N, kBlocks]` */
  scales: Float32Array;
  /** `[N, ceil(kBlocks * bits / 8)]` */
  zeroPoints: Uint8Array;
  kBlocks: number;
}

export interface DequantizeLinearWeight {
  /** `[K, N]` codes: one byte each for 8 bits, two to a byte for 4 bits. */
  data: Uint8Array;
  /** `[kBlocks, N]` */
  scales: Float32Array;
  /** `[kBlocks, N]`, packed like `data`. */
  zeroPoints: Uint8Array;
  kBlocks: number;
}

/**
 * Asymmetric min/max quantization of each block of `blockSize` values along K of a PyTorch Linear weight
 * `[N, K]` (the range is widened to include 0 so that zero stays exact, as ORT's own quantizer does).
 * Asymmetric codes keep about one more bit of a block's range than symmetric ones, which matters at 4 bits.
 * `put` receives each block's codes (zero-padded past K), scale and zero point.
 */
function quantizeBlocks(
  weight: Float32Array,
  n: number,
  k: number,
  bits: QuantBits,
  blockSize: number,
  put: (row: number, block: number, codes: Uint8Array, scale: number, zeroPoint: number) => void,
): number {
  const kBlocks = Math.ceil(k / blockSize);
  const qmax = (1 << bits) - 1;
  const codes = new Uint8Array(blockSize);
  for (let row = 0; row < n; row++) {
    const base = row * k;
    for (let block = 0; block < kBlocks; block++) {
      const start = block * blockSize;
      const end = Math.min(k, start + blockSize);
      let lo = 0;
      let hi = 0;
      for (let i = start; i < end; i++) {
        const v = weight[base + i]!;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      // The kernels dequantize with the float32 scale, so quantize against that same rounded value.
      const scale = Math.fround((hi - lo) / qmax);
      const inverse = scale === 0 ? 0 : 1 / scale;
      const zeroPoint = Math.min(qmax, Math.max(0, Math.round(-lo * inverse)));
      codes.fill(zeroPoint);
      for (let i = start; i < end; i++) {
        const q = Math.round(weight[base + i]! * inverse) + zeroPoint;
        codes[i - start] = Math.min(qmax, Math.max(0, q));
      }
      put(row, block, codes, scale, zeroPoint);
    }
  }
  return kBlocks;
}

/** Writes `code` as element `index` of a uint8 (bits 8) or packed uint4 (bits 4) buffer. */
function setCode(buffer: Uint8Array, index: number, code: number, bits: QuantBits): void {
  if (bits === 8) buffer[index] = code;
  else buffer[index >> 1]! |= index & 1 ? code << 4 : code;
}

/** Quantizes a Linear weight `[N, K]` (PyTorch layout) for MatMulNBits. */
export function quantizeForMatMulNBits(
  weight: Float32Array,
  n: number,
  k: number,
  bits: QuantBits,
  blockSize = 32,
): MatMulNBitsWeight {
  const kBlocks = Math.ceil(k / blockSize);
  const blob = (blockSize * bits) / 8;
  const zpRow = Math.ceil((kBlocks * bits) / 8);
  const b = new Uint8Array(n * kBlocks * blob);
  const scales = new Float32Array(n * kBlocks);
  const zeroPoints = new Uint8Array(n * zpRow);
  quantizeBlocks(weight, n, k, bits, blockSize, (row, block, codes, scale, zeroPoint) => {
    const offset = (row * kBlocks + block) * blob * (8 / bits);
    for (let i = 0; i < blockSize; i++) setCode(b, offset + i, codes[i]!, bits);
    scales[row * kBlocks + block] = scale;
    setCode(zeroPoints, row * zpRow * (8 / bits) + block, zeroPoint, bits);
  });
  return { b, scales, zeroPoints, kBlocks };
}

/** Quantizes a Linear weight `[N, K]` (PyTorch layout) for DequantizeLinear(axis 0) → MatMul on `[K, N]`. */
export function quantizeForDequantizeLinear(
  weight: Float32Array,
  n: number,
  k: number,
  bits: QuantBits,
  blockSize = 32,
): DequantizeLinearWeight {
  const kBlocks = Math.ceil(k / blockSize);
  const data = new Uint8Array(Math.ceil((k * n * bits) / 8));
  const scales = new Float32Array(kBlocks * n);
  const zeroPoints = new Uint8Array(Math.ceil((kBlocks * n * bits) / 8));
  quantizeBlocks(weight, n, k, bits, blockSize, (row, block, codes, scale, zeroPoint) => {
    const end = Math.min(blockSize, k - block * blockSize);
    for (let i = 0; i < end; i++) setCode(data, (block * blockSize + i) * n + row, codes[i]!, bits);
    scales[block * n + row] = scale;
    setCode(zeroPoints, block * n + row, zeroPoint, bits);
  });
  return { data, scales, zeroPoints, kBlocks };
}

/** What the kernels compute from MatMulNBits codes: `(code - zeroPoint) * scale`, back as `[N, K]`. */
export function dequantizeMatMulNBits(
  q: MatMulNBitsWeight,
  n: number,
  k: number,
  bits: QuantBits,
  blockSize = 32,
) {
  const out = new Float32Array(n * k);
  const perBlock = blockSize;
  const zpRow = Math.ceil((q.kBlocks * bits) / 8);
  const code = (buffer: Uint8Array, index: number) =>
    bits === 8 ? buffer[index]! : (buffer[index >> 1]! >> ((index & 1) * 4)) & 15;
  for (let row = 0; row < n; row++) {
    for (let i = 0; i < k; i++) {
      const block = Math.floor(i / perBlock);
      const zp = code(q.zeroPoints, row * zpRow * (8 / bits) + block);
      const c = code(q.b, (row * q.kBlocks + block) * perBlock + (i % perBlock));
      out[row * k + i] = (c - zp) * q.scales[row * q.kBlocks + block]!;
    }
  }
  return out;
}
