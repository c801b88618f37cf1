import { describe, expect, it } from 'vitest';
import { EngineError, InternalError } from '../../api/index.js';
import { Rng } from '../rng.js';
import { guidanceMix, logSoftmax, logSumExp } from './guidance.js';

/** lse([1, 2, 3]) = 3 + ln(1 + e^-1 + e^-2). */
const LSE_123 = 3 + Math.log(1 + Math.exp(-1) + Math.exp(-2)); // 3.4076059644…

function expectClose(actual: Float32Array, expected: number[], digits = 5): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((value, i) => expect(actual[i]).toBeCloseTo(value, digits));
}

describe('logSumExp', () => {
  it('agrees with Math.exp summed in float64 to 1e-10 on wide random rows', () => {
    const rng = new Rng(21);
    for (const spread of [0.01, 3, 40, 400]) {
      const row = Float32Array.from({ length: 5000 }, () => (rng.nextFloat() - 0.5) * spread);
      const max = Math.max(...row);
      const expected = max + Math.log(row.reduce((sum, s) => sum + Math.exp(s - max), 0));
      expect(Math.abs(logSumExp(row) - expected)).toBeLessThan(1e-10 * Math.max(1, Math.abs(expected)));
    }
  });

  it('skips -Infinity and NaN, and is -Infinity for a row with no finite score', () => {
    expect(logSumExp(Float32Array.of(0, -Infinity, Number.NaN, 0))).toBeCloseTo(Math.LN2, 12);
    expect(logSumExp(Float32Array.of(-Infinity))).toBe(-Infinity);
    expect(logSumExp(new Float32Array(0))).toBe(-Infinity);
  });
});

describe('logSoftmax', () => {
  it('subtracts log Σ exp', () => {
    expectClose(logSoftmax(Float32Array.of(1, 2, 3)), [1 - LSE_123, 2 - LSE_123, 3 - LSE_123]);
  });

  it('stays finite for large logits and works in place', () => {
    const scores = Float32Array.of(1000, 1001, 1002);
    expect(logSoftmax(scores, scores)).toBe(scores);
    expectClose(scores, [1 - LSE_123, 2 - LSE_123, 3 - LSE_123], 4);
  });

  it('gives -Infinity to a masked token and the rest a distribution', () => {
    const out = logSoftmax(Float32Array.of(0, -Infinity, 0));
    expect(out[1]).toBe(-Infinity);
    expectClose(out, [-Math.LN2, -Infinity, -Math.LN2]);
  });
});

describe('guidanceMix', () => {
  it('computes g·(c − u) + u in log-prob space (g = 3, by hand)', () => {
    // c = log_softmax([1,2,3]) = [1,2,3] − L, u = log_softmax([3,2,1]) = [3,2,1] − L, with L = LSE_123;
    // c − u = [−2, 0, 2], so out = 3·[−2, 0, 2] + [3,2,1] − L = [−3, 2, 7] − L.
    const out = guidanceMix(Float32Array.of(1, 2, 3), Float32Array.of(3, 2, 1), 3, new Float32Array(3));
    expectClose(out, [-3 - LSE_123, 2 - LSE_123, 7 - LSE_123]);
  });

  it('does not depend on a constant shift of either row (the mix is of log-probs, not raw logits)', () => {
    const base = guidanceMix(Float32Array.of(1, 2, 3), Float32Array.of(3, 2, 1), 3, new Float32Array(3));
    const shifted = guidanceMix(
      Float32Array.of(51, 52, 53),
      Float32Array.of(-7, -8, -9),
      3,
      new Float32Array(3),
    );
    expectClose(shifted, Array.from(base), 4);
  });

  it('gives exactly log_softmax(cond) at g = 1 and log_softmax(uncond) at g = 0', () => {
    const cond = Float32Array.of(0.5, -1.25, 3, 7.5);
    const uncond = Float32Array.of(2, 2, -4, 0);
    expect(guidanceMix(cond, uncond, 1, new Float32Array(4))).toEqual(logSoftmax(cond));
    expectClose(guidanceMix(cond, uncond, 0, new Float32Array(4)), Array.from(logSoftmax(uncond)));
  });

  it('may write over either input row', () => {
    const expected = guidanceMix(Float32Array.of(1, 2, 3), Float32Array.of(3, 2, 1), 3, new Float32Array(3));
    const cond = Float32Array.of(1, 2, 3);
    expect(guidanceMix(cond, Float32Array.of(3, 2, 1), 3, cond)).toEqual(expected);
    const uncond = Float32Array.of(3, 2, 1);
    expect(guidanceMix(Float32Array.of(1, 2, 3), uncond, 3, uncond)).toEqual(expected);
  });

  it('rejects a bad scale as bad input and mismatched rows as a bug', () => {
    const row = () => new Float32Array(3);
    for (const scale of [-1, Number.NaN, Infinity]) {
      expect(() => guidanceMix(row(), row(), scale, row())).toThrow(EngineError);
      expect(() => guidanceMix(row(), row(), scale, row())).toThrow(
        `guidance must be a finite number >= 0, got ${scale}`,
      );
    }
    expect(() => guidanceMix(row(), new Float32Array(4), 3, row())).toThrow(InternalError);
    expect(() => guidanceMix(row(), row(), 3, new Float32Array(2))).toThrow(InternalError);
  });
});
