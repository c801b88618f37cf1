/**
 * The decoder step on the tiny fixture model's real graph: left padding leaves a row's logits as they are
 * alone, the no-cache mode gives the cached logits, the cache grows by what each run feeds, and a wrong
 * call is refused in one line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openModel, type ModelHandle } from './open-model.js';
import { maxAbsDiff, TINY } from '../model/reference-fixtures.js';
import { DecoderStep, makeCache, openDecoder, type DecoderGraph } from './decoder-step.js';

let modelsDir: string;
let model: ModelHandle;
let decoder: DecoderGraph;
let vocab: number;

beforeAll(async () => {
  modelsDir = mkdtempSync(join(tmpdir(), 'emu3-decoder-step-'));
  model = await openModel(TINY.originalDecoder, { modelsDir, provider: 'cpu', threads: 2 });
  decoder = await openDecoder(model);
  vocab = decoder.config.vocabSize;
}, 60_000);

afterAll(async () => {
  await model?.close();
  rmSync(modelsDir, { recursive: true, force: true });
});

const SHORT = [5, 17, 29];
const LONG = [3, 11, 23, 31, 41, 7];
const NEXT = [13, 19, 37];

/** Logits of every run: the prompt rows first, then NEXT[i] for every row. */
async function runAll(step: DecoderStep, prompts: number[][]): Promise<Float32Array[]> {
  const out = [await step.run(prompts)];
  for (const token of NEXT) out.push(await step.run(prompts.map(() => [token])));
  return out;
}

describe('decoder step', () => {
  it('gives a left-padded row the logits it has alone, at the prefill and every step after', async () => {
    const batch = new DecoderStep(decoder, { batch: 2 });
    const alone = new DecoderStep(decoder, { batch: 1 });
    try {
      const together = await runAll(batch, [SHORT, LONG]); // [2, 1, V] each
      const single = await runAll(alone, [SHORT]); // [1, 1, V] each
      together.forEach((logits, i) => {
        expect(logits).toHaveLength(2 * vocab);
        expect(maxAbsDiff(logits.subarray(0, vocab), single[i]!), `run ${i}`).toBeLessThan(1e-4);
      });
      expect(batch.length).toBe(LONG.length + NEXT.length);
    } finally {
      batch.dispose();
      alone.dispose();
    }
  });

  it('recomputes the same logits without the cache', async () => {
    const cached = new DecoderStep(decoder, { batch: 2 });
    const whole = new DecoderStep(decoder, { batch: 2, cache: false });
    try {
      const a = await runAll(cached, [SHORT, LONG]);
      const b = await runAll(whole, [SHORT, LONG]);
      a.forEach((logits, i) => expect(maxAbsDiff(logits, b[i]!), `run ${i}`).toBeLessThan(1e-4));
      expect(whole.length).toBe(cached.length);
    } finally {
      cached.dispose();
      whole.dispose();
    }
  });

  it('returns the last `keep` positions, the last of them as with keep 1', async () => {
    const all = new DecoderStep(decoder, { batch: 1 });
    const last = new DecoderStep(decoder, { batch: 1 });
    try {
      const every = await all.run([LONG], LONG.length); // [1, S, V]
      const one = await last.run([LONG]); // [1, 1, V]
      expect(every).toHaveLength(LONG.length * vocab);
      expect(maxAbsDiff(every.subarray((LONG.length - 1) * vocab), one)).toBeLessThan(1e-5);
    } finally {
      all.dispose();
      last.dispose();
    }
  });

  it('starts from a given cache at its depth', async () => {
    const { numKvHeads, headDim } = decoder.config;
    const tensors = makeCache(decoder, 1, 4, (index, length) => new Float32Array(length).fill(index / 100));
    expect(tensors['past_key_values.0.key']!.dims).toEqual([1, numKvHeads, 4, headDim]);
    const step = new DecoderStep(decoder, { batch: 1, past: { tensors, depth: 4 } });
    try {
      expect(step.length).toBe(4);
      const logits = await step.run([[NEXT[0]!]]);
      expect(logits).toHaveLength(vocab);
      expect(logits.every(Number.isFinite)).toBe(true);
      expect(step.length).toBe(5);
    } finally {
      step.dispose();
    }
  });

  it('refuses a wrong call in one line', async () => {
    const step = new DecoderStep(decoder, { batch: 2 });
    try {
      await expect(step.run([SHORT])).rejects.toThrow('a decoder step of 2 rows was given 1');
      await expect(step.run([[], []])).rejects.toThrow('a decoder step was given no tokens');
      await expect(step.run([SHORT, SHORT], 4)).rejects.toThrow('logits of 4 positions asked of 3');
    } finally {
      step.dispose();
    }
    expect(() => new DecoderStep(decoder, { batch: 0 })).toThrow('a decoder step needs rows, got 0');
  });
});
