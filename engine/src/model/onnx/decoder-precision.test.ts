import type { InferenceSession } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { buildDecoderGraph, type Precision } from './decoder-graph.js';
import {
  argmax,
  cosine,
  DecoderRunner,
  EXACT_QDQ,
  leftPadded,
  maxAbsDiff,
  randomWeights,
  readerOf,
  referenceLogits,
  tinyConfig as config,
} from './decoder-graph.testkit.js';

const weights = randomWeights(config, 11);
const read = readerOf(weights);
const sequences = [
  [5, 17, 42, 3, 88, 60, 61, 9, 33, 70, 12, 96, 0, 44, 19, 2],
  [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
  [90, 14, 14, 14, 66, 23, 81, 40, 7, 7, 52, 30, 64, 29],
];
const references = sequences.map((ids) => referenceLogits(config, weights, ids));
const ones = (length: number) => Array<number>(length).fill(1);
const positions = (length: number) => Array.from({ length }, (_, i) => i);

/** Logits at every position of every sequence, and the cached one-token step after a prefix, per form. */
async function measure(
  precision: Precision,
  attention: 'plain' | 'fused',
  session: InferenceSession.SessionOptions = EXACT_QDQ,
) {
  const cache = precision === 'fp16' ? 'float16' : 'float32';
  const model = await buildDecoderGraph(config, read, { precision, attention });
  const decoder = await DecoderRunner.create(model, config, cache, session);
  const all: Float32Array[] = [];
  for (const ids of sequences) {
    const S = ids.length;
    const { rows } = await decoder.run({ ids: [ids], mask: [ones(S)], positions: [positions(S)], keep: S });
    all.push(...rows[0]!);
  }
  // The last token of sequence 0 decoded from the cache of its prefix.
  const ids = sequences[0]!;
  const S = ids.length;
  const prefill = await decoder.run({
    ids: [ids.slice(0, S - 1)],
    mask: [ones(S - 1)],
    positions: [positions(S - 1)],
    keep: 1,
  });
  const step = await decoder.run(
    { ids: [[ids[S - 1]!]], mask: [ones(S)], positions: [[S - 1]], keep: 1 },
    prefill.present,
  );
  expect(prefill.present['present.0.key']!.type).toBe(cache);
  await decoder.release();
  const expected = references.flat();
  const cosines = all.map((logits, i) => cosine(logits, expected[i]!));
  const stats = {
    maxAbs: Math.max(...all.map((logits, i) => maxAbsDiff(logits, expected[i]!))),
    cosine: cosines.reduce((a, b) => a + b, 0) / cosines.length,
    minCosine: Math.min(...cosines),
    agreement: all.filter((logits, i) => argmax(logits) === argmax(expected[i]!)).length / all.length,
    cachedStep: maxAbsDiff(step.rows[0]![0]!, all[S - 1]!),
  };
  console.log(
    `${precision} ${attention}${session === EXACT_QDQ ? '' : ' (default session)'} vs float64 reference over ${all.length} positions: max abs ${stats.maxAbs.toFixed(4)}, ` +
      `cosine mean ${stats.cosine.toFixed(5)} min ${stats.minCosine.toFixed(5)}, greedy agreement ${(100 * stats.agreement).toFixed(1)}%, ` +
      `cached step vs full pass ${stats.cachedStep.toExponential(2)}`,
  );
  return { stats, all };
}

// Targets on this random model (the fixtures test holds the real ones, and says why int4 and greedy agreement
// fall short of the brief's 0.99 / 99% there): blocks of 32 leave a relative weight error of about 0.47% at 8
// bits and 8% at 4 bits, in every Linear.
describe.each(['plain', 'fused'] as const)('decoder graph precisions, %s attention', (attention) => {
  it('fp16: float16 weights and cache, float32 norms, softmax and logits, run by the CPU provider', async () => {
    const { stats } = await measure('fp16', attention);
    expect(stats.minCosine).toBeGreaterThan(0.9999);
    expect(stats.maxAbs).toBeLessThan(0.05);
    expect(stats.agreement).toBe(1);
    expect(stats.cachedStep).toBeLessThan(0.01);
  });

  it('int8 (blocks of 32) keeps logits within cosine 0.999 of float64', async () => {
    const { stats } = await measure('int8', attention);
    expect(stats.minCosine).toBeGreaterThanOrEqual(0.999);
    expect(stats.agreement).toBeGreaterThanOrEqual(0.97);
    expect(stats.cachedStep).toBeLessThan(1e-4);
  });

  it('int4 (blocks of 32) keeps logits within cosine 0.98 of float64', async () => {
    const { stats } = await measure('int4', attention);
    expect(stats.cosine).toBeGreaterThanOrEqual(0.98);
    expect(stats.agreement).toBeGreaterThanOrEqual(0.8);
    expect(stats.cachedStep).toBeLessThan(1e-4);
  });
});

describe('quantized plain and fused forms', () => {
  it.each(['int8', 'int4'] as const)(
    '%s: DequantizeLinear + MatMul equals MatMulNBits on the same codes',
    async (precision) => {
      const plain = await measure(precision, 'plain');
      const fused = await measure(precision, 'fused');
      const diff = Math.max(...plain.all.map((logits, i) => maxAbsDiff(logits, fused.all[i]!)));
      console.log(`${precision} plain vs fused: max abs diff ${diff.toExponential(2)}`);
      expect(diff).toBeLessThan(1e-4);
      // With ORT's default session options the plain form runs with int8-quantized activations: a little less
      // accurate (and faster on CPU); the numbers are printed for the record.
      const { stats } = await measure(precision, 'plain', {});
      expect(stats.cosine).toBeGreaterThan(precision === 'int8' ? 0.999 : 0.98);
    },
  );

  it('fp16 fused: a left-padded batch of 2 stays finite and close to each row alone', async () => {
    const model = await buildDecoderGraph(config, read, { precision: 'fp16', attention: 'fused' });
    const decoder = await DecoderRunner.create(model, config, 'float16');
    const [a, b] = [sequences[0]!, sequences[1]!.slice(0, 7)];
    const rows = [leftPadded(a, a.length, 0), leftPadded(b, a.length, 0)];
    const { rows: out } = await decoder.run({
      ids: rows.map((r) => r.ids),
      mask: rows.map((r) => r.mask),
      positions: rows.map((r) => r.positions),
      keep: 1,
    });
    expect(maxAbsDiff(out[0]![0]!, references[0]!.at(-1)!)).toBeLessThan(0.05);
    expect(maxAbsDiff(out[1]![0]!, referenceLogits(config, weights, b).at(-1)!)).toBeLessThan(0.05);
    await decoder.release();
  });
});
