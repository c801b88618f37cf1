/** The eight motion directions of the world's words (WORLD.md "Words"), to and from displacements (y down). */

export const DIRECTIONS = [
  'right',
  'up right',
  'up',
  'up left',
  'left',
  'down left',
  'down',
  'down right',
] as const;
export type Direction = (typeof DIRECTIONS)[number];
/** What a track that barely moved is called. */
export type MeasuredDirection = Direction | 'none';

export function isDirection(word: string): word is Direction {
  return (DIRECTIONS as readonly string[]).includes(word);
}

/** The unit displacement of a direction word, in image coordinates (y down). */
export function directionVector(direction: Direction): { dx: number; dy: number } {
  const angle = (DIRECTIONS.indexOf(direction) * Math.PI) / 4; // counter-clockwise from right, y up
  return { dx: Math.cos(angle), dy: -Math.sin(angle) };
}

/**
 * The direction of a displacement: the nearest of the eight 45° sectors, or `none` when it is shorter than
 * `minDisplacement` pixels.
 */
export function directionOf(dx: number, dy: number, minDisplacement: number): MeasuredDirection {
  if (Math.hypot(dx, dy) < minDisplacement) return 'none';
  const angle = Math.atan2(-dy, dx); // y up, so "up" is +90°
  const sector = ((Math.round(angle / (Math.PI / 4)) % 8) + 8) % 8;
  return DIRECTIONS[sector]!;
}
