import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { openCheckpoint } from '../checkpoint.js';
import type { PreprocessorConfig, VisionConfig } from '../model-config.js';
import {
  goldenBigInt64,
  goldenFloat32,
  goldenPng,
  goldens,
  haveGoldens,
  type GoldenManifest,
  TINY,
} from '../reference-fixtures.js';
import { preprocessImage, repeatAsClip } from '../vision-pixels.js';
import { buildVqEncoderGraph } from './vq-encoder-graph.js';

async function encode(session: ort.InferenceSession, pixels: Float32Array, dims: number[]) {
  const { codes } = await session.run({ pixels: new ort.Tensor('float32', pixels, dims) });
  return { data: codes!.data as BigInt64Array, dims: codes!.dims };
}

describe.skipIf(!haveGoldens())('VQ encoder graph on the tiny fixture model', () => {
  const manifest: Pick<GoldenManifest, 'vq'> = haveGoldens() ? goldens() : { vq: { images: [], videos: [] } };
  let session: ort.InferenceSession;
  let vision: VisionConfig;
  let preprocessor: PreprocessorConfig;

  beforeAll(async () => {
    const checkpoint = await openCheckpoint(TINY.hfMemory);
    ({ vision, preprocessor } = checkpoint.config);
    const model = await buildVqEncoderGraph(vision, (name) => checkpoint.tensors.readFloat32(name));
    session = await ort.InferenceSession.create(model);
  }, 60_000);

  it.each(manifest.vq.images)(
    'codes of $name (image repeated 4×) are identical to the goldens',
    async (image) => {
      const [, channels, height, width] = image.pixels.shape as [number, number, number, number];
      const clip = repeatAsClip(goldenFloat32(image.pixels), vision.temporalDownsampleFactor);
      const codes = await encode(session, clip, [
        1,
        vision.temporalDownsampleFactor,
        channels,
        height,
        width,
      ]);
      expect(codes.dims).toEqual([1, 1, ...image.codes.shape.slice(1)]);
      expect(Array.from(codes.data)).toEqual(Array.from(goldenBigInt64(image.codes)));
    },
  );

  it('codes of the 8-frame video are identical to the goldens, uncropped, also in a batch of two', async () => {
    const video = manifest.vq.videos[0]!;
    const pixels = goldenFloat32(video.pixels);
    const golden = Array.from(goldenBigInt64(video.codes));
    const one = await encode(session, pixels, video.pixels.shape);
    expect(one.dims).toEqual(video.codes.shape); // [1, 2, h, w]: both latent frames
    expect(Array.from(one.data)).toEqual(golden);
    const two = await encode(session, repeatAsClip(pixels, 2), [2, ...video.pixels.shape.slice(1)]);
    expect(two.dims).toEqual([2, ...video.codes.shape.slice(1)]);
    expect(Array.from(two.data)).toEqual([...golden, ...golden]);
  });

  it('the BAAI original layout (BF16 safetensors) gives the same video codes', async () => {
    const original = await openCheckpoint(TINY.originalDecoder);
    const model = await buildVqEncoderGraph(original.config.vision, (name) =>
      original.tensors.readFloat32(name),
    );
    const baai = await ort.InferenceSession.create(model);
    const video = manifest.vq.videos[0]!;
    const codes = await encode(baai, goldenFloat32(video.pixels), video.pixels.shape);
    await baai.release();
    expect(Array.from(codes.data)).toEqual(Array.from(goldenBigInt64(video.codes)));
  });

  it('preprocessing the fixture PNGs matches the golden pixels and gives the same codes', async () => {
    let maxDiff = 0;
    for (const image of manifest.vq.images) {
      const png = await goldenPng(image.png);
      const pixels = preprocessImage(png.data, png, preprocessor);
      const golden = goldenFloat32(image.pixels);
      pixels.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - golden[i]!))));
      const clip = repeatAsClip(pixels, vision.temporalDownsampleFactor);
      const codes = await encode(session, clip, [
        1,
        vision.temporalDownsampleFactor,
        3,
        png.height,
        png.width,
      ]);
      expect(Array.from(codes.data)).toEqual(Array.from(goldenBigInt64(image.codes)));
    }
    // The fixture script rescales in float32 (u * f32(1/255)); the reference processor in float64 and then
    // rounds, as preprocessImage does: the two differ by at most one float32 ulp near 1.
    expect(maxDiff).toBeLessThanOrEqual(2 ** -23);
  });
});
