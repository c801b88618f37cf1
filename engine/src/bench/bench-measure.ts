/**
 * Timing and data helpers shared by the benchmarks: every figure is the median of `runs` timed runs after
 * `warmup` untimed ones, and the raw samples travel with it so a reader can judge the spread.
 */

/** One measured figure: the median of `samples`, all in milliseconds. */
export interface Timing {
  medianMs: number;
  minMs: number;
  maxMs: number;
  warmup: number;
  samplesMs: number[];
}

export interface RunCounts {
  warmup: number;
  runs: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function summarize(samplesMs: readonly number[], warmup: number): Timing {
  const rounded = samplesMs.map((ms) => Math.round(ms * 1000) / 1000);
  return {
    medianMs: median(rounded),
    minMs: Math.min(...rounded),
    maxMs: Math.max(...rounded),
    warmup,
    samplesMs: rounded,
  };
}

/** Runs `body` warmup + runs times; times the last `runs`. `body` may time itself by returning milliseconds. */
export async function timeRuns(
  counts: RunCounts,
  body: (index: number) => Promise<number | void>,
): Promise<Timing> {
  const samples: number[] = [];
  for (let i = 0; i < counts.warmup + counts.runs; i++) {
    const start = performance.now();
    const own = await body(i);
    const ms = typeof own === 'number' ? own : performance.now() - start;
    if (i >= counts.warmup) samples.push(ms);
  }
  return summarize(samples, counts.warmup);
}

/** mulberry32: a small seeded generator for benchmark data (not the engine's sampling stream). */
export function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const TILE = 1 << 20;

/**
 * `length` values uniform in [-scale, scale): a seeded block of 2^20 values, tiled (a copy per tile is a
 * memcpy, so an 8B-shaped embedding fills in about a second). Timing does not depend on the values.
 */
export function seededFloat32(length: number, seed: number, scale: number): Float32Array {
  const next = seededUniform(seed);
  const tile = new Float32Array(Math.min(TILE, length));
  for (let i = 0; i < tile.length; i++) tile[i] = (next() * 2 - 1) * scale;
  const out = new Float32Array(length);
  for (let offset = 0; offset < length; offset += tile.length) {
    out.set(tile.subarray(0, Math.min(tile.length, length - offset)), offset);
  }
  return out;
}

/** float16 bits of values uniform in about [-scale, scale), tiled like `seededFloat32`. */
export function seededFloat16Bits(length: number, seed: number, scale: number): Uint16Array {
  const values = seededFloat32(Math.min(TILE, length), seed, scale);
  const tile = new Uint16Array(values.length);
  for (let i = 0; i < tile.length; i++) tile[i] = toHalfBits(values[i]!);
  const out = new Uint16Array(length);
  for (let offset = 0; offset < length; offset += tile.length) {
    out.set(tile.subarray(0, Math.min(tile.length, length - offset)), offset);
  }
  return out;
}

/** float16 bits of a small finite value (|x| < 65504), round toward zero: good enough for filler data. */
function toHalfBits(x: number): number {
  const f32 = new Float32Array([x]);
  const bits = new Uint32Array(f32.buffer)[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  if (exponent <= 0) return sign;
  return sign | (exponent << 10) | ((bits >>> 13) & 0x3ff);
}

/** Peak resident set size of this process so far, in bytes. */
export function maxRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

export const GB = 1e9;
