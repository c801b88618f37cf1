import { describe, expect, it } from 'vitest';
import { InternalError } from '../api/index.js';
import { Rng } from './rng.js';
import { selectToken } from './sampling.js';

const NEG = -Infinity;

describe('selectToken, greedy', () => {
  it('takes the argmax, the lowest index on ties', () => {
    expect(selectToken(Float32Array.of(1, 5, 5, 2), null)).toBe(1);
    expect(selectToken(Float32Array.of(NEG, NEG, -3), null)).toBe(2);
    expect(selectToken(Float32Array.of(Number.NaN, 1, 2), null)).toBe(2);
  });

  it('treats a row with nothing to choose as a bug', () => {
    expect(() => selectToken(Float32Array.of(NEG, Number.NaN), null)).toThrow(InternalError);
    expect(() => selectToken(new Float32Array(0), new Rng(1))).toThrow(InternalError);
  });
});

describe('selectToken, sampled', () => {
  it('gives a fixed token sequence for a fixed seed', () => {
    const scores = Float32Array.of(0.5, NEG, 1.5, -1, 2, 0);
    const draw = (seed: number) => {
      const rng = new Rng(seed);
      return Array.from({ length: 16 }, () => selectToken(scores, rng));
    };
    expect(draw(1234)).toEqual([5, 5, 2, 0, 4, 4, 0, 2, 4, 2, 0, 2, 4, 2, 4, 4]);
    expect(draw(1234)).toEqual(draw(1234));
  });

  it('draws by inverse CDF in token order, one rng call per token', () => {
    const logits = [0.5, NEG, 1.5, -1, 2, 0];
    const weights = logits.map((s) => Math.exp(s - 2));
    const total = weights.reduce((a, b) => a + b);
    const rng = new Rng(77);
    const twin = new Rng(77);
    for (let step = 0; step < 500; step++) {
      const u = twin.nextFloat() * total;
      let cumulative = 0;
      const expected = weights.findIndex((w) => (cumulative += w) > u);
      expect(selectToken(Float32Array.from(logits), rng)).toBe(expected);
    }
  });

  it('follows the softmax over 50k draws and never draws a masked token', () => {
    const scores = Float32Array.of(0, NEG, 1, 2); // softmax over the finite: e^0, e^1, e^2 over their sum
    const rng = new Rng(99);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 50_000; i++) counts[selectToken(scores, rng)]!++;
    const z = 1 + Math.E + Math.E ** 2;
    const expected = [1 / z, 0, Math.E / z, Math.E ** 2 / z]; // 0.0900, 0, 0.2447, 0.6652
    counts.forEach((count, i) => expect(Math.abs(count / 50_000 - expected[i]!)).toBeLessThan(0.01));
    expect(counts[1]).toBe(0);
  });

  it('always takes the only finite token', () => {
    const rng = new Rng(4);
    for (let i = 0; i < 100; i++) expect(selectToken(Float32Array.of(NEG, NEG, 12, NEG), rng)).toBe(2);
  });
});
