/**
 * The nano world's renderer, exactly as WORLD.md "Rendering" and "Backgrounds" say: the background at each
 * pixel centre, then every object in list order blended over it by its supersampled coverage, in float,
 * rounded with floor(c + 0.5). The Python world renders the same way, which the render-check test holds.
 */
import type { RgbFrame } from '../api/index.js';
import { objectAt, type PlacedObject, type Scene, type Background } from './scene.js';
import { INSIDE, SHAPE_EXTENT } from './shapes.js';
import { loadWorldSpec, type WorldSpec } from './spec.js';

/** One frame of a scene (frame 0 is the scene as an image). */
export function renderFrame(scene: Scene, t = 0, spec: WorldSpec = loadWorldSpec()): RgbFrame {
  const { size } = spec;
  const color = backgroundColors(scene.background, spec); // [size·size·3], float
  for (const object of scene.objects) {
    const placed = objectAt(object, t, size);
    const [r, g, b] = spec.colors[placed.color]!;
    const { x0, y0, width, height, coverage } = objectCoverage(placed, spec);
    for (let j = 0; j < height; j++) {
      for (let i = 0; i < width; i++) {
        const a = coverage[j * width + i]!;
        if (a === 0) continue;
        const at = ((y0 + j) * size + x0 + i) * 3;
        color[at] = color[at]! * (1 - a) + r * a;
        color[at + 1] = color[at + 1]! * (1 - a) + g * a;
        color[at + 2] = color[at + 2]! * (1 - a) + b * a;
      }
    }
  }
  const data = new Uint8Array(color.length);
  for (let k = 0; k < color.length; k++) data[k] = Math.min(255, Math.max(0, Math.floor(color[k]! + 0.5)));
  return { width: size, height: size, data };
}

/** Frames 0 … count − 1 of a scene (world.json `video.frames` by default). */
export function renderVideo(
  scene: Scene,
  spec: WorldSpec = loadWorldSpec(),
  count = spec.video.frames,
): RgbFrame[] {
  return Array.from({ length: count }, (_, t) => renderFrame(scene, t, spec));
}

/** The background in float RGB, row-major [size, size, 3], each colour taken at the pixel centre. */
export function backgroundColors(background: Background, spec: WorldSpec): Float64Array {
  const { size } = spec;
  const [a, b] = spec.backgrounds[background.family]!;
  const out = new Float64Array(size * size * 3);
  const cos = Math.cos(background.angle);
  const sin = Math.sin(background.angle);
  for (let y = 0; y < size; y++) {
    const cy = y + 0.5;
    for (let x = 0; x < size; x++) {
      const cx = x + 0.5;
      const at = (y * size + x) * 3;
      for (let c = 0; c < 3; c++) {
        const base = a[c]!;
        if (background.kind === 'plain') out[at + c] = base;
        else if (background.kind === 'gradient') {
          const s = clamp01(0.5 + ((cx - size / 2) * cos + (cy - size / 2) * sin) / size);
          out[at + c] = base + (b[c]! - base) * s;
        } else {
          const wave = Math.sin(
            (2 * Math.PI * (background.fx * cx + background.fy * cy)) / size + background.phase,
          );
          out[at + c] = base + spec.texture.amplitude * wave;
        }
      }
    }
  }
  return out;
}

/** An object's coverage of the pixels of its bounding box, clipped to the image: [height, width] in 0…1. */
export interface Coverage {
  x0: number;
  y0: number;
  width: number;
  height: number;
  coverage: Float32Array;
}

/** The fraction of each pixel's n×n sample points inside the object, n = world.json `supersample`. */
export function objectCoverage(object: PlacedObject, spec: WorldSpec): Coverage {
  const { size, supersample: n } = spec;
  const reach = object.r * SHAPE_EXTENT + 1;
  const x0 = Math.max(0, Math.floor(object.cx - reach));
  const y0 = Math.max(0, Math.floor(object.cy - reach));
  const x1 = Math.min(size, Math.ceil(object.cx + reach));
  const y1 = Math.min(size, Math.ceil(object.cy + reach));
  const width = Math.max(0, x1 - x0);
  const height = Math.max(0, y1 - y0);
  const coverage = new Float32Array(width * height);
  const inside = INSIDE[object.class];
  const cos = Math.cos(object.angle);
  const sin = Math.sin(object.angle);
  const { cx, cy, r } = object;
  const samples = n * n;
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      let hits = 0;
      for (let sj = 0; sj < n; sj++) {
        const dy = y0 + j + (sj + 0.5) / n - cy;
        for (let si = 0; si < n; si++) {
          const dx = x0 + i + (si + 0.5) / n - cx;
          // The unit frame of WORLD.md: rotate by −angle, scale by 1/r.
          if (inside((dx * cos + dy * sin) / r, (-dx * sin + dy * cos) / r)) hits++;
        }
      }
      coverage[j * width + i] = hits / samples;
    }
  }
  return { x0, y0, width, height, coverage };
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}
