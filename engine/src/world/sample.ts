/**
 * Scenes drawn at random: the ground truth a prompt describes (the "detector ceiling" of `emu3 eval shapes`),
 * scenes of a moving object (the ceiling of `emu3 eval video`), and varied scenes for testing the detector.
 * Objects never overlap and never leave the image, so the detector can in principle find every one.
 */
import { EngineError } from '../api/index.js';
import { directionVector, isDirection } from './directions.js';
import { relationHolds, type GenevalPrompt } from './geneval.js';
import type { Background, Motion, Scene, SceneObject } from './scene.js';
import { SHAPE_EXTENT } from './shapes.js';
import { relationMarginPx, type Relation, type ShapeClass, type WorldSpec } from './spec.js';

/**
 * The random stream scenes are drawn from. Only uniform floats in [0, 1) are needed, so the world kit states
 * that much itself and stays below generation; the seeded `Rng` of generate/rng.ts fits it.
 */
export interface Rng {
  nextFloat(): number;
}

const PLACEMENT_TRIES = 2000;
/** Pixels kept free between the reach of two objects, so same-coloured ones never merge into one component. */
const GAP = 3;
/** Relations are drawn with this much more than the margin, so a ceiling is not lost to a centroid's wobble. */
const RELATION_SLACK = 1.5;

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng.nextFloat() * items.length)]!;
}

function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.nextFloat();
}

export function sampleBackground(rng: Rng, spec: WorldSpec, kind?: Background['kind']): Background {
  const [lo, hi] = spec.texture.periods;
  const period = () => lo + Math.floor(rng.nextFloat() * (hi - lo + 1));
  return {
    kind: kind ?? pick(rng, ['plain', 'gradient', 'texture'] as const),
    family: pick(rng, Object.keys(spec.backgrounds)),
    angle: uniform(rng, 0, 2 * Math.PI),
    fx: period(),
    fy: period(),
    phase: uniform(rng, 0, 2 * Math.PI),
  };
}

/** What one object must be; what is left out is drawn at random. */
export interface ObjectWish {
  class: ShapeClass;
  color?: string;
  size?: string;
}

/** An object must stand in `relation` to object `to` (indexes into the wishes). */
export interface RelationWish {
  from: number;
  relation: Relation;
  to: number;
}

/**
 * Places the wished objects without overlap, with every relation holding by more than the margin. Sizes are
 * drawn from world.json `sizes`; after many failed layouts only the smallest size is drawn, so crowded
 * scenes still fit.
 */
export function placeObjects(
  rng: Rng,
  spec: WorldSpec,
  wishes: readonly ObjectWish[],
  relations: readonly RelationWish[] = [],
): SceneObject[] {
  const sizeNames = Object.keys(spec.sizes);
  const smallest = sizeNames.reduce((a, b) => (spec.sizes[a]! <= spec.sizes[b]! ? a : b));
  const margin = relationMarginPx(spec) * RELATION_SLACK;
  for (let attempt = 0; attempt < PLACEMENT_TRIES; attempt++) {
    const crowded = attempt > PLACEMENT_TRIES / 2;
    const placed: SceneObject[] = [];
    for (const wish of wishes) {
      const size = wish.size ?? (crowded ? smallest : pick(rng, sizeNames));
      const r = spec.sizes[size]! * spec.size;
      const reach = r * SHAPE_EXTENT + 1;
      const object: SceneObject = {
        class: wish.class,
        color: wish.color ?? pick(rng, Object.keys(spec.colors)),
        cx: uniform(rng, reach, spec.size - reach),
        cy: uniform(rng, reach, spec.size - reach),
        r,
        angle: 0,
      };
      if (placed.some((other) => tooClose(object, other))) break;
      placed.push(object);
    }
    if (placed.length < wishes.length) continue;
    if (
      relations.every(({ from, relation, to }) => relationHolds(placed[from]!, placed[to]!, relation, margin))
    )
      return placed;
  }
  throw new EngineError('bad_request', `cannot place ${wishes.length} objects in a ${spec.size}-pixel image`);
}

function tooClose(a: SceneObject, b: SceneObject): boolean {
  return Math.hypot(a.cx - b.cx, a.cy - b.cy) < (a.r + b.r) * SHAPE_EXTENT + GAP;
}

/** A scene that satisfies a GenEval prompt: its include entries and nothing else (so every exclusion holds). */
export function sceneForPrompt(rng: Rng, spec: WorldSpec, prompt: GenevalPrompt): Scene {
  const wishes: ObjectWish[] = [];
  const firstOfEntry: number[] = [];
  const relations: RelationWish[] = [];
  prompt.include.forEach((entry) => {
    firstOfEntry.push(wishes.length);
    for (let k = 0; k < entry.count; k++) {
      if (entry.position) {
        const target = prompt.include[entry.position[1]]!;
        for (let m = 0; m < target.count; m++)
          relations.push({
            from: wishes.length,
            relation: entry.position[0],
            to: firstOfEntry[entry.position[1]]! + m,
          });
      }
      wishes.push({ class: entry.class, ...(entry.color ? { color: entry.color } : {}) });
    }
  });
  return { background: sampleBackground(rng, spec), objects: placeObjects(rng, spec, wishes, relations) };
}

/** 1…maxObjects objects of random classes and colours, for testing the detector. */
export function sampleScene(rng: Rng, spec: WorldSpec, maxObjects = 4, kind?: Background['kind']): Scene {
  const count = 1 + Math.floor(rng.nextFloat() * maxObjects);
  const wishes = Array.from({ length: count }, () => ({ class: pick(rng, spec.classes) }));
  return { background: sampleBackground(rng, spec, kind), objects: placeObjects(rng, spec, wishes) };
}

/** Per-frame spin (radians) and growth (relative radius) of the non-translating motions. */
const SPIN = [0.1, 0.2];
const GROWTH = 0.03;

/**
 * A scene of one object doing `motion` (a world.json motion word) over the world's video frames, staying
 * inside the image throughout (except `bouncing`, which reflects off the walls by construction).
 */
export function sampleMotionScene(
  rng: Rng,
  spec: WorldSpec,
  wish: ObjectWish & { motion: string },
  frames = spec.video.frames,
): Scene {
  const speed = uniform(rng, spec.speed[0], spec.speed[1]);
  const last = frames - 1;
  const motion: Motion = { kind: wish.motion, vx: 0, vy: 0, spin: 0, grow: 0 };
  if (isDirection(wish.motion)) {
    const { dx, dy } = directionVector(wish.motion);
    Object.assign(motion, { vx: dx * speed, vy: dy * speed });
  } else if (wish.motion === 'bouncing') {
    const heading = uniform(rng, 0, 2 * Math.PI);
    Object.assign(motion, { vx: Math.cos(heading) * speed * 2, vy: Math.sin(heading) * speed * 2 });
  } else if (wish.motion === 'rotating')
    motion.spin = uniform(rng, SPIN[0]!, SPIN[1]!) * (rng.nextFloat() < 0.5 ? -1 : 1);
  else if (wish.motion === 'growing') motion.grow = GROWTH;
  else if (wish.motion === 'shrinking') motion.grow = -GROWTH;
  else throw new EngineError('bad_request', `unknown motion ${JSON.stringify(wish.motion)}`);
  const size = wish.size ?? 'medium';
  if (!(size in spec.sizes)) throw new EngineError('bad_request', `unknown size ${JSON.stringify(size)}`);
  const r = spec.sizes[size]! * spec.size;
  const reach = r * Math.max(1, 1 + motion.grow * last) * SHAPE_EXTENT + 1;
  // The centre's range at frame 0 that keeps it inside at the last frame too.
  const range = (v: number): [number, number] => {
    if (motion.kind === 'bouncing') return [reach, spec.size - reach];
    return [Math.max(reach, reach - v * last), Math.min(spec.size - reach, spec.size - reach - v * last)];
  };
  const [x0, x1] = range(motion.vx);
  const [y0, y1] = range(motion.vy);
  if (x0 > x1 || y0 > y1)
    throw new EngineError('bad_request', `a ${size} object cannot move ${wish.motion} for ${frames} frames`);
  const object: SceneObject = {
    class: wish.class,
    color: wish.color ?? pick(rng, Object.keys(spec.colors)),
    cx: uniform(rng, x0, x1),
    cy: uniform(rng, y0, y1),
    r,
    angle: 0,
    motion,
  };
  return { background: sampleBackground(rng, spec), objects: [object] };
}
