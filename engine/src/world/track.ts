/**
 * Following one object through a video of the nano world: its centroid frame by frame, the direction it
 * moved (WORLD.md "Words": from the centre's displacement), whether it stayed the same object, and whether
 * it did what a motion word says.
 */
import type { RgbFrame } from '../api/index.js';
import { detectObjects, type DetectedObject } from './detect.js';
import { directionOf, isDirection, type MeasuredDirection } from './directions.js';
import type { ShapeClass, WorldSpec } from './spec.js';

/** A centroid that moved less than this many pixels did not move (WORLD.md: directions from displacement). */
export const MIN_DISPLACEMENT = 4;
/** Area ratios, last frame over first, that count as growing or shrinking. */
const GROWN = 1.2;
const SHRUNK = 0.8;

export interface Subject {
  class?: ShapeClass;
  color?: string;
}

export interface Track {
  /** The subject in each frame, or null where it was not found. */
  frames: (DetectedObject | null)[];
  /** Whether the templates were tried at every angle (the subject rotates). */
  rotations: boolean;
}

/**
 * Follows the subject: in the first frame the largest object with the wished class and colour (else the
 * wished colour, else the largest object); then in each frame the object of that colour nearest to where it
 * was last seen.
 */
export function trackSubject(
  frames: readonly RgbFrame[],
  spec: WorldSpec,
  wish: Subject = {},
  options: { rotations?: boolean } = {},
): Track {
  const rotations = options.rotations ?? false;
  const detections = frames.map((frame) => detectObjects(frame, spec, { rotations }));
  const first = detections[0] ?? [];
  const start =
    first.find((o) => o.class === wish.class && o.color === wish.color) ??
    first.find((o) => wish.color !== undefined && o.color === wish.color) ??
    (wish.color === undefined ? first[0] : undefined);
  if (!start) return { frames: frames.map(() => null), rotations };
  let last = start;
  const followed = detections.map((objects, t) => {
    if (t === 0) return start;
    const near = objects
      .filter((o) => o.color === start.color)
      .sort((a, b) => distance(a, last) - distance(b, last))[0];
    if (near) last = near;
    return near ?? null;
  });
  return { frames: followed, rotations };
}

function distance(a: { cx: number; cy: number }, b: { cx: number; cy: number }): number {
  return Math.hypot(a.cx - b.cx, a.cy - b.cy);
}

function found(track: Track): DetectedObject[] {
  return track.frames.filter((o): o is DetectedObject => o !== null);
}

/** The direction from the first to the last frame the subject was seen in; `none` if it barely moved. */
export function trackDirection(track: Track): MeasuredDirection {
  const seen = found(track);
  if (seen.length < 2) return 'none';
  const [a, b] = [seen[0]!, seen[seen.length - 1]!];
  return directionOf(b.cx - a.cx, b.cy - a.cy, MIN_DISPLACEMENT);
}

/**
 * The fraction of frames whose subject has frame 0's class and colour (a lost subject does not match). When
 * the subject rotates, a square and a diamond are one shape.
 */
export function subjectConsistency(track: Track): number {
  const start = track.frames[0];
  if (!start) return 0;
  const same = track.frames.filter(
    (o) => o !== null && o.color === start.color && sameShape(o.class, start.class, track.rotations),
  );
  return same.length / track.frames.length;
}

function sameShape(a: string, b: string, rotations: boolean): boolean {
  const turned = (name: string) => (rotations && name === 'diamond' ? 'square' : name);
  return turned(a) === turned(b);
}

/**
 * Whether the track shows `motion` (a world.json motion word, or `still`): a direction word needs that
 * direction; `rotating` and `still` no displacement; `growing`/`shrinking` no displacement and the area
 * changing by a fifth or more; `bouncing` a path of some length (its net displacement may be anything).
 */
export function showsMotion(track: Track, motion: string): boolean {
  const direction = trackDirection(track);
  if (isDirection(motion)) return direction === motion;
  const seen = found(track);
  if (seen.length < 2) return false;
  switch (motion) {
    case 'still':
    case 'rotating':
      return direction === 'none';
    case 'growing':
    case 'shrinking': {
      const ratio = seen[seen.length - 1]!.area / seen[0]!.area;
      return direction === 'none' && (motion === 'growing' ? ratio >= GROWN : ratio <= SHRUNK);
    }
    case 'bouncing': {
      let path = 0;
      for (let k = 1; k < seen.length; k++) path += distance(seen[k]!, seen[k - 1]!);
      return path >= 2 * MIN_DISPLACEMENT;
    }
    default:
      return false;
  }
}

/** The measured direction, for reports: a direction word, `none`, or `lost` when the subject was never found. */
export function describeTrack(track: Track): MeasuredDirection | 'lost' {
  return track.frames[0] ? trackDirection(track) : 'lost';
}
