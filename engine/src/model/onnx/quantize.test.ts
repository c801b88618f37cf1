import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { EXACT_QDQ, gaussian } from './decoder-graph.testkit.js';
import { GraphBuilder } from './graph-builder.js';
import {
  dequantizeMatMulNBits,
  float16Bits,
  quantizeForDequantizeLinear,
  quantizeForMatMulNBits,
  transpose,
} from './quantize.js';

describe('float16Bits', () => {
  it('rounds to nearest even, with subnormals, overflow and NaN', () => {
    const cases: [number, number][] = [
      [0, 0x0000],
      [-0, 0x8000],
      [1, 0x3c00],
      [-2, 0xc000],
      [0.1, 0x2e66],
      [65504, 0x7bff],
      [65519, 0x7bff],
      [65520, 0x7c00],
      [1 + 2 ** -11, 0x3c00], // a tie: stays even
      [1 + 3 * 2 ** -11, 0x3c02], // a tie: rounds up to even
      [2 ** -24, 0x0001],
      [2 ** -25, 0x0000], // a tie with zero
      [1.5 * 2 ** -25, 0x0001],
      [2 ** -14, 0x0400],
      [Infinity, 0x7c00],
    ];
    for (const [value, bits] of cases) expect([value, float16Bits(value)]).toEqual([value, bits]);
    expect(float16Bits(NaN) & 0x7c00).toBe(0x7c00);
    expect(float16Bits(NaN) & 0x3ff).not.toBe(0);
  });
});

describe('transpose', () => {
  it('swaps the axes of a matrix larger than one tile', () => {
    const [rows, cols] = [70, 130];
    const src = Float32Array.from({ length: rows * cols }, (_, i) => i);
    const out = transpose(src, rows, cols, new Float32Array(rows * cols));
    for (const [r, c] of [
      [0, 0],
      [69, 129],
      [65, 3],
      [7, 100],
    ] as const)
      expect(out[c * rows + r]).toBe(src[r * cols + c]);
  });
});

/** `y = x @ W^T` for W `[N, K]` through a one-node ONNX graph: MatMulNBits, or DequantizeLinear + MatMul. */
async function runQuantized(
  kind: 'nbits' | 'dq',
  weight: Float32Array,
  n: number,
  k: number,
  bits: 4 | 8,
  x: Float32Array,
) {
  const b = new GraphBuilder({ name: kind });
  const input = b.input('x', 'float32', ['rows', k]);
  if (kind === 'nbits') {
    const q = quantizeForMatMulNBits(weight, n, k, bits);
    const blob = (32 * bits) / 8;
    const inputs = [
      input,
      b.initializer('b', 'uint8', [n, q.kBlocks, blob], q.b),
      b.initializer('scales', 'float32', [n, q.kBlocks], q.scales),
      b.initializer('zp', 'uint8', [n, Math.ceil((q.kBlocks * bits) / 8)], q.zeroPoints),
    ];
    b.node('MatMulNBits', inputs, {
      outputs: ['y'],
      domain: 'com.microsoft',
      attrs: { K: k, N: n, bits, block_size: 32 },
    });
  } else {
    const q = quantizeForDequantizeLinear(weight, n, k, bits);
    const type = bits === 8 ? 'uint8' : 'uint4';
    const w = b.op(
      'DequantizeLinear',
      [
        b.initializer('codes', type, [k, n], q.data),
        b.initializer('scales', 'float32', [q.kBlocks, n], q.scales),
        b.initializer('zp', type, [q.kBlocks, n], q.zeroPoints),
      ],
      { axis: 0, block_size: 32 },
    );
    b.node('MatMul', [input, w], { outputs: ['y'] });
  }
  b.output('y', 'float32', ['rows', n]);
  // Without EXACT_QDQ the CPU provider would turn DequantizeLinear + MatMul into int8-activation MatMulNBits.
  const session = await ort.InferenceSession.create(b.build(), EXACT_QDQ);
  const { y } = await session.run({ x: new ort.Tensor('float32', x, [x.length / k, k]) });
  await session.release();
  return y!.data as Float32Array;
}

describe.each([4, 8] as const)('%i-bit block quantization', (bits) => {
  // K = 72: two full blocks of 32 and a partial one, which both layouts must pad the same way.
  const [n, k, rows] = [6, 72, 3];
  const normal = gaussian(bits);
  const weight = Float32Array.from({ length: n * k }, () => normal() * (1 + Math.abs(normal())));
  const x = Float32Array.from({ length: rows * k }, normal);

  it('keeps every weight within half a step of its block', () => {
    const q = quantizeForMatMulNBits(weight, n, k, bits);
    const restored = dequantizeMatMulNBits(q, n, k, bits);
    for (let i = 0; i < n * k; i++) {
      const scale = q.scales[Math.floor(i / k) * q.kBlocks + Math.floor((i % k) / 32)]!;
      expect(Math.abs(restored[i]! - weight[i]!)).toBeLessThanOrEqual(scale / 2 + 1e-6);
    }
  });

  it('gives the same products through MatMulNBits and DequantizeLinear in ONNX Runtime', async () => {
    const restored = dequantizeMatMulNBits(quantizeForMatMulNBits(weight, n, k, bits), n, k, bits);
    const expected = Array.from({ length: rows * n }, (_, i) => {
      const [r, o] = [Math.floor(i / n), i % n];
      let sum = 0;
      for (let j = 0; j < k; j++) sum += x[r * k + j]! * restored[o * k + j]!;
      return sum;
    });
    for (const kind of ['nbits', 'dq'] as const) {
      const y = await runQuantized(kind, weight, n, k, bits, x);
      const diff = Math.max(...expected.map((e, i) => Math.abs(e - y[i]!)));
      expect([kind, diff < 1e-4]).toEqual([kind, true]);
    }
  });
});
