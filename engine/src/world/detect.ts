/**
 * The nano world's object detector (WORLD.md "The detector"), made to read soft pictures as well as exact
 * renders: the background is fitted per picture; pixels clearly off it seed objects; a seed's colour is the
 * median of its core, named by the nearest palette colour (allowing for a blend with the background); its
 * pixels are those at least half way from the background to that colour; its shape is the best of each
 * class's sharp and blurred templates by IoU, a round outline around a central hole being a ring.
 */
import { InternalError, type RgbFrame } from '../api/index.js';
import { fitBackground } from './background.js';
import { close, describe, fillHoles, flood, regions, type Component } from './mask.js';
import { classify, type Match } from './match.js';
import { loadWorldSpec, type ShapeClass, type WorldSpec } from './spec.js';

export { unitTemplate } from './match.js';

export interface DetectedObject {
  /** `unknown` when no template reaches world.json `detector.minIoU`. */
  class: ShapeClass | 'unknown';
  color: string;
  /** Centroid in pixels (pixel (x, y) counts at its centre x + 0.5, y + 0.5, as scenes do). */
  cx: number;
  cy: number;
  area: number;
  /** The best template's IoU with the component (holes filled). */
  iou: number;
  /** The best template's angle in radians (0 unless rotations were tried). */
  angle: number;
}

export interface DetectOptions {
  /**
   * Also try template angles every ~6° within each class's symmetry period (videos with `rotating`). A square
   * turned 45° is a diamond, so with rotations the two names are interchangeable.
   */
  rotations?: boolean;
}

/** The share of the pixels the background model must explain (else the picture has no world background). */
const MIN_BACKGROUND = 0.4;
/** Pixels at least this far (RGB Euclidean) from the background seed objects. */
const SEED_DISTANCE = 22;
/** A seed's colour is the median of its pixels at least this share of its 90th-percentile distance away. */
const CORE_FRACTION = 0.8;
/** Seeds whose 90th-percentile distance is under this are halos and seams, not objects. */
const MIN_CONTRAST = 35;
/** A colour may be named from a blend of the palette colour and the background down to this share. */
const BLEND_MIN = 0.8;
/** The largest share of the picture one object may cover. */
const MAX_AREA = 0.25;
/** A hole of at least this share of the filled area, near its middle (HOLE_OFFSET radii), makes a ring. */
const RING_HOLE = 0.04;
const HOLE_OFFSET = 0.35;
/**
 * Closings that mend a ring's faint stretches, in radii of the filled component, tried in turn when no
 * template reaches EXPLAINED on the component closed by one pixel.
 */
const RING_CLOSINGS = [0.1, 0.2, 0.3, 0.4];
const EXPLAINED = 0.95;

/** Objects of a world-sized frame, largest first. */
export function detectObjects(
  frame: RgbFrame,
  spec: WorldSpec = loadWorldSpec(),
  options: DetectOptions = {},
): DetectedObject[] {
  const { size } = spec;
  if (frame.width !== size || frame.height !== size)
    throw new InternalError(
      `detectObjects: a ${frame.width}×${frame.height} frame, the world is ${size}×${size}`,
    );
  const { colors: bg, inliers } = fitBackground(frame, spec.texture.periods);
  if (inliers < MIN_BACKGROUND) return [];
  const { data } = frame;
  const count = size * size;
  const distance = new Float32Array(count);
  for (let p = 0; p < count; p++) {
    const r = data[p * 3]! - bg[p * 3]!;
    const g = data[p * 3 + 1]! - bg[p * 3 + 1]!;
    const b = data[p * 3 + 2]! - bg[p * 3 + 2]!;
    distance[p] = Math.sqrt(r * r + g * g + b * b);
  }
  const palette = Object.entries(spec.colors);
  const found: DetectedObject[] = [];
  const taken = new Uint8Array(count);
  for (const seed of regions(size, (p) => distance[p]! >= SEED_DISTANCE)) {
    if (seed.some((p) => taken[p])) continue;
    const { color, contrast } = coreColor(seed, distance, data);
    if (contrast < MIN_CONTRAST) continue;
    const backdrop = [0, 1, 2].map((c) => seed.reduce((sum, p) => sum + bg[p * 3 + c]!, 0) / seed.length);
    const named = nameColor(color, backdrop, palette);
    if (named.distance >= spec.detector.colorDistance) continue;
    const half = halfWay(color, bg, data);
    const start = seed.filter(half);
    for (const p of start) taken[p] = 1;
    const pixels = flood(start, size, (q) => !taken[q] && half(q), taken);
    if (pixels.length < spec.detector.minArea || pixels.length > MAX_AREA * count) continue;
    const component = describe(pixels, size);
    const best = shapeOf(component, size, spec.classes, options.rotations ?? false);
    found.push({
      class: best.iou >= spec.detector.minIoU ? best.class : ('unknown' as const),
      color: named.name,
      cx: component.cx,
      cy: component.cy,
      area: pixels.length,
      iou: best.iou,
      angle: best.angle,
    });
  }
  return found.sort((a, b) => b.area - a.area);
}

/**
 * The best template for the component closed by one pixel, holes filled, over every class but the ring (a
 * filled ring is a circle). It is a ring when a closing of the component has a central hole and, filled,
 * matches the circle best: the one-pixel closing, or (when no template explains that well) wider ones that
 * mend faint stretches of the outline.
 */
function shapeOf(
  component: Component,
  size: number,
  classes: readonly ShapeClass[],
  rotations: boolean,
): Match {
  const rings = classes.includes('ring') && classes.includes('circle');
  const solid = rings ? classes.filter((c) => c !== 'ring') : classes;
  const closed = fillHoles(close(component, size, 1), size, HOLE_OFFSET);
  const best = classify(closed.filled, size, solid, rotations);
  const ringIf = (match: Match): Match => (match.class === 'circle' ? { ...match, class: 'ring' } : best);
  if (!rings) return best;
  if (closed.hole >= RING_HOLE) return ringIf(best);
  if (best.iou >= EXPLAINED) return best;
  const radius = Math.sqrt(closed.filled.pixels.length / Math.PI);
  for (const closing of RING_CLOSINGS) {
    const mended = fillHoles(
      close(component, size, Math.max(1, Math.round(closing * radius))),
      size,
      HOLE_OFFSET,
    );
    if (mended.hole >= RING_HOLE) return ringIf(classify(mended.filled, size, solid, rotations));
  }
  return best;
}

/**
 * Per-channel median of the pixels farthest from the background (at least CORE_FRACTION of the 90th
 * percentile of their distances), and that percentile: how far the object stands out.
 */
function coreColor(
  pixels: number[],
  distance: Float32Array,
  data: Uint8Array,
): { color: number[]; contrast: number } {
  const far = pixels.map((p) => distance[p]!).sort((a, b) => a - b);
  const contrast = far[Math.floor(0.9 * (far.length - 1))]!;
  const core = pixels.filter((p) => distance[p]! >= CORE_FRACTION * contrast);
  const color = [0, 1, 2].map((c) => median(core.map((p) => data[p * 3 + c]!)));
  return { color, contrast };
}

/**
 * The palette colour nearest to `color`, each palette colour standing for the segment of its blends with the
 * backdrop from BLEND_MIN to 1 (a thin or small object's core is partly background).
 */
function nameColor(
  color: readonly number[],
  backdrop: readonly number[],
  palette: readonly [string, readonly number[]][],
): { name: string; distance: number } {
  let best = { name: '', distance: Infinity };
  for (const [name, c] of palette) {
    let dot = 0;
    let norm = 0;
    for (let k = 0; k < 3; k++) {
      dot += (color[k]! - backdrop[k]!) * (c[k]! - backdrop[k]!);
      norm += (c[k]! - backdrop[k]!) ** 2;
    }
    const share = Math.min(1, Math.max(BLEND_MIN, norm > 0 ? dot / norm : 1));
    let squared = 0;
    for (let k = 0; k < 3; k++) squared += (color[k]! - backdrop[k]! - share * (c[k]! - backdrop[k]!)) ** 2;
    if (Math.sqrt(squared) < best.distance) best = { name, distance: Math.sqrt(squared) };
  }
  return best;
}

/**
 * Whether a pixel is at least half way from the background to `color` along the line between them: its
 * coverage at least ½, were the picture a blend of the two.
 */
function halfWay(color: readonly number[], bg: Float32Array, data: Uint8Array): (p: number) => boolean {
  return (p) => {
    let dot = 0;
    let norm = 0;
    for (let c = 0; c < 3; c++) {
      const toward = color[c]! - bg[p * 3 + c]!;
      dot += (data[p * 3 + c]! - bg[p * 3 + c]!) * toward;
      norm += toward * toward;
    }
    return dot >= 0.5 * norm;
  };
}

function median(values: number[]): number {
  values.sort((a, b) => a - b);
  const mid = values.length >> 1;
  return values.length % 2 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
}
