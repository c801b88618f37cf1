/**
 * Picture quality numbers for the tokenizer and video evaluations: PSNR and SSIM between a frame and its
 * reconstruction, and a temporal smoothness of a video. All take RGB frames of equal size.
 */
import { InternalError, type RgbFrame } from '../api/index.js';

/** What PSNR reports for identical frames (the true value is infinite, which JSON cannot hold). */
export const PSNR_CAP_DB = 100;

/** PSNR in dB over every RGB value: 10·log10(255² / MSE), capped at PSNR_CAP_DB. */
export function psnr(a: RgbFrame, b: RgbFrame): number {
  sameSize(a, b);
  let squared = 0;
  for (let k = 0; k < a.data.length; k++) squared += (a.data[k]! - b.data[k]!) ** 2;
  const mse = squared / a.data.length;
  return mse === 0 ? PSNR_CAP_DB : Math.min(PSNR_CAP_DB, 10 * Math.log10((255 * 255) / mse));
}

const SSIM_WINDOW = 11;
const SSIM_SIGMA = 1.5;
const K1 = 0.01;
const K2 = 0.03;

/**
 * SSIM (Wang, Bovik, Sheikh, Simoncelli 2004) on luma (BT.601: Y = 0.299 R + 0.587 G + 0.114 B), with the
 * paper's 11×11 Gaussian window (σ = 1.5), K1 = 0.01, K2 = 0.03, L = 255, averaged over the positions where
 * the window fits inside the image (no padding). Frames smaller than 11 pixels use the largest odd window
 * that fits.
 */
export function ssim(a: RgbFrame, b: RgbFrame): number {
  sameSize(a, b);
  const { width, height } = a;
  const size = Math.min(SSIM_WINDOW, oddAtMost(Math.min(width, height)));
  const kernel = gaussian(size, SSIM_SIGMA);
  const x = luma(a); // [H·W]
  const y = luma(b);
  const xx = x.map((v) => v * v);
  const yy = y.map((v) => v * v);
  const xy = x.map((v, i) => v * y[i]!);
  const [mx, my, sxx, syy, sxy] = [x, y, xx, yy, xy].map((plane) =>
    filterValid(plane, width, height, kernel),
  );
  const c1 = (K1 * 255) ** 2;
  const c2 = (K2 * 255) ** 2;
  let total = 0;
  for (let i = 0; i < mx!.length; i++) {
    const muX = mx![i]!;
    const muY = my![i]!;
    const varX = sxx![i]! - muX * muX;
    const varY = syy![i]! - muY * muY;
    const cov = sxy![i]! - muX * muY;
    total += ((2 * muX * muY + c1) * (2 * cov + c2)) / ((muX * muX + muY * muY + c1) * (varX + varY + c2));
  }
  return total / mx!.length;
}

/**
 * Temporal smoothness in [0, 1]: 1 − mean |f_t − (f_{t−1} + f_{t+1}) / 2| / 255 over every RGB value of the
 * inner frames t = 1 … T − 2. A video whose every pixel changes linearly in time (or not at all) scores 1;
 * flicker and jumps lower it. Videos of fewer than 3 frames score 1.
 */
export function temporalSmoothness(frames: readonly RgbFrame[]): number {
  if (frames.length < 3) return 1;
  let deviation = 0;
  let count = 0;
  for (let t = 1; t < frames.length - 1; t++) {
    const [before, now, after] = [frames[t - 1]!, frames[t]!, frames[t + 1]!];
    sameSize(before, now);
    sameSize(now, after);
    for (let k = 0; k < now.data.length; k++)
      deviation += Math.abs(now.data[k]! - (before.data[k]! + after.data[k]!) / 2);
    count += now.data.length;
  }
  return 1 - deviation / count / 255;
}

function sameSize(a: RgbFrame, b: RgbFrame): void {
  if (a.width !== b.width || a.height !== b.height)
    throw new InternalError(`frames of different sizes: ${a.width}×${a.height} and ${b.width}×${b.height}`);
}

function oddAtMost(n: number): number {
  return n % 2 === 1 ? n : n - 1;
}

function luma(frame: RgbFrame): Float64Array {
  const out = new Float64Array(frame.width * frame.height);
  for (let p = 0; p < out.length; p++)
    out[p] = 0.299 * frame.data[p * 3]! + 0.587 * frame.data[p * 3 + 1]! + 0.114 * frame.data[p * 3 + 2]!;
  return out;
}

/** A normalised 1-D Gaussian of `size` taps. */
function gaussian(size: number, sigma: number): Float64Array {
  const half = (size - 1) / 2;
  const taps = Float64Array.from({ length: size }, (_, i) =>
    Math.exp(-((i - half) ** 2) / (2 * sigma * sigma)),
  );
  const sum = taps.reduce((a, b) => a + b, 0);
  return taps.map((v) => v / sum);
}

/** Separable filtering keeping only positions where the window fits: [H, W] → [H − k + 1, W − k + 1]. */
function filterValid(plane: Float64Array, width: number, height: number, kernel: Float64Array): Float64Array {
  const k = kernel.length;
  const outW = width - k + 1;
  const outH = height - k + 1;
  const rows = new Float64Array(height * outW); // [H, W − k + 1]
  for (let y = 0; y < height; y++)
    for (let x = 0; x < outW; x++) {
      let sum = 0;
      for (let i = 0; i < k; i++) sum += kernel[i]! * plane[y * width + x + i]!;
      rows[y * outW + x] = sum;
    }
  const out = new Float64Array(outH * outW); // [H − k + 1, W − k + 1]
  for (let y = 0; y < outH; y++)
    for (let x = 0; x < outW; x++) {
      let sum = 0;
      for (let i = 0; i < k; i++) sum += kernel[i]! * rows[(y + i) * outW + x]!;
      out[y * outW + x] = sum;
    }
  return out;
}
