/**
 * What the nano evaluations share: reading an evaluation set (JSON lines, each checked with zod, a bad one
 * failing in one line that names the file and line), rendering a line's scene as the model sees it, and
 * moving frames between the world's size and the model's.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { EngineError, parseConfigFile, type RgbFrame } from '../api/index.js';
import { generationSize } from '../generate/format-size.js';
import { frameImage } from '../media/images.js';
import type { PackageManifest } from '../model/package-manifest.js';
import { renderFrame, renderVideo } from '../world/render.js';
import type { Scene } from '../world/scene.js';
import type { WorldSpec } from '../world/spec.js';

export interface SetLine<T> {
  /** `FILE:LINE`, for messages and reports. */
  label: string;
  /** The line's number in its file, from 1. */
  line: number;
  value: T;
}

/**
 * Reads the non-blank lines of a JSONL file (every `every`-th of them, then the first `limit`), each parsed
 * with `schema` and then `check` (which throws a one-line EngineError of its own for problems zod cannot see).
 * The sets are written grouped by tag, so `every` gives a subset spread over all the tags.
 */
export async function readSet<S extends z.ZodType, T = z.output<S>>(
  path: string,
  schema: S,
  options: { limit?: number; every?: number; check?: (value: z.output<S>, label: string) => T } = {},
): Promise<SetLine<T>[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new EngineError(
      missing ? 'not_found' : 'invalid_file',
      `${path}: ${missing ? 'no such file' : 'unreadable'}`,
    );
  }
  const out: SetLine<T>[] = [];
  const lines = text.split('\n');
  let seen = 0;
  for (let i = 0; i < lines.length && out.length < (options.limit ?? Infinity); i++) {
    const line = lines[i]!.trim();
    if (line === '' || seen++ % (options.every ?? 1) !== 0) continue;
    const label = `${path}:${i + 1}`;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new EngineError('invalid_file', `${label}: not valid JSON`);
    }
    const parsed = parseConfigFile(schema, json, label);
    out.push({ label, line: i + 1, value: options.check ? options.check(parsed, label) : (parsed as T) });
  }
  if (out.length === 0) throw new EngineError('invalid_file', `${path}: no lines to evaluate`);
  return out;
}

/** The square picture the model makes (its image area at 1:1 on its token grid), in pixels. */
export function modelImageSize(manifest: PackageManifest): { width: number; height: number } {
  const factor = manifest.vision.spatialFactor;
  const grid = generationSize('1:1', manifest.imageArea, factor);
  return { width: grid.width * factor, height: grid.height * factor };
}

/** A frame at another size, bicubic (as the CLI resizes its inputs); the same frame when the size is right. */
export async function resizeFrame(
  frame: RgbFrame,
  size: { width: number; height: number },
): Promise<RgbFrame> {
  if (frame.width === size.width && frame.height === size.height) return frame;
  const data = await frameImage(frame)
    .resize(size.width, size.height, { fit: 'fill', kernel: 'cubic' })
    .raw()
    .toBuffer();
  return {
    width: size.width,
    height: size.height,
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  };
}

export function resizeFrames(
  frames: readonly RgbFrame[],
  size: { width: number; height: number },
): Promise<RgbFrame[]> {
  return Promise.all(frames.map((frame) => resizeFrame(frame, size)));
}

/**
 * A set line's scene as the model sees it: one frame, or the world's video cut to whole latent frames (16 at
 * the world's 8 fps, for Emu3's temporal factor 4), resized to the model's picture size.
 */
export function renderForModel(
  line: { scene: Scene; video: boolean },
  spec: WorldSpec,
  manifest: PackageManifest,
): Promise<RgbFrame[]> {
  const group = manifest.vision.temporalDownsampleFactor;
  const rendered = line.video
    ? renderVideo(line.scene, spec).slice(0, Math.floor(spec.video.frames / group) * group)
    : [renderFrame(line.scene, 0, spec)];
  return resizeFrames(rendered, modelImageSize(manifest));
}

/** sha256 of frames' pixels: what a record's `source` names when the source is a render, not a file. */
export function framesDigest(frames: readonly RgbFrame[]): string {
  const hash = createHash('sha256');
  for (const frame of frames) hash.update(frame.data);
  return hash.digest('hex');
}

/** Runs the work of one line; a problem the user can act on is reported with the line's `FILE:LINE`. */
export async function forLine<T>(label: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof EngineError) throw new EngineError(error.code, `${label}: ${error.message}`);
    throw error;
  }
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}
