import { describe, expect, it } from 'vitest';
import { EngineError } from '../api/index.js';
import { randomSeed, Rng } from './rng.js';

/** An independent PCG32 (pcg-c-basic's pcg32_srandom_r / pcg32_random_r) in BigInt 64-bit math. */
function* referencePcg32(initstate: bigint, initseq: bigint): Generator<number> {
  const MASK = (1n << 64n) - 1n;
  const inc = ((initseq << 1n) | 1n) & MASK;
  let state = 0n;
  const next = (): number => {
    const old = state;
    state = (old * 6364136223846793005n + inc) & MASK;
    const xorshifted = Number((((old >> 18n) ^ old) >> 27n) & 0xffffffffn);
    const rot = Number(old >> 59n);
    return ((xorshifted >>> rot) | (xorshifted << (-rot & 31))) >>> 0;
  };
  next();
  state = (state + initstate) & MASK;
  next();
  for (;;) yield next();
}

function take(source: Iterator<number>, n: number): number[] {
  return Array.from({ length: n }, () => source.next().value as number);
}

describe('Rng', () => {
  it("reproduces pcg32-demo's published first outputs for seed 42, stream 54", () => {
    const rng = new Rng(42);
    expect(Array.from({ length: 6 }, () => rng.nextUint32())).toEqual([
      0xa15c02b7, 0x7b47f409, 0xba1d3330, 0x83d2f293, 0xbfa4784b, 0xcbed606e,
    ]);
  });

  it('matches a BigInt PCG32 for seeds and streams across the whole 53-bit range', () => {
    for (const seed of [0, 1, 42, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 123_456_789_012_345, 2 ** 53 - 1]) {
      for (const stream of [54, 0, 2 ** 31 + 7, 2 ** 53 - 1]) {
        const rng = new Rng(seed, stream);
        const ours = Array.from({ length: 1000 }, () => rng.nextUint32());
        expect(ours, `seed ${seed}, stream ${stream}`).toEqual(
          take(referencePcg32(BigInt(seed), BigInt(stream)), 1000),
        );
      }
    }
  });

  it('builds each float from two outputs, 53 bits, the same as the reference', () => {
    const reference = referencePcg32(7n, 54n);
    const expected = Array.from({ length: 200 }, () => {
      const [a, b] = take(reference, 2) as [number, number];
      return ((a >>> 5) * 2 ** 26 + (b >>> 6)) / 2 ** 53;
    });
    const rng = new Rng(7);
    expect(Array.from({ length: 200 }, () => rng.nextFloat())).toEqual(expected);
  });

  it('draws uniformly in [0, 1)', () => {
    const rng = new Rng(2024);
    let sum = 0;
    let below = 0;
    let outside = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = rng.nextFloat();
      if (!(x >= 0 && x < 1)) outside++;
      sum += x;
      if (x < 0.25) below++;
    }
    expect(outside).toBe(0);
    expect(Math.abs(sum / 100_000 - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(below / 100_000 - 0.25)).toBeLessThan(0.01);
  });

  it('gives the same stream for the same seed and different streams for different seeds', () => {
    const draw = (seed: number) => {
      const rng = new Rng(seed);
      return Array.from({ length: 8 }, () => rng.nextFloat());
    };
    expect(draw(5)).toEqual(draw(5));
    expect(draw(5)).not.toEqual(draw(6));
    expect(draw(0)).not.toEqual(draw(2 ** 32)); // the high half of the seed counts
    expect(new Rng(9).seed).toBe(9);
  });

  it('rejects a seed that is not an integer in [0, 2^53)', () => {
    for (const seed of [-1, 1.5, 2 ** 53, Number.NaN, Infinity]) {
      expect(() => new Rng(seed)).toThrow(EngineError);
      expect(() => new Rng(seed)).toThrow(`seed must be an integer in [0, 2^53), got ${seed}`);
    }
    expect(() => new Rng(1, -3)).toThrow(expect.objectContaining({ code: 'bad_request' }));
  });

  it('makes fresh seeds that a Rng accepts', () => {
    const seeds = Array.from({ length: 20 }, randomSeed);
    for (const seed of seeds) expect(new Rng(seed).seed).toBe(seed);
    expect(new Set(seeds).size).toBe(20);
  });
});
