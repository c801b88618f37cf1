/**
 * What the detector's tests share: scenes of one object of every class and colour, pictures of shapes that
 * are not the world's, and the bookkeeping of which true objects were found (recall, confusion).
 */
import { Rng } from '../generate/rng.js';
import type { RgbFrame } from '../api/index.js';
import { unitTemplate, type DetectedObject } from './detect.js';
import { renderFrame } from './render.js';
import { sampleBackground } from './sample.js';
import type { Background, Scene, SceneObject } from './scene.js';
import { SHAPE_EXTENT } from './shapes.js';
import type { WorldSpec } from './spec.js';

export const KINDS = ['plain', 'gradient', 'texture'] as const;

/** The true object's centroid (its shape's centroid, not its centre), as the detector reports it. */
export function trueCentroid(object: SceneObject): { cx: number; cy: number } {
  const t = unitTemplate(object.class);
  const cos = Math.cos(object.angle);
  const sin = Math.sin(object.angle);
  return {
    cx: object.cx + object.r * (t.cu * cos - t.cv * sin),
    cy: object.cy + object.r * (t.cu * sin + t.cv * cos),
  };
}

/**
 * One object of every class and colour (sizes in turn, so that each class and each colour comes in every
 * size), anywhere inside the picture, over a random background of the kinds in turn.
 */
export function singleObjectScenes(spec: WorldSpec, seed: number): Scene[] {
  const rng = new Rng(seed);
  const sizes = Object.values(spec.sizes);
  const scenes: Scene[] = [];
  for (const [i, shape] of spec.classes.entries())
    for (const [j, color] of Object.keys(spec.colors).entries()) {
      const r = sizes[(i + j) % sizes.length]! * spec.size;
      const reach = r * SHAPE_EXTENT + 1;
      const at = () => reach + rng.nextFloat() * (spec.size - 2 * reach);
      scenes.push({
        background: sampleBackground(rng, spec, KINDS[scenes.length % KINDS.length]),
        objects: [{ class: shape, color, cx: at(), cy: at(), r, angle: 0 }],
      });
    }
  return scenes;
}

/** Every background family in every kind, with no object. */
export function blankScenes(spec: WorldSpec, seed: number): Scene[] {
  const rng = new Rng(seed);
  return Object.keys(spec.backgrounds).flatMap((family) =>
    KINDS.map((kind): Scene => ({
      background: { ...sampleBackground(rng, spec, kind), family },
      objects: [],
    })),
  );
}

export interface Tally {
  objects: number;
  /** Found with their class and colour, centroid within the tolerance. */
  found: number;
  /** Per true class, the class of the detection nearest to it ('none' when nothing is near). */
  confusion: Record<string, Record<string, number>>;
  /** Detections with a class (not `unknown`) that no true object accounts for, nor is near. */
  spurious: number;
}

export const emptyTally = (): Tally => ({ objects: 0, found: 0, confusion: {}, spurious: 0 });

/** Adds one picture's detections to the tally. */
export function tallyPicture(
  tally: Tally,
  scene: Scene,
  found: readonly DetectedObject[],
  tolerance: number,
) {
  const left = [...found];
  for (const object of scene.objects) {
    tally.objects++;
    const { cx, cy } = trueCentroid(object);
    const far = (o: DetectedObject) => Math.hypot(o.cx - cx, o.cy - cy);
    const at = left.findIndex(
      (o) => o.class === object.class && o.color === object.color && far(o) <= tolerance,
    );
    if (at >= 0) tally.found++;
    const near = left.filter((o) => far(o) <= object.r).sort((a, b) => far(a) - far(b))[0];
    const row = (tally.confusion[object.class] ??= {});
    const seen = at >= 0 ? object.class : (near?.class ?? 'none');
    row[seen] = (row[seen] ?? 0) + 1;
    const used = at >= 0 ? at : near ? left.indexOf(near) : -1;
    if (used >= 0) left.splice(used, 1);
  }
  tally.spurious += left.filter((o) => o.class !== 'unknown').length;
}

/** Detections of another class than the truth's, as a share of the true objects. */
export function confusionRate(tally: Tally): number {
  let wrong = 0;
  for (const [truth, row] of Object.entries(tally.confusion))
    for (const [seen, n] of Object.entries(row))
      if (seen !== truth && seen !== 'none' && seen !== 'unknown') wrong += n;
  return wrong / tally.objects;
}

/** The confusion matrix as text, one line per true class. */
export function formatConfusion(tally: Tally, classes: readonly string[]): string {
  const columns = [...classes, 'unknown', 'none'];
  const head = `${'truth \\ seen'.padEnd(12)}${columns.map((c) => c.slice(0, 7).padStart(8)).join('')}`;
  const lines = classes.map(
    (truth) =>
      `${truth.padEnd(12)}${columns.map((c) => String(tally.confusion[truth]?.[c] ?? '·').padStart(8)).join('')}`,
  );
  return [head, ...lines].join('\n');
}

/** A picture with one shape that is none of the world's, painted in a palette colour over a background. */
export type OddShape = (rng: Rng) => (x: number, y: number) => boolean;

const centre = 64;

export const ODD_SHAPES: Record<string, OddShape> = {
  /** A random polygon of 6–10 corners at random distances: a lumpy blob. */
  polygon: (rng) => {
    const corners = 6 + Math.floor(rng.nextFloat() * 5);
    const reach = 14 + rng.nextFloat() * 12;
    const points = Array.from({ length: corners }, () => rng.nextFloat() * 2 * Math.PI)
      .sort((a, b) => a - b)
      .map((a) => {
        const d = reach * (0.35 + 0.65 * rng.nextFloat());
        return [centre + d * Math.cos(a), centre + d * Math.sin(a)] as const;
      });
    return (x, y) => {
      let inside = false;
      for (let a = 0, b = points.length - 1; a < points.length; b = a++) {
        const [xa, ya] = points[a]!;
        const [xb, yb] = points[b]!;
        if (ya > y !== yb > y && x < ((xb - xa) * (y - ya)) / (yb - ya) + xa) inside = !inside;
      }
      return inside;
    };
  },
  /** An ellipse 2.5–4.5 times as long as it is wide. */
  ellipse: (rng) => {
    const a = 20 + rng.nextFloat() * 10;
    const b = a / (2.5 + rng.nextFloat() * 2);
    const t = rng.nextFloat() * Math.PI;
    return (x, y) => {
      const u = (x - centre) * Math.cos(t) + (y - centre) * Math.sin(t);
      const v = -(x - centre) * Math.sin(t) + (y - centre) * Math.cos(t);
      return (u / a) ** 2 + (v / b) ** 2 <= 1;
    };
  },
  /** An L of three by one arms. */
  ell: (rng) => {
    const s = 10 + rng.nextFloat() * 10;
    const [x0, y0] = [44, 40];
    return (x, y) =>
      (x >= x0 && x < x0 + s && y >= y0 && y < y0 + 3 * s) ||
      (x >= x0 && x < x0 + 3 * s && y >= y0 + 2 * s && y < y0 + 3 * s);
  },
  /** Two discs, one on top of the other. */
  snowman: (rng) => {
    const r1 = 10 + rng.nextFloat() * 6;
    const r2 = r1 * (0.5 + 0.3 * rng.nextFloat());
    return (x, y) =>
      Math.hypot(x - centre, y - centre - 6) <= r1 ||
      Math.hypot(x - centre, y - centre - 6 + r1 + 0.8 * r2) <= r2;
  },
  /** A disc with a bite out of its side. */
  crescent: (rng) => {
    const r = 14 + rng.nextFloat() * 10;
    return (x, y) =>
      Math.hypot(x - centre, y - centre) <= r && Math.hypot(x - centre - 0.5 * r, y - centre) > 0.8 * r;
  },
};

/** The odd shape over a plain background of a random family, in a random palette colour (4×4 supersampled). */
export function oddPicture(rng: Rng, spec: WorldSpec, shape: OddShape): RgbFrame {
  const families = Object.keys(spec.backgrounds);
  const background: Background = {
    kind: 'plain',
    family: families[Math.floor(rng.nextFloat() * families.length)]!,
    angle: 0,
    fx: 0,
    fy: 0,
    phase: 0,
  };
  const frame = renderFrame({ background, objects: [] }, 0, spec);
  const colors = Object.values(spec.colors);
  const color = colors[Math.floor(rng.nextFloat() * colors.length)]!;
  const inside = shape(rng);
  for (let y = 0; y < spec.size; y++)
    for (let x = 0; x < spec.size; x++) {
      let hits = 0;
      for (let j = 0; j < 4; j++)
        for (let i = 0; i < 4; i++) if (inside(x + (i + 0.5) / 4, y + (j + 0.5) / 4)) hits++;
      if (hits === 0) continue;
      const at = (y * spec.size + x) * 3;
      for (let c = 0; c < 3; c++)
        frame.data[at + c] = Math.round(frame.data[at + c]! * (1 - hits / 16) + color[c]! * (hits / 16));
    }
  return frame;
}

/** Uniform random bytes: no background, no object. */
export function noisePicture(rng: Rng, size: number): RgbFrame {
  const data = new Uint8Array(size * size * 3);
  for (let k = 0; k < data.length; k++) data[k] = Math.floor(rng.nextFloat() * 256);
  return { width: size, height: size, data };
}
