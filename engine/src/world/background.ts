/**
 * The background of one picture, estimated from its pixels (WORLD.md "The detector", step 1): a plane per
 * channel plus one sinusoid shared by the channels, fitted by least squares to the pixels that agree with the
 * previous estimate, starting from the median colour of a ring just inside the border. Plain, gradient and
 * texture backgrounds are all of this form; objects and the vision tokenizer's shifts and seams are outliers.
 * The rounds look at every other pixel of every other row, which is plenty for a plane and a slow wave.
 */
import type { RgbFrame } from '../api/index.js';

/** Inlier distances (RGB Euclidean) of the fitting rounds, loosest first. */
const ROUNDS = [40, 24, 16];
/** Pixels from the border where the initial ring lies (the tokenizer's seams are at the very edge). */
const RING = [2, 6];
/** The rounds look at the pixels whose x and y are multiples of this. */
const STRIDE = 2;
/** A wave of a smaller amplitude than this is left out. */
const MIN_AMPLITUDE = 1.5;

export interface BackgroundFit {
  /** Float RGB, row-major [size·size·3]. */
  colors: Float32Array;
  /** Share of the pixels looked at within the last round's distance of the estimate before it. */
  inliers: number;
}

/** Planes a + bx·(x + ½ − size/2) + by·(y + ½ − size/2), one per channel, and the wave added to all three. */
interface Model {
  planes: [number, number, number][];
  wave: { fx: number; fy: number; a: number; b: number } | null;
}

export function fitBackground(frame: RgbFrame, periods: readonly [number, number]): BackgroundFit {
  const { width: size, data } = frame;
  let model: Model = { planes: ringMedian(frame).map((a) => [a, 0, 0]), wave: null };
  const grid = gridOf(size, STRIDE);
  const n = grid.xs.length;
  const inlier = new Uint8Array(n);
  let share = 0;
  for (const [round, tolerance] of ROUNDS.entries()) {
    const predicted = evaluate(model, size, grid);
    let used = 0;
    for (let k = 0; k < n; k++) {
      const at = (grid.ys[k]! * size + grid.xs[k]!) * 3;
      const r = data[at]! - predicted[k * 3]!;
      const g = data[at + 1]! - predicted[k * 3 + 1]!;
      const b = data[at + 2]! - predicted[k * 3 + 2]!;
      inlier[k] = r * r + g * g + b * b < tolerance * tolerance ? 1 : 0;
      used += inlier[k]!;
    }
    share = used / n;
    if (used < n / 8) break; // no background to speak of: keep the previous estimate
    const waveNow = model.wave ? evaluate({ planes: [[0, 0, 0]], wave: model.wave }, size, grid, 1) : null;
    const planes = fitPlanes(frame, grid, inlier, waveNow);
    // The first round's inliers come from a flat colour: too rough to find a wave in.
    model = { planes, wave: round > 0 ? fitWave(frame, grid, inlier, planes, periods) : null };
  }
  return { colors: evaluate(model, size, gridOf(size, 1)), inliers: share };
}

/** The pixels whose x and y are multiples of `stride`, row by row. */
interface Grid {
  xs: Int32Array;
  ys: Int32Array;
  columns: number;
}

const grids = new Map<string, Grid>();

function gridOf(size: number, stride: number): Grid {
  const key = `${size}:${stride}`;
  const cached = grids.get(key);
  if (cached) return cached;
  const columns = Math.ceil(size / stride);
  const xs = new Int32Array(columns * columns);
  const ys = new Int32Array(columns * columns);
  for (let j = 0; j < columns; j++)
    for (let i = 0; i < columns; i++) {
      xs[j * columns + i] = i * stride;
      ys[j * columns + i] = j * stride;
    }
  const grid = { xs, ys, columns };
  grids.set(key, grid);
  return grid;
}

/** The model at the given pixels, `channels` values per pixel (the planes' first `channels`). */
function evaluate(model: Model, size: number, { xs, ys }: Grid, channels = 3): Float32Array {
  const out = new Float32Array(xs.length * channels);
  // The wave a·sin(θx + θy) + b·cos(θx + θy) is sin θx·A(y) + cos θx·B(y), with A and B per row.
  const { wave } = model;
  const angle = (f: number, i: number) => (Math.PI * f * (2 * i + 1)) / size;
  const sinX = new Float64Array(size);
  const cosX = new Float64Array(size);
  const rowA = new Float64Array(size);
  const rowB = new Float64Array(size);
  if (wave)
    for (let i = 0; i < size; i++) {
      sinX[i] = Math.sin(angle(wave.fx, i));
      cosX[i] = Math.cos(angle(wave.fx, i));
      const sy = Math.sin(angle(wave.fy, i));
      const cy = Math.cos(angle(wave.fy, i));
      rowA[i] = wave.a * cy - wave.b * sy;
      rowB[i] = wave.a * sy + wave.b * cy;
    }
  for (let c = 0; c < channels; c++) {
    const [a, bx, by] = model.planes[c]!;
    for (let k = 0; k < xs.length; k++) {
      const x = xs[k]!;
      const y = ys[k]!;
      const w = sinX[x]! * rowA[y]! + cosX[x]! * rowB[y]!;
      out[k * channels + c] = a + bx * (x + 0.5 - size / 2) + by * (y + 0.5 - size / 2) + w;
    }
  }
  return out;
}

/** Per-channel median of the pixels between RING[0] and RING[1] from the border (by histogram: bytes). */
function ringMedian(frame: RgbFrame): [number, number, number] {
  const { width: size, data } = frame;
  const histogram = new Uint32Array(3 * 256);
  let n = 0;
  for (let y = RING[0]!; y < size - RING[0]!; y++)
    for (let x = RING[0]!; x < size - RING[0]!; x++) {
      if (Math.min(x, y, size - 1 - x, size - 1 - y) >= RING[1]!) continue;
      n++;
      for (let c = 0; c < 3; c++) histogram[c * 256 + data[(y * size + x) * 3 + c]!]!++;
    }
  return [0, 1, 2].map((c) => {
    let seen = 0;
    for (let v = 0; v < 256; v++) if ((seen += histogram[c * 256 + v]!) * 2 >= n) return v;
    return 0;
  }) as [number, number, number];
}

/** Least-squares a + bx·x + by·y per channel over the inliers, of their colours less the current wave. */
function fitPlanes(
  frame: RgbFrame,
  { xs, ys }: Grid,
  inlier: Uint8Array,
  wave: Float32Array | null,
): [number, number, number][] {
  const { width: size, data } = frame;
  // Normal equations of [1, u, v] (u, v: x, y centred): sums of 1, u, v, uu, uv, vv, and per channel of the
  // value times 1, u, v.
  let n = 0;
  let su = 0;
  let sv = 0;
  let suu = 0;
  let suv = 0;
  let svv = 0;
  const rhs = new Float64Array(9);
  for (let k = 0; k < xs.length; k++) {
    if (!inlier[k]) continue;
    const u = xs[k]! + 0.5 - size / 2;
    const v = ys[k]! + 0.5 - size / 2;
    n++;
    su += u;
    sv += v;
    suu += u * u;
    suv += u * v;
    svv += v * v;
    const at = (ys[k]! * size + xs[k]!) * 3;
    const w = wave ? wave[k]! : 0;
    for (let c = 0; c < 3; c++) {
      const value = data[at + c]! - w;
      rhs[c * 3]! += value;
      rhs[c * 3 + 1]! += value * u;
      rhs[c * 3 + 2]! += value * v;
    }
  }
  const m = Float64Array.of(n, su, sv, su, suu, suv, sv, suv, svv);
  return [0, 1, 2].map((c) => solve3(m, [rhs[c * 3]!, rhs[c * 3 + 1]!, rhs[c * 3 + 2]!]));
}

/** Solves the symmetric 3×3 system m·z = b by Cramer's rule (a constant fit when it is singular). */
function solve3(m: Float64Array, b: number[]): [number, number, number] {
  const det = (a: ArrayLike<number>) =>
    a[0]! * (a[4]! * a[8]! - a[5]! * a[7]!) -
    a[1]! * (a[3]! * a[8]! - a[5]! * a[6]!) +
    a[2]! * (a[3]! * a[7]! - a[4]! * a[6]!);
  const d = det(m);
  if (Math.abs(d) < 1e-9) return [m[0]! > 0 ? b[0]! / m[0]! : 0, 0, 0];
  const column = (k: number) => Array.from(m, (value, i) => (i % 3 === k ? b[Math.floor(i / 3)]! : value));
  return [det(column(0)) / d, det(column(1)) / d, det(column(2)) / d];
}

/**
 * The sinusoid a·sin θ + b·cos θ, θ = π(fx·(2x + 1) + fy·(2y + 1))/size, the same on every channel, that best
 * fits the inliers' channel-mean residual from the planes, fx in `periods` and |fy| in `periods`; null when
 * its amplitude is under MIN_AMPLITUDE.
 */
function fitWave(
  frame: RgbFrame,
  { xs, ys, columns }: Grid,
  inlier: Uint8Array,
  planes: [number, number, number][],
  periods: readonly [number, number],
): Model['wave'] {
  const { width: size, data } = frame;
  const rows = xs.length / columns;
  const [a0, ax, ay] = [0, 1, 2].map((k) => (planes[0]![k]! + planes[1]![k]! + planes[2]![k]!) / 3) as [
    number,
    number,
    number,
  ];
  // Residuals on the grid (0 off the inliers), rows of `columns`.
  const residual = new Float64Array(xs.length);
  let n = 0;
  for (let k = 0; k < xs.length; k++) {
    if (!inlier[k]) continue;
    n++;
    const at = (ys[k]! * size + xs[k]!) * 3;
    const mean = (data[at]! + data[at + 1]! + data[at + 2]!) / 3;
    residual[k] = mean - a0 - ax * (xs[k]! + 0.5 - size / 2) - ay * (ys[k]! + 0.5 - size / 2);
  }
  if (n === 0) return null;
  // Σ r·e^{iθ} separably: per row over x for each fx, then over rows for each fy.
  const [lo, hi] = periods;
  const kinds = hi - lo + 1;
  const rowRe = new Float64Array(rows * kinds);
  const rowIm = new Float64Array(rows * kinds);
  for (let f = 0; f < kinds; f++) {
    const cos = Array.from({ length: columns }, (_, i) =>
      Math.cos((Math.PI * (lo + f) * (2 * xs[i]! + 1)) / size),
    );
    const sin = Array.from({ length: columns }, (_, i) =>
      Math.sin((Math.PI * (lo + f) * (2 * xs[i]! + 1)) / size),
    );
    for (let j = 0; j < rows; j++) {
      let re = 0;
      let im = 0;
      for (let i = 0; i < columns; i++) {
        const r = residual[j * columns + i]!;
        re += r * cos[i]!;
        im += r * sin[i]!;
      }
      rowRe[j * kinds + f] = re;
      rowIm[j * kinds + f] = im;
    }
  }
  let best = { energy: 0, fx: 0, fy: 0, s: 0, c: 0 };
  for (let g = lo; g <= hi; g++)
    for (const fy of [g, -g]) {
      const angles = Array.from(
        { length: rows },
        (_, j) => (Math.PI * fy * (2 * ys[j * columns]! + 1)) / size,
      );
      const cos = angles.map(Math.cos);
      const sin = angles.map(Math.sin);
      for (let f = 0; f < kinds; f++) {
        let re = 0;
        let im = 0;
        for (let j = 0; j < rows; j++) {
          const a = rowRe[j * kinds + f]!;
          const b = rowIm[j * kinds + f]!;
          re += a * cos[j]! - b * sin[j]!;
          im += a * sin[j]! + b * cos[j]!;
        }
        const energy = re * re + im * im;
        if (energy > best.energy) best = { energy, fx: lo + f, fy, s: im, c: re };
      }
    }
  // Over whole periods sin² and cos² average ½, so each part's amplitude is 2·sum/n.
  const a = (2 * best.s) / n;
  const b = (2 * best.c) / n;
  return Math.hypot(a, b) < MIN_AMPLITUDE ? null : { fx: best.fx, fy: best.fy, a, b };
}
