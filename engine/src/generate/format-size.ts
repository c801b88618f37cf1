/**
 * The generation size rule (docs/token-format.md#the-size-rule): an aspect ratio "W:H" and an image area in
 * pixels give the token grid `calculate_generate_size` gives, with Python's round-half-to-even.
 */
import { EngineError } from '../api/index.js';
import { MAX_GRID_SIDE } from './format-meta.js';

/** The largest side of a ratio: keeps every product exact in a double and the grids sane. */
export const MAX_RATIO_SIDE = 10_000;

/** Python 3 `round(x)`: the nearest integer, ties to the even one (2.5 → 2, 3.5 → 4, 67.5 → 68). */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const fraction = x - floor; // exact for every finite double
  if (fraction < 0.5) return floor;
  if (fraction > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Parses an aspect ratio "W:H" of positive integers (spaces around the parts allowed), e.g. "16:9". */
export function parseRatio(ratio: string): { width: number; height: number } {
  const m = /^\s*(\d+)\s*:\s*(\d+)\s*$/.exec(ratio);
  if (m === null) {
    throw new EngineError('bad_request', `aspect ratio ${JSON.stringify(ratio)} is not "W:H" (e.g. "16:9")`);
  }
  const width = Number(m[1]);
  const height = Number(m[2]);
  if (width < 1 || height < 1 || width > MAX_RATIO_SIDE || height > MAX_RATIO_SIDE) {
    throw new EngineError(
      'bad_request',
      `aspect ratio ${JSON.stringify(ratio)}: both sides must be integers from 1 to ${MAX_RATIO_SIDE}`,
    );
  }
  return { width, height };
}

/**
 * The token grid for a ratio "W:H" and an image area in pixels, as the reference computes it:
 * target = sqrt(area / (W·H)), height = round(H·target / factor), width = round(W·target / factor), where
 * `spatialFactor` is the vision tokenizer's (8 for Emu3). Gen at 518400: 1:1 → 90×90, 16:9 → 68×120.
 */
export function generationSize(
  ratio: string,
  imageArea: number,
  spatialFactor: number,
): { height: number; width: number } {
  const { width: w, height: h } = parseRatio(ratio);
  if (!Number.isSafeInteger(imageArea) || imageArea < 1) {
    throw new EngineError('bad_request', `image area ${imageArea} is not a positive integer`);
  }
  if (!Number.isSafeInteger(spatialFactor) || spatialFactor < 1) {
    throw new EngineError('bad_request', `spatial factor ${spatialFactor} is not a positive integer`);
  }
  // Same operations in the same order as Python: int/int true division, sqrt, float products.
  const target = Math.sqrt(imageArea / (w * h));
  const height = roundHalfEven((h * target) / spatialFactor);
  const width = roundHalfEven((w * target) / spatialFactor);
  if (height < 1 || width < 1) {
    throw new EngineError(
      'bad_request',
      `aspect ratio ${ratio} at area ${imageArea} gives a ${height}×${width} token grid; a side is empty`,
    );
  }
  if (height > MAX_GRID_SIDE || width > MAX_GRID_SIDE) {
    throw new EngineError(
      'bad_request',
      `aspect ratio ${ratio} at area ${imageArea} gives a ${height}×${width} token grid; the limit is ${MAX_GRID_SIDE} a side`,
    );
  }
  return { height, width };
}
