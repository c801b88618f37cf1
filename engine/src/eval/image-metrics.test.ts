/** PSNR, SSIM and temporal smoothness on frames whose answers are known. */
import { describe, expect, it } from 'vitest';
import type { RgbFrame } from '../api/index.js';
import { psnr, PSNR_CAP_DB, ssim, temporalSmoothness } from './image-metrics.js';

function frame(width: number, height: number, value: (x: number, y: number, c: number) => number): RgbFrame {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = value(x, y, c);
  return { width, height, data };
}

const pattern = frame(32, 32, (x, y, c) => (x * 7 + y * 13 + c * 50) % 256);

describe('psnr', () => {
  it('is 10·log10(255²/MSE), and capped for identical frames', () => {
    const off = frame(
      32,
      32,
      (x, y, c) => ((x * 7 + y * 13 + c * 50) % 256) + ((x * 7 + y * 13 + c * 50) % 256 < 250 ? 5 : -5),
    );
    expect(psnr(pattern, off)).toBeCloseTo(10 * Math.log10((255 * 255) / 25), 10);
    expect(psnr(pattern, pattern)).toBe(PSNR_CAP_DB);
  });
});

describe('ssim', () => {
  it('is 1 for identical frames, lower for noise, and symmetric', () => {
    expect(ssim(pattern, pattern)).toBeCloseTo(1, 12);
    const noisy = frame(32, 32, (x, y, c) =>
      Math.min(255, ((x * 7 + y * 13 + c * 50) % 256) + ((x * 31 + y * 17) % 41)),
    );
    const score = ssim(pattern, noisy);
    expect(score).toBeLessThan(0.99);
    expect(score).toBeGreaterThan(0);
    expect(ssim(noisy, pattern)).toBeCloseTo(score, 12);
  });

  it('compares flat frames by their means alone', () => {
    // Flat: σ = 0, so SSIM = (2·μx·μy + C1) / (μx² + μy² + C1).
    const c1 = (0.01 * 255) ** 2;
    const a = frame(16, 16, () => 100);
    const b = frame(16, 16, () => 120);
    expect(ssim(a, b)).toBeCloseTo((2 * 100 * 120 + c1) / (100 ** 2 + 120 ** 2 + c1), 10);
  });
});

describe('temporalSmoothness', () => {
  it('is 1 for linear change and drops for flicker', () => {
    const ramp = [0, 1, 2, 3].map((t) => frame(8, 8, () => 10 * t));
    expect(temporalSmoothness(ramp)).toBe(1);
    const flicker = [0, 1, 2, 3].map((t) => frame(8, 8, () => (t % 2) * 255));
    expect(temporalSmoothness(flicker)).toBe(0);
    expect(temporalSmoothness(ramp.slice(0, 2))).toBe(1);
  });
});
