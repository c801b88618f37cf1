import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { float, GraphBuilder } from './graph-builder.js';

/** y = LeakyRelu(x @ W + b): small enough to check by hand, run by the real ONNX Runtime. */
function buildAffine(builder: GraphBuilder): void {
  const x = builder.input('x', 'float32', ['batch', 2]);
  const w = builder.initializer('w', 'float32', [2, 3], Float32Array.from([1, 2, 3, 4, 5, 6]));
  const b = builder.initializer('b', 'float32', [3], Float32Array.from([0.5, -100, 0]));
  const y = builder.op('Add', [builder.op('MatMul', [x, w]), b]);
  builder.node('LeakyRelu', [y], { outputs: ['y'], attrs: { alpha: float(0.5) } });
  builder.output('y', 'float32', ['batch', 3]);
}

async function run(model: Uint8Array | string, x: number[]): Promise<number[]> {
  const session = await ort.InferenceSession.create(model as Uint8Array);
  const { y } = await session.run({ x: new ort.Tensor('float32', Float32Array.from(x), [x.length / 2, 2]) });
  await session.release();
  return Array.from(y!.data as Float32Array);
}

describe('GraphBuilder', () => {
  it('writes a graph that ONNX Runtime runs with the expected numbers', async () => {
    const builder = new GraphBuilder({ name: 'affine' });
    buildAffine(builder);
    // [1, 1] @ [[1,2,3],[4,5,6]] + [0.5,-100,0] = [5.5, -93, 9] → LeakyRelu(0.5) = [5.5, -46.5, 9]
    expect(await run(builder.build(), [1, 1, 0, 0])).toEqual([5.5, -46.5, 9, 0.5, -50, 0]);
  });

  it('streams weights to an external data file that ONNX Runtime reads back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emu3-graph-'));
    try {
      const builder = new GraphBuilder({
        name: 'affine',
        externalData: { path: join(dir, 'affine.onnx.data'), location: 'affine.onnx.data', minBytes: 1 },
      });
      buildAffine(builder);
      writeFileSync(join(dir, 'affine.onnx'), builder.build());
      expect(statSync(join(dir, 'affine.onnx.data')).size).toBe((6 + 3) * 4);
      expect(readFileSync(join(dir, 'affine.onnx')).includes(Buffer.from('affine.onnx.data'))).toBe(true);
      expect(await run(join(dir, 'affine.onnx'), [1, 1])).toEqual([5.5, -46.5, 9]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives nodes with explicit output names distinct node names', async () => {
    const builder = new GraphBuilder({ name: 'names' });
    const x = builder.input('x', 'float32', [2]);
    const [a] = builder.node('Neg', [x], { outputs: ['a'] });
    builder.node('Neg', [a!], { outputs: ['y'] });
    builder.output('y', 'float32', [2]);
    const session = await ort.InferenceSession.create(builder.build());
    const { y } = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, -2]), [2]) });
    expect(Array.from(y!.data as Float32Array)).toEqual([1, -2]);
    await session.release();
  });

  it('writes 4-bit tensors packed two to a byte (opset 21 DequantizeLinear reads them)', async () => {
    const builder = new GraphBuilder({ name: 'uint4' });
    builder.input('unused', 'float32', [1]);
    // Codes 1, 2, 3, 15 packed low nibble first; y = (code - 0) * 0.5.
    const codes = builder.initializer('codes', 'uint4', [4], Uint8Array.from([0x21, 0xf3]));
    const scale = builder.float32s('scale', [0.5], []);
    builder.node('DequantizeLinear', [codes, scale], { outputs: ['y'] });
    builder.output('y', 'float32', [4]);
    const session = await ort.InferenceSession.create(builder.build());
    const { y } = await session.run({ unused: new ort.Tensor('float32', new Float32Array(1), [1]) });
    expect(Array.from(y!.data as Float32Array)).toEqual([0.5, 1, 1.5, 7.5]);
    await session.release();
  });

  it('refuses a duplicate tensor name', () => {
    const builder = new GraphBuilder({ name: 'dup' });
    builder.input('x', 'float32', [1]);
    expect(() => builder.initializer('x', 'float32', [1], new Float32Array(1))).toThrow('duplicate name x');
  });
});
