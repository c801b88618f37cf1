/**
 * The nano world's constants (models/recipes/nano/world.json, described in WORLD.md). The file is the single
 * source of every number: it is read at run time from the package root, so the Python world that trains the
 * model and this one that evaluates it can never drift apart by a copied constant.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { EngineError, parseConfigFile } from '../api/index.js';
import { packageRoot } from '../install/package-info.js';

/** The shapes whose inside tests the renderer knows (WORLD.md "Rendering"); world.json lists which exist. */
export const ShapeClass = z.enum([
  'circle',
  'square',
  'triangle',
  'star',
  'heart',
  'diamond',
  'ring',
  'cross',
]);
export type ShapeClass = z.infer<typeof ShapeClass>;

const byte = z.number().int().min(0).max(255);
const Rgb = z.tuple([byte, byte, byte]);
export type Rgb = z.infer<typeof Rgb>;
const positive = z.number().positive();
const positiveInt = z.number().int().positive();

export const WorldSpec = z.object({
  version: z.literal(1),
  size: positiveInt,
  supersample: positiveInt,
  video: z.object({ frames: positiveInt, fps: positive }),
  classes: z.array(ShapeClass).min(1),
  colors: z.record(z.string(), Rgb),
  /** Radii as a fraction of `size`. */
  sizes: z.record(z.string(), positive),
  /** Each family: colours A and B. */
  backgrounds: z.record(z.string(), z.tuple([Rgb, Rgb])),
  texture: z.object({ amplitude: z.number().nonnegative(), periods: z.tuple([positiveInt, positiveInt]) }),
  /** 3×3 names of the image's thirds, rows top to bottom. */
  regions: z.array(z.array(z.string()).length(3)).length(3),
  relations: z.array(z.enum(['left of', 'right of', 'above', 'below'])),
  relationMargin: z.number().nonnegative(),
  motions: z.array(z.string()),
  /** Pixels per frame, [min, max]. */
  speed: z.tuple([positive, positive]),
  heldout: z.object({
    colorClass: z.array(z.tuple([z.string(), ShapeClass])),
    relation: z.array(z.tuple([ShapeClass, z.string(), ShapeClass])),
  }),
  detector: z.object({ colorDistance: positive, minArea: positiveInt, minIoU: z.number().min(0).max(1) }),
});
export type WorldSpec = z.infer<typeof WorldSpec>;

export type Relation = WorldSpec['relations'][number];

/** models/recipes/nano/world.json from the package root (works from sources and from dist/ alike). */
export const WORLD_SPEC_PATH = join(packageRoot(), 'models', 'recipes', 'nano', 'world.json');

const loaded = new Map<string, WorldSpec>();

/** Reads and checks world.json once per path. */
export function loadWorldSpec(path = WORLD_SPEC_PATH): WorldSpec {
  const cached = loaded.get(path);
  if (cached) return cached;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new EngineError(
      missing ? 'not_found' : 'invalid_file',
      `${path}: ${missing ? 'no such file' : 'not valid JSON'}`,
    );
  }
  const spec = parseConfigFile(WorldSpec, json, path);
  loaded.set(path, spec);
  return spec;
}

/** The relation margin in pixels (WORLD.md "Words"). */
export function relationMarginPx(spec: WorldSpec): number {
  return spec.relationMargin * spec.size;
}
