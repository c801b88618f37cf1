/**
 * The meta text of a vision block (docs/token-format.md): "{h}*{w}" for an image, as the reference
 * writes it, and this project's "{h}*{w}*{frames}@{fps}" for a video. Both in token units:
 * h×w is the latent grid, frames the latent frames, fps the frame rate of the decoded video.
 */
import { EngineError } from '../api/index.js';

/** A block's shape. An image has no `fps` (and `frames` 1 or absent); a video has both. */
export interface VisionGrid {
  height: number;
  width: number;
  /** Latent frames (each decodes to the vision tokenizer's temporal factor of video frames). */
  frames?: number;
  /** Frames per second of the decoded video; at most two decimals (29.97). */
  fps?: number;
}

/** A validated grid: `frames` filled in, `fps` undefined for an image. */
export interface CheckedGrid {
  height: number;
  width: number;
  frames: number;
  fps: number | undefined;
}

/** Bounds that keep a grid sane: 4096 tokens a side is 32768 pixels at factor 8. */
export const MAX_GRID_SIDE = 4096;
export const MAX_FRAMES = 4096;
export const MAX_FPS = 1000;

const FPS_TEXT = /^(?:0|[1-9]\d*)(?:\.\d{1,2})?$/;

function checkCount(what: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new EngineError('bad_request', `${what} ${value} is not an integer from 1 to ${max}`);
  }
}

/** Validates a grid; EngineError('bad_request') in one line otherwise. */
export function checkGrid(grid: VisionGrid): CheckedGrid {
  checkCount('grid height', grid.height, MAX_GRID_SIDE);
  checkCount('grid width', grid.width, MAX_GRID_SIDE);
  const frames = grid.frames ?? 1;
  checkCount('frame count', frames, MAX_FRAMES);
  const fps = grid.fps;
  if (fps === undefined) {
    if (frames !== 1) throw new EngineError('bad_request', `a video of ${frames} frames needs its fps`);
    return { height: grid.height, width: grid.width, frames, fps };
  }
  if (!Number.isFinite(fps) || fps <= 0 || fps > MAX_FPS || !FPS_TEXT.test(String(fps))) {
    throw new EngineError(
      'bad_request',
      `fps ${fps} is not a number above 0 and up to ${MAX_FPS} with at most two decimals`,
    );
  }
  if (grid.frames === undefined) throw new EngineError('bad_request', 'a video grid needs its frame count');
  return { height: grid.height, width: grid.width, frames, fps };
}

/** Whether the grid is a video (it has an fps). */
export function isVideo(grid: VisionGrid): boolean {
  return grid.fps !== undefined;
}

/** The meta text: "{h}*{w}" for an image (e.g. "90*90"), "{h}*{w}*{frames}@{fps}" for a video ("30*40*8@8"). */
export function formatMeta(grid: VisionGrid): string {
  const g = checkGrid(grid);
  const image = `${g.height}*${g.width}`;
  return g.fps === undefined ? image : `${image}*${g.frames}@${g.fps}`;
}

const META = /^([1-9]\d*)\*([1-9]\d*)(?:\*([1-9]\d*)@([0-9.]+))?$/;

/**
 * Parses a meta text back: {height, width} for an image, {height, width, frames, fps} for a video.
 * Only the canonical spelling that formatMeta writes is accepted, so parseMeta(formatMeta(g)) is g.
 */
export function parseMeta(text: string): VisionGrid {
  const m = META.exec(text);
  const bad = (): EngineError =>
    new EngineError(
      'bad_request',
      `meta text ${JSON.stringify(text)} is not "{h}*{w}" or "{h}*{w}*{frames}@{fps}"`,
    );
  if (m === null) throw bad();
  const height = Number(m[1]);
  const width = Number(m[2]);
  if (m[3] === undefined) {
    checkGrid({ height, width });
    return { height, width };
  }
  const fps = Number(m[4]);
  if (!FPS_TEXT.test(m[4]!) || String(fps) !== m[4]) throw bad();
  const grid = { height, width, frames: Number(m[3]), fps };
  checkGrid(grid);
  return grid;
}
