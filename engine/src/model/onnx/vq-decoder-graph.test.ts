import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectedTensors, openCheckpoint } from '../checkpoint.js';
import type { DecoderConfig, ModelConfig, PreprocessorConfig, VisionConfig } from '../model-config.js';
import {
  goldenBigInt64,
  type GoldenManifest,
  goldens,
  goldenUint8,
  haveGoldens,
  TINY,
} from '../reference-fixtures.js';
import { postprocessFrame } from '../vision-pixels.js';
import { buildVqDecoderGraph } from './vq-decoder-graph.js';
import { buildVqEncoderGraph } from './vq-encoder-graph.js';

describe.skipIf(!haveGoldens())('VQ decoder graph on the tiny fixture model', () => {
  const manifest: Pick<GoldenManifest, 'vq'> = haveGoldens() ? goldens() : { vq: { images: [], videos: [] } };
  let session: ort.InferenceSession;
  let vision: VisionConfig;
  let preprocessor: PreprocessorConfig;
  /** The largest |ours - golden| over every decoded uint8 value, across all cases. */
  let maxPixelDiff = 0;

  beforeAll(async () => {
    const checkpoint = await openCheckpoint(TINY.hfMemory);
    ({ vision, preprocessor } = checkpoint.config);
    const model = await buildVqDecoderGraph(vision, (name) => checkpoint.tensors.readFloat32(name));
    session = await ort.InferenceSession.create(model);
  }, 60_000);

  /** Decodes `codes` [B, T', h, w] and compares frames `keep` of batch item 0 with the golden uint8 frames. */
  async function check(codes: BigInt64Array, codeDims: number[], golden: Uint8Array, keep: number) {
    const { frames } = await session.run({ codes: new ort.Tensor('int64', codes, codeDims) });
    const [batch, latentFrames, h, w] = codeDims as [number, number, number, number];
    const size = { height: h * vision.spatialFactor, width: w * vision.spatialFactor };
    expect(frames!.dims).toEqual([
      batch,
      latentFrames * vision.temporalDownsampleFactor,
      3,
      size.height,
      size.width,
    ]);
    const data = frames!.data as Float32Array;
    const frameSize = 3 * size.height * size.width;
    for (let f = 0; f < keep; f++) {
      const rgb = postprocessFrame(data.subarray(f * frameSize, (f + 1) * frameSize), size, preprocessor);
      rgb.forEach(
        (v, i) => (maxPixelDiff = Math.max(maxPixelDiff, Math.abs(v - golden[f * frameSize + i]!))),
      );
    }
    return data;
  }

  it.each(manifest.vq.images)(
    'frame 0 decoded from the golden codes of $name is within ±1',
    async (image) => {
      const [, h, w] = image.codes.shape as [number, number, number];
      await check(goldenBigInt64(image.codes), [1, 1, h, w], goldenUint8(image.decoded), 1);
      expect(maxPixelDiff).toBeLessThanOrEqual(1);
    },
  );

  it('all 8 frames decoded from the golden video codes are within ±1, also in a batch of two', async () => {
    const video = manifest.vq.videos[0]!;
    const codes = goldenBigInt64(video.codes);
    const golden = goldenUint8(video.decoded);
    const frames = video.decoded.shape[1]!;
    const single = await check(codes, video.codes.shape, golden, frames);
    expect(maxPixelDiff).toBeLessThanOrEqual(1);
    // A batch of the same clip twice must decode each item exactly as alone (z and zq split back correctly).
    const doubled = new BigInt64Array(codes.length * 2);
    doubled.set(codes);
    doubled.set(codes, codes.length);
    const both = await check(doubled, [2, ...video.codes.shape.slice(1)], golden, frames);
    let batchDiff = 0;
    both.forEach((v, i) => (batchDiff = Math.max(batchDiff, Math.abs(v - single[i % single.length]!))));
    expect(batchDiff).toBeLessThan(1e-5);
    console.info(`VQ decoder: max |uint8 - golden| over all fixture frames = ${maxPixelDiff}`);
  });
});

describe('VQ graphs for the released model structure (4 levels, 2 res blocks, attention on level 3)', () => {
  // The real tokenizer's module tree at ch 32 instead of 256, so it builds and runs in a unit test.
  const vision: VisionConfig = {
    codebookSize: 64,
    embedDim: 4,
    zChannels: 4,
    inChannels: 3,
    outChannels: 3,
    ch: 32,
    chMult: [1, 2, 2, 4],
    numResBlocks: 2,
    attnResolutions: [3],
    temporalDownsampleFactor: 4,
    spatialFactor: 8,
  };
  // expectedTensors lists the LLM's tensors too: a 0-layer stand-in keeps them few, and they are dropped.
  const decoder: DecoderConfig = {
    vocabSize: 1,
    hiddenSize: 1,
    numLayers: 0,
    numHeads: 1,
    numKvHeads: 1,
    headDim: 1,
    intermediateSize: 1,
    rmsNormEps: 1e-5,
    ropeTheta: 1e4,
    maxPositionEmbeddings: 1,
  };
  const expected = new Map(
    [...expectedTensors({ vision, decoder } as ModelConfig).entries()].filter(
      ([name]) => !name.startsWith('model.') && name !== 'lm_head.weight',
    ),
  );
  const read = new Set<string>();
  /** Small deterministic weights of the importer's expected shape; variances positive. */
  const reader = async (name: string) => {
    const shape = expected.get(name);
    if (!shape) throw new Error(`unexpected weight ${name}`);
    read.add(name);
    const size = shape.reduce((a, b) => a * b, 1);
    return Float32Array.from({ length: size }, (_, i) =>
      name.endsWith('running_var') ? 1 : 0.05 * Math.sin(i * 0.37 + name.length),
    );
  };

  it('reads exactly the tensors the checkpoint importer expects and runs with the contracted shapes', async () => {
    const encoder = await ort.InferenceSession.create(await buildVqEncoderGraph(vision, reader));
    const pixels = Float32Array.from({ length: 2 * 4 * 3 * 16 * 24 }, (_, i) => Math.sin(i) * 0.9);
    const { codes } = await encoder.run({ pixels: new ort.Tensor('float32', pixels, [2, 4, 3, 16, 24]) });
    expect(codes!.dims).toEqual([2, 1, 2, 3]);
    await encoder.release();

    const decoderSession = await ort.InferenceSession.create(await buildVqDecoderGraph(vision, reader));
    const input = BigInt64Array.from({ length: 2 * 2 * 3 }, (_, i) => BigInt((i * 7) % 64));
    const { frames } = await decoderSession.run({ codes: new ort.Tensor('int64', input, [1, 2, 2, 3]) });
    expect(frames!.dims).toEqual([1, 8, 3, 16, 24]);
    expect((frames!.data as Float32Array).every(Number.isFinite)).toBe(true);
    await decoderSession.release();

    expect([...read].sort()).toEqual([...expected.keys()].sort());
  }, 60_000);
});
