/**
 * The seeded random stream of one job (docs/generation.md#reproducibility): the seed is recorded with every
 * sample, so `(model, prompt, params, seed)` regenerates it exactly, on every platform.
 *
 * The generator is PCG32, "XSH RR 64/32" (O'Neill 2014, pcg-random.org; the `pcg32_random_r` of pcg-c-basic),
 * seeded as `pcg32_srandom_r(seed, stream)`. Its 64-bit state is kept as two 32-bit halves and stepped
 * with 32-bit integer math only (`Math.imul`, 16-bit partial products), so no float rounding or BigInt cost
 * enters the stream. With the default stream 54, `new Rng(42)` gives pcg32-demo's published first outputs
 * (0xa15c02b7, 0x7b47f409, …).
 */
import { randomFillSync } from 'node:crypto';
import { EngineError } from '../api/index.js';

/** 6364136223846793005, PCG's 64-bit LCG multiplier, as two 32-bit halves. */
const MUL_HI = 0x5851f42d;
const MUL_LO = 0x4c957f2d;
const TWO_32 = 0x1_0000_0000;

/** The default stream (PCG's `initseq`); any fixed value works, 54 is pcg32-demo's. */
export const DEFAULT_STREAM = 54;

/** The high 32 bits of the 64-bit product of two uint32s. */
function mulHi32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const m1 = a1 * b0;
  const m2 = a0 * b1;
  const mid = ((a0 * b0) >>> 16) + (m1 & 0xffff) + (m2 & 0xffff); // < 3·2^16
  return (a1 * b1 + (m1 >>> 16) + (m2 >>> 16) + (mid >>> 16)) >>> 0;
}

function checkSeed(seed: number, what: string): void {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new EngineError('bad_request', `${what} must be an integer in [0, 2^53), got ${seed}`);
  }
}

export class Rng {
  /** The seed this stream started from; record it with the output. */
  readonly seed: number;
  private hi = 0; // state, bits 63..32
  private lo = 0; // state, bits 31..0
  private readonly incHi: number;
  private readonly incLo: number;

  /** `seed`: an integer in [0, 2^53) (it must survive JSON); `stream` selects one of PCG's independent streams. */
  constructor(seed: number, stream = DEFAULT_STREAM) {
    checkSeed(seed, 'seed');
    checkSeed(stream, 'stream');
    this.seed = seed;
    // inc = (stream << 1) | 1 as two 32-bit halves; 2·stream + 1 may pass 2^53, so it is never formed whole.
    this.incHi = (Math.floor(stream / TWO_32) * 2 + ((stream >>> 0) >>> 31)) >>> 0;
    this.incLo = (((stream >>> 0) << 1) | 1) >>> 0;
    // pcg32_srandom_r: state = 0; step; state += seed; step.
    this.step();
    const lo = this.lo + (seed >>> 0);
    this.lo = lo >>> 0;
    this.hi = (this.hi + Math.floor(seed / TWO_32) + (lo >= TWO_32 ? 1 : 0)) >>> 0;
    this.step();
  }

  /** state = state · MUL + inc (mod 2^64). */
  private step(): void {
    const { hi, lo } = this;
    const productHi = (mulHi32(lo, MUL_LO) + Math.imul(hi, MUL_LO) + Math.imul(lo, MUL_HI)) >>> 0;
    const sumLo = (Math.imul(lo, MUL_LO) >>> 0) + this.incLo;
    this.lo = sumLo >>> 0;
    this.hi = (productHi + this.incHi + (sumLo >= TWO_32 ? 1 : 0)) >>> 0;
  }

  /** The next 32 random bits, as an integer in [0, 2^32). */
  nextUint32(): number {
    const { hi, lo } = this;
    this.step();
    // Output function XSH RR on the old state: ((old >> 18) ^ old) >> 27, rotated right by old >> 59.
    const xHi = hi ^ (hi >>> 18);
    const xLo = lo ^ ((lo >>> 18) | (hi << 14));
    const xorshifted = ((xLo >>> 27) | (xHi << 5)) >>> 0;
    const rot = hi >>> 27;
    return ((xorshifted >>> rot) | (xorshifted << (-rot & 31))) >>> 0;
  }

  /** A float in [0, 1) with 53 random bits (27 + 26 bits from two outputs, as in Python's `random()`). */
  nextFloat(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }
}

/** A fresh seed for a job that was given none, in [0, 2^53). */
export function randomSeed(): number {
  const words = randomFillSync(new Uint32Array(2));
  return (words[0]! & 0x1fffff) * TWO_32 + words[1]!;
}
