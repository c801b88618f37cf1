/**
 * The eight shapes in their unit frame (WORLD.md "Rendering"): u right, v down, radius 1. The renderer and the
 * detector's templates both test points with these, so a shape can only be drawn one way.
 */
import type { ShapeClass } from './spec.js';

export type InsideTest = (u: number, v: number) => boolean;

const SQRT3 = Math.sqrt(3);
const STAR_SECTOR = (2 * Math.PI) / 5;
const STAR_HALF = Math.PI / 5;
// The star's edge runs from the tip T = (1, 0) to the inner corner I = 0.45·(cos π/5, sin π/5).
const STAR_EDGE_X = 0.45 * Math.cos(Math.PI / 5) - 1; // (I − T).x
const STAR_EDGE_Y = 0.45 * Math.sin(Math.PI / 5); // (I − T).y
const RING_INNER = 0.55 * 0.55;

export const INSIDE: Readonly<Record<ShapeClass, InsideTest>> = {
  circle: (u, v) => u * u + v * v <= 1,
  square: (u, v) => Math.max(Math.abs(u), Math.abs(v)) <= 0.8,
  diamond: (u, v) => Math.abs(u) + Math.abs(v) <= 1,
  triangle: (u, v) => v >= -1 && v <= 0.5 && Math.abs(u) <= (v + 1) / SQRT3,
  ring: (u, v) => {
    const d = u * u + v * v;
    return d >= RING_INNER && d <= 1;
  },
  cross: (u, v) => {
    const au = Math.abs(u);
    const av = Math.abs(v);
    return (au <= 0.3 && av <= 0.9) || (av <= 0.3 && au <= 0.9);
  },
  star: (u, v) => {
    const rho = Math.sqrt(u * u + v * v);
    const phi = Math.atan2(u, -v); // 0 at the top point
    const a = Math.abs(((((phi + STAR_HALF) % STAR_SECTOR) + STAR_SECTOR) % STAR_SECTOR) - STAR_HALF);
    // (I − T) × (P − T) ≥ 0: P on the origin's side of the edge.
    const px = rho * Math.cos(a) - 1;
    const py = rho * Math.sin(a);
    return STAR_EDGE_X * py - STAR_EDGE_Y * px >= 0;
  },
  heart: (u, v) => {
    const x = 1.15 * u;
    const y = -1.15 * v + 0.15;
    const q = x * x + y * y - 1;
    return q * q * q - x * x * y * y * y <= 0;
  },
};

/**
 * No shape reaches farther than this from its centre, in radii (the square's corner is 0.8·√2 ≈ 1.13, the
 * heart's lobes ≈ 1.14); the renderer visits only pixels within it.
 */
export const SHAPE_EXTENT = 1.2;

/**
 * Rotations that leave each shape unchanged, in radians: the detector only needs template angles within one
 * period. The heart has none but the full turn; the circle and the ring look the same at every angle (0).
 */
export const SYMMETRY_PERIOD: Readonly<Record<ShapeClass, number>> = {
  circle: 0,
  ring: 0,
  square: Math.PI / 2,
  diamond: Math.PI / 2,
  cross: Math.PI / 2,
  star: (2 * Math.PI) / 5,
  triangle: (2 * Math.PI) / 3,
  heart: 2 * Math.PI,
};

/** Converts a point to the unit frame of a shape at (cx, cy), radius r, rotated by angle (y down). */
export function toUnitFrame(
  px: number,
  py: number,
  shape: { cx: number; cy: number; r: number; cos: number; sin: number },
): [number, number] {
  const dx = px - shape.cx;
  const dy = py - shape.cy;
  return [(dx * shape.cos + dy * shape.sin) / shape.r, (-dx * shape.sin + dy * shape.cos) / shape.r];
}
