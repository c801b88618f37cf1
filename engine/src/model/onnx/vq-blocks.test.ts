import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import type { VisionConfig } from '../model-config.js';
import { GraphBuilder } from './graph-builder.js';
import { checkVisionConfig, VqBlocks } from './vq-blocks.js';
import { appendQuantizer } from './vq-encoder-graph.js';

type Weights = Record<string, number[]>;

/** Builds `y = body(x)` from the blocks with the given weights and runs it in the real ONNX Runtime. */
async function run(
  weights: Weights,
  x: { data: number[]; dims: number[] },
  body: (blocks: VqBlocks, x: string) => Promise<string>,
): Promise<{ data: number[]; dims: readonly number[] }> {
  const g = new GraphBuilder({ name: 'test' });
  const blocks = new VqBlocks(g, async (name) => {
    const w = weights[name];
    if (!w) throw new Error(`no weight ${name}`);
    return Float32Array.from(w);
  });
  const input = g.input(
    'x',
    'float32',
    x.dims.map((_, i) => `d${i}`),
  );
  g.node('Identity', [await body(blocks, input)], { outputs: ['y'] });
  g.output('y', 'float32', ['y0', 'y1', 'y2', 'y3', 'y4'].slice(0, x.dims.length));
  const session = await ort.InferenceSession.create(g.build());
  const { y } = await session.run({ x: new ort.Tensor('float32', Float32Array.from(x.data), x.dims) });
  await session.release();
  return { data: Array.from(y!.data as Float32Array), dims: y!.dims };
}

const range = (n: number, from = 1) => Array.from({ length: n }, (_, i) => i + from);

describe('VQ blocks', () => {
  it('CausalConv3d pads 2 zero frames in front and none behind', async () => {
    // Kernel (3,1,1) with taps [1, 10, 100] over frames t-2, t-1, t: y[t] = x[t-2] + 10 x[t-1] + 100 x[t].
    const weights = { 'c.conv.weight': [1, 10, 100], 'c.conv.bias': [0] };
    const y = await run(weights, { data: [1, 2, 3, 4], dims: [1, 1, 4, 1, 1] }, (b, x) =>
      b.causalConv3d(x, 'c', 1, 1, [3, 1, 1]),
    );
    expect(y.dims).toEqual([1, 1, 4, 1, 1]);
    expect(y.data).toEqual([100, 210, 321, 432]);
  });

  it('TemporalDownsample (k 4, s 2) halves T with the causal front padding', async () => {
    // All-ones 4×3×3 kernel on 1×1 frames: only the centre taps see data. y0 = 0+0+x0+x1, y1 = x0+..+x3.
    const weights = { 'd.conv.conv.weight': new Array<number>(36).fill(1), 'd.conv.conv.bias': [0.5] };
    const y = await run(weights, { data: range(8), dims: [1, 1, 8, 1, 1] }, (b, x) =>
      b.temporalDownsample(x, 'd', 1),
    );
    expect(y.dims).toEqual([1, 1, 4, 1, 1]);
    expect(y.data).toEqual([3.5, 10.5, 18.5, 26.5]);
  });

  it('TemporalUpsample repeats each frame twice before its causal conv', async () => {
    // Only the current-frame centre tap is 1, so the conv passes the upsampled frames through.
    const kernel = new Array<number>(27).fill(0);
    kernel[2 * 9 + 4] = 1;
    const weights = { 'u.conv.conv.weight': kernel, 'u.conv.conv.bias': [0] };
    const y = await run(weights, { data: [1, 2, 3], dims: [1, 1, 3, 1, 1] }, (b, x) =>
      b.temporalUpsample(x, 'u', 1),
    );
    expect(y.data).toEqual([1, 1, 2, 2, 3, 3]);
  });

  it('Downsample pads right and bottom by one before its stride-2 conv', async () => {
    const weights = { 'down.conv.weight': new Array<number>(9).fill(1), 'down.conv.bias': [0] };
    const y = await run(weights, { data: range(16), dims: [1, 1, 4, 4] }, (b, x) =>
      b.downsample(x, 'down', 1),
    );
    expect(y.dims).toEqual([1, 1, 2, 2]);
    // Windows rows/cols 0-2 and 2-4 (4 is the zero pad) of [[1..4],[5..8],[9..12],[13..16]].
    expect(y.data).toEqual([54, 45, 72, 54]);
  });

  it('Upsample is nearest ×2 (then a conv)', async () => {
    const centre = [0, 0, 0, 0, 1, 0, 0, 0, 0];
    const y = await run(
      { 'up.conv.weight': centre, 'up.conv.bias': [0] },
      { data: [1, 2, 3, 4], dims: [1, 1, 2, 2] },
      (b, x) => b.upsample(x, 'up', 1),
    );
    expect(y.data).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  });

  it('GroupNorm(32) matches a float64 reference, even far from zero mean', async () => {
    const channels = 64;
    const size = 2 * channels * 3 * 5;
    const data = Array.from({ length: size }, (_, i) => 50 + Math.sin(i * 1.7) * 2 + (i % 7));
    const gamma = range(channels).map((i) => 1 + i / 100);
    const beta = range(channels).map((i) => i / 50 - 0.5);
    const y = await run({ 'n.weight': gamma, 'n.bias': beta }, { data, dims: [2, channels, 3, 5] }, (b, x) =>
      b.groupNorm(x, 'n', channels),
    );
    const groupSize = (channels / 32) * 15;
    let maxDiff = 0;
    for (let start = 0; start < size; start += groupSize) {
      const group = data.slice(start, start + groupSize);
      const mean = group.reduce((a, v) => a + v, 0) / groupSize;
      const variance = group.reduce((a, v) => a + (v - mean) ** 2, 0) / groupSize;
      group.forEach((v, i) => {
        const c = Math.floor(((start + i) % (channels * 15)) / 15);
        const expected = ((v - mean) / Math.sqrt(variance + 1e-6)) * gamma[c]! + beta[c]!;
        maxDiff = Math.max(maxDiff, Math.abs(y.data[start + i]! - expected));
      });
    }
    expect(maxDiff).toBeLessThan(1e-4);
  });

  it('SpatialNorm broadcasts the 1×1-convolved zq over a 2× larger map like a nearest upsample', async () => {
    // x: [1, 32, 4, 2] of ones and twos per group -> GroupNorm gives ±1 exactly; zq: [1, 1, 2, 1] = [3, 5].
    const channels = 32;
    const x = Array.from({ length: channels * 8 }, (_, i) => (i % 2 === 0 ? 1 : 2));
    const weights: Weights = {
      'sn.norm_layer.weight': new Array<number>(channels).fill(1),
      'sn.norm_layer.bias': new Array<number>(channels).fill(0),
      'sn.conv_y.weight': range(channels),
      'sn.conv_y.bias': new Array<number>(channels).fill(0),
      'sn.conv_b.weight': new Array<number>(channels).fill(0),
      'sn.conv_b.bias': new Array<number>(channels).fill(0.5),
    };
    const y = await run(weights, { data: x, dims: [1, channels, 4, 2] }, async (b, input) => {
      const zq = b.g.op('Reshape', [b.constant('float32', [3, 5]), b.constant('int64', [1, 1, 2, 1])]);
      return b.spatialNorm(input, 'sn', channels, b.spatialCondition(zq, 2), 1);
    });
    expect(y.dims).toEqual([1, channels, 4, 2]);
    const expected = x.map((v, i) => {
      const c = Math.floor(i / 8);
      const row = Math.floor((i % 8) / 2);
      const zq = row < 2 ? 3 : 5; // rows 0-1 come from latent row 0, rows 2-3 from latent row 1
      return (v === 1 ? -1 : 1) * (c + 1) * zq + 0.5;
    });
    y.data.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 2));
  });

  it('the quantizer takes the nearest codebook entry and the FIRST one on ties', async () => {
    const config = { codebookSize: 4, embedDim: 2 } as VisionConfig;
    const codebook = [0, 0, 1, 0, 1, 0, 0, 1]; // entries 1 and 2 are equal
    const g = new GraphBuilder({ name: 'quantize' });
    const blocks = new VqBlocks(g, async () => Float32Array.from(codebook));
    const z = g.input('z', 'float32', [1, 2, 1, 1, 3]);
    await appendQuantizer(g, blocks, z, config);
    g.output('codes', 'int64', [1, 1, 1, 3]);
    const session = await ort.InferenceSession.create(g.build());
    // z vectors (channels first): (0.5, 0) ties entries 0 and 1; (1, 0) ties 1 and 2; (0.2, 0.9) is entry 3.
    const zData = Float32Array.from([0.5, 1, 0.2, 0, 0, 0.9]);
    const { codes } = await session.run({ z: new ort.Tensor('float32', zData, [1, 2, 1, 1, 3]) });
    await session.release();
    expect(codes!.dims).toEqual([1, 1, 1, 3]);
    expect(Array.from(codes!.data as BigInt64Array)).toEqual([0n, 1n, 3n]);
  });

  it('refuses configs the graphs cannot represent', () => {
    const config: VisionConfig = {
      codebookSize: 40,
      embedDim: 4,
      zChannels: 4,
      inChannels: 3,
      outChannels: 3,
      ch: 32,
      chMult: [1, 2, 2],
      numResBlocks: 1,
      attnResolutions: [2],
      temporalDownsampleFactor: 4,
      spatialFactor: 4,
    };
    expect(() => checkVisionConfig(config)).not.toThrow();
    expect(() => checkVisionConfig({ ...config, ch: 48 })).toThrow('GroupNorm');
    expect(() => checkVisionConfig({ ...config, temporalDownsampleFactor: 3 })).toThrow('power of two');
    expect(() => checkVisionConfig({ ...config, spatialFactor: 8 })).toThrow('spatial factor');
  });
});
