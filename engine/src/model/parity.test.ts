/**
 * The import path end to end against transformers' Emu3: each of the three checkpoint layouts of the tiny
 * fixture model is imported into a package, and that package's graphs reproduce the reference's logits,
 * VQ codes and decoded pixels.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forwardLogits } from '../runtime/decoder-runner.js';
import { DecoderStep, openDecoder } from '../runtime/decoder-step.js';
import { decodeCodes, encodeFrames } from '../runtime/vq-runner.js';
import { openModel, type ModelHandle } from '../runtime/open-model.js';
import {
  goldenFloat32,
  goldenInt64,
  goldenPng,
  goldenUint8,
  goldens,
  maxAbsDiff,
  TINY,
} from './reference-fixtures.js';

const LAYOUTS = [
  ['BAAI original (bf16, vision folder found beside it)', TINY.originalDecoder],
  ['transformers on disk (sharded fp32)', TINY.hf],
  ['transformers in-memory names (bf16)', TINY.hfMemory],
] as const;

describe.each(LAYOUTS)('%s', (_, source) => {
  let modelsDir: string;
  let model: ModelHandle;

  beforeAll(async () => {
    modelsDir = mkdtempSync(join(tmpdir(), 'emu3-parity-'));
    model = await openModel(source, { modelsDir, provider: 'cpu', threads: 2 });
  }, 60_000);

  afterAll(async () => {
    await model?.close();
    rmSync(modelsDir, { recursive: true, force: true });
  });

  it('gives the reference fp32 logits within 1e-4 at every position of every sequence', async () => {
    const vocab = model.manifest.decoder.vocabSize;
    for (const sequence of goldens().decoder.sequences) {
      const expected = goldenFloat32(sequence.logits); // [S, V]
      const positions = await forwardLogits(model, sequence.ids, true);
      expect(positions).toHaveLength(sequence.ids.length);
      for (const { position, logits } of positions) {
        const diff = maxAbsDiff(logits, expected.subarray(position * vocab, (position + 1) * vocab));
        expect(diff, `${sequence.name} position ${position}`).toBeLessThan(1e-4);
      }
    }
  });

  it('gives the same logits decoding one token at a time with the KV cache as in one pass', async () => {
    const sequence = goldens().decoder.sequences.find((s) => s.name === 'understanding')!;
    const expected = goldenFloat32(sequence.logits); // [S, V]
    const vocab = model.manifest.decoder.vocabSize;
    const step = new DecoderStep(await openDecoder(model), { batch: 1 });
    let worst = 0;
    try {
      for (const [position, id] of sequence.ids.entries()) {
        const logits = await step.run([[id]]); // [1, 1, V]
        worst = Math.max(
          worst,
          maxAbsDiff(logits, expected.subarray(position * vocab, (position + 1) * vocab)),
        );
      }
    } finally {
      step.dispose();
    }
    expect(worst).toBeLessThan(1e-4);
  });

  it('encodes the images and the video to exactly the reference codes', async () => {
    const { images, videos } = goldens().vq;
    for (const image of images) {
      const grid = await encodeFrames(model, [await goldenPng(image.png)]);
      expect([grid.frames, grid.height, grid.width]).toEqual(image.codes.shape);
      expect(Array.from(grid.codes), image.name).toEqual(goldenInt64(image.codes));
    }
    for (const video of videos) {
      const frames = await Promise.all(video.pngs.map(goldenPng));
      const grid = await encodeFrames(model, frames);
      expect([1, grid.frames, grid.height, grid.width]).toEqual(video.codes.shape);
      expect(Array.from(grid.codes), video.name).toEqual(goldenInt64(video.codes));
    }
  });

  it('decodes the reference codes to pixels within ±1 of the reference', async () => {
    const { images, videos } = goldens().vq;
    for (const item of [
      ...images.map((i) => ({ ...i, image: true })),
      ...videos.map((v) => ({ ...v, image: false })),
    ]) {
      const codes = goldenInt64(item.codes);
      const [height, width] = item.codes.shape.slice(-2) as [number, number];
      const frames = await decodeCodes(
        model,
        { frames: item.image ? 1 : item.codes.shape[1]!, height, width, codes: Int32Array.from(codes) },
        item.image,
      );
      const decoded = new Uint8Array(frames.flatMap((f) => Array.from(f.data)));
      expect(maxAbsDiff(decoded, goldenUint8(item.decoded)), item.name).toBeLessThanOrEqual(1);
    }
  });

  it('tokenizes every reference case to the reference ids', async () => {
    const tokenizer = await model.tokenizer();
    for (const { text, ids } of goldens().tokenizer.cases)
      expect(tokenizer.encode(text), JSON.stringify(text)).toEqual(ids);
    expect(tokenizer.visualTokenId(0)).toBe(goldens().special.visual0);
  });
});
