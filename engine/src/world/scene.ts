/**
 * A scene of the nano world (WORLD.md "Scenes") and where its objects are at frame t ("Objects at frame t").
 * Names (colours, background families, classes) are checked against world.json by `checkScene`.
 */
import { z } from 'zod';
import { EngineError } from '../api/index.js';
import { ShapeClass, type WorldSpec } from './spec.js';

export const Motion = z.object({
  /** A motion word of world.json `motions`; only `bouncing` changes how the centre moves. */
  kind: z.string(),
  vx: z.number().default(0),
  vy: z.number().default(0),
  /** Radians per frame. */
  spin: z.number().default(0),
  /** Relative radius change per frame. */
  grow: z.number().default(0),
});
export type Motion = z.infer<typeof Motion>;

export const SceneObject = z.object({
  class: ShapeClass,
  color: z.string(),
  cx: z.number(),
  cy: z.number(),
  r: z.number().positive(),
  angle: z.number().default(0),
  motion: Motion.optional(),
});
export type SceneObject = z.infer<typeof SceneObject>;

export const Background = z.object({
  kind: z.enum(['plain', 'gradient', 'texture']),
  family: z.string(),
  /** Gradient direction in radians. */
  angle: z.number().default(0),
  /** Texture periods across the image, integers in world.json `texture.periods`. */
  fx: z.number().int().default(0),
  fy: z.number().int().default(0),
  phase: z.number().default(0),
});
export type Background = z.infer<typeof Background>;

export const Scene = z.object({ background: Background, objects: z.array(SceneObject) });
export type Scene = z.infer<typeof Scene>;

/** Throws one line naming `label` and the first name world.json does not know. */
export function checkScene(scene: Scene, spec: WorldSpec, label: string): Scene {
  const fail = (problem: string) => {
    throw new EngineError('invalid_file', `${label}: ${problem}`);
  };
  if (!(scene.background.family in spec.backgrounds))
    fail(`unknown background family ${JSON.stringify(scene.background.family)}`);
  scene.objects.forEach((object, i) => {
    if (!(object.color in spec.colors)) fail(`objects.${i}: unknown colour ${JSON.stringify(object.color)}`);
    if (!spec.classes.includes(object.class))
      fail(`objects.${i}: class ${object.class} is not in this world`);
  });
  return scene;
}

/** An object as drawn at one frame: centre, radius and angle resolved. */
export interface PlacedObject {
  class: ShapeClass;
  color: string;
  cx: number;
  cy: number;
  r: number;
  angle: number;
}

/** The object at frame t: linear motion, spin and growth; `bouncing` reflects the centre off the walls. */
export function objectAt(object: SceneObject, t: number, size: number): PlacedObject {
  const motion = object.motion ?? { kind: 'still', vx: 0, vy: 0, spin: 0, grow: 0 };
  const r = object.r * (1 + motion.grow * t);
  let cx = object.cx + motion.vx * t;
  let cy = object.cy + motion.vy * t;
  if (motion.kind === 'bouncing') {
    cx = reflect(cx, r, size - r);
    cy = reflect(cy, r, size - r);
  }
  return { class: object.class, color: object.color, cx, cy, r, angle: object.angle + motion.spin * t };
}

/** Folds a free position into [lo, hi] as a ball bouncing between two walls: lo + L − |((p − lo) mod 2L) − L|. */
export function reflect(p: number, lo: number, hi: number): number {
  const span = hi - lo;
  if (span <= 0) return (lo + hi) / 2;
  return lo + span - Math.abs(positiveMod(p - lo, 2 * span) - span);
}

/** `a mod m` in [0, m), as WORLD.md's "mod with a non-negative result". */
export function positiveMod(a: number, m: number): number {
  return ((a % m) + m) % m;
}

/** Every object of the scene at frame t, in drawing order. */
export function sceneAt(scene: Scene, t: number, size: number): PlacedObject[] {
  return scene.objects.map((object) => objectAt(object, t, size));
}
