import { describe, expect, it } from 'vitest';
import { EngineError, InternalError } from '../../api/index.js';
import { Rng } from '../rng.js';
import { kthSmallest } from './select.js';
import { Temperature, TopK, TopP } from './warpers.js';

const NONE = { generated: [] };
const NEG = -Infinity;

function run(processor: { apply(s: Float32Array, c: typeof NONE): void }, values: number[]): number[] {
  const scores = Float32Array.from(values);
  processor.apply(scores, NONE);
  return Array.from(scores);
}

function expectBadRequest(build: () => unknown, message: string): void {
  expect(build).toThrow(message);
  expect(build).toThrow(EngineError);
  expect(build).toThrow(expect.objectContaining({ code: 'bad_request' }));
}

/** A random row: integers 0..5 (many ties) or floats, with some -Infinity. */
function randomRow(rng: Rng, length: number, ties: boolean): number[] {
  return Array.from({ length }, () => {
    if (rng.nextFloat() < 0.2) return NEG;
    return ties ? Math.floor(rng.nextFloat() * 6) : Math.fround(rng.nextFloat() * 20 - 10);
  });
}

describe('Temperature', () => {
  it('divides the scores by t', () => {
    expect(run(new Temperature(2), [2, -4, 1, NEG])).toEqual([1, -2, 0.5, NEG]);
    expect(run(new Temperature(0.5), [2, -4, 1])).toEqual([4, -8, 2]);
    expect(run(new Temperature(1), [0.1, 0.2])).toEqual([Math.fround(0.1), Math.fround(0.2)]);
  });

  it('rejects t <= 0 or not finite', () => {
    for (const t of [0, -1, Number.NaN, Infinity]) {
      expectBadRequest(() => new Temperature(t), `temperature must be a finite number > 0, got ${t}`);
    }
  });
});

describe('TopK', () => {
  it('keeps the k highest, and every tie at the k-th value', () => {
    expect(run(new TopK(2), [1, 3, 2, 3])).toEqual([NEG, 3, NEG, 3]);
    expect(run(new TopK(2), [1, 3, 2, 4])).toEqual([NEG, 3, NEG, 4]);
    expect(run(new TopK(2), [5, 4, 1, 4])).toEqual([5, 4, NEG, 4]);
    expect(run(new TopK(1), [2, 2, 1])).toEqual([2, 2, NEG]);
  });

  it('leaves the row alone when k >= V or at most k scores are finite', () => {
    expect(run(new TopK(4), [1, 3, 2, 3])).toEqual([1, 3, 2, 3]);
    expect(run(new TopK(9), [1, 3])).toEqual([1, 3]);
    expect(run(new TopK(2), [NEG, 1, NEG, 2])).toEqual([NEG, 1, NEG, 2]);
    expect(run(new TopK(2), [NEG, 1, 2, 3, NEG])).toEqual([NEG, NEG, 2, 3, NEG]);
  });

  it('agrees with a sort on random rows, reusing its scratch across row sizes', () => {
    const rng = new Rng(3);
    for (const k of [1, 2, 7, 50]) {
      const topK = new TopK(k);
      for (const length of [200, 60, 9, 200]) {
        for (const ties of [true, false]) {
          const row = randomRow(rng, length, ties);
          const sorted = row.filter((s) => s > NEG).sort((a, b) => b - a);
          const kth = sorted.length > k ? sorted[k - 1]! : NEG;
          expect(run(topK, row)).toEqual(row.map((s) => (s >= kth ? s : NEG)));
        }
      }
    }
  });

  it('rejects k that is not a positive integer', () => {
    for (const k of [0, -1, 1.5, Number.NaN])
      expectBadRequest(() => new TopK(k), `top_k must be an integer >= 1, got ${k}`);
  });
});

describe('kthSmallest', () => {
  it('finds every rank of random and tie-heavy arrays, looking only at the first n', () => {
    const rng = new Rng(8);
    for (const ties of [true, false]) {
      const row = randomRow(rng, 101, ties).map((s) => (s === NEG ? -1 : s));
      const sorted = row.slice(0, 90).sort((a, b) => a - b);
      for (let rank = 0; rank < 90; rank++) {
        expect(kthSmallest(Float32Array.from(row), 90, rank)).toBe(sorted[rank]);
      }
    }
    expect(kthSmallest(Float32Array.of(7), 1, 0)).toBe(7);
  });

  it('treats a rank outside the values as a bug', () => {
    expect(() => kthSmallest(new Float32Array(4), 4, 4)).toThrow(InternalError);
    expect(() => kthSmallest(new Float32Array(4), 5, 0)).toThrow(InternalError);
  });
});

describe('TopP', () => {
  // Probabilities 0.3, 0.1, 0.4, 0.2; ascending they accumulate 0.1, 0.3, 0.6, 1.0.
  const row = [0.3, 0.1, 0.4, 0.2].map(Math.log);
  const kept = (p: number) =>
    run(new TopP(p), row)
      .map((s, i) => (s > NEG ? i : -1))
      .filter((i) => i >= 0);

  it('removes the tokens whose ascending cumulative probability is <= 1 − p', () => {
    expect(kept(0.5)).toEqual([0, 2]); // remove cum <= 0.5: 0.1, 0.3
    expect(kept(0.75)).toEqual([0, 2, 3]); // remove cum <= 0.25: 0.1
    expect(kept(0.95)).toEqual([0, 1, 2, 3]); // remove cum <= 0.05: none
    expect(kept(0.1)).toEqual([2]); // remove cum <= 0.9: all but the top
    expect(kept(1e-9)).toEqual([2]); // at least one token is always kept
  });

  it('leaves the row alone at p = 1 and keeps the scores it keeps', () => {
    expect(run(new TopP(1), row)).toEqual(row.map(Math.fround));
    expect(run(new TopP(0.5), row)).toEqual([Math.fround(row[0]!), NEG, Math.fround(row[2]!), NEG]);
  });

  it("agrees with transformers' sort-and-cumsum on random rows", () => {
    const rng = new Rng(5);
    const topP = new TopP(0.6);
    for (const length of [50, 300, 7]) {
      for (let trial = 0; trial < 20; trial++) {
        const values = randomRow(rng, length, false);
        const order = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]!);
        const max = Math.max(...values);
        const total = values.reduce((sum, s) => sum + Math.exp(s - max), 0);
        let cumulative = 0;
        const removed = new Set<number>();
        order.forEach((i, j) => {
          cumulative += Math.exp(values[i]! - max) / total;
          if (cumulative <= 1 - 0.6 && j < order.length - 1) removed.add(i);
        });
        expect(run(topP, values)).toEqual(values.map((s, i) => (removed.has(i) ? NEG : s)));
      }
    }
  });

  it('rejects p outside (0, 1]', () => {
    for (const p of [0, -0.1, 1.5, Number.NaN])
      expectBadRequest(() => new TopP(p), `top_p must be in (0, 1], got ${p}`);
  });
});
