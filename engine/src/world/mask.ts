/**
 * Pixel sets of the detector (WORLD.md "The detector"): 8-connected regions, closing, hole filling. A
 * component's pixels are indices y·size + x of a size×size picture.
 */

/** A set of pixels with what the shape matcher needs of it. */
export interface Component {
  /** Pixel indices y·size + x. */
  pixels: number[];
  /** Membership, [size·size]. */
  mask: Uint8Array;
  /** Centroid, pixel (x, y) counting at its centre. */
  cx: number;
  cy: number;
  /** Bounding box, x1 and y1 exclusive. */
  box: { x0: number; y0: number; x1: number; y1: number };
}

export function describe(pixels: number[], size: number): Component {
  const mask = new Uint8Array(size * size);
  let sx = 0;
  let sy = 0;
  const box = { x0: size, y0: size, x1: 0, y1: 0 };
  for (const p of pixels) {
    const x = p % size;
    const y = (p - x) / size;
    mask[p] = 1;
    sx += x + 0.5;
    sy += y + 0.5;
    if (x < box.x0) box.x0 = x;
    if (y < box.y0) box.y0 = y;
    if (x >= box.x1) box.x1 = x + 1;
    if (y >= box.y1) box.y1 = y + 1;
  }
  return { pixels, mask, cx: sx / pixels.length, cy: sy / pixels.length, box };
}

/** 8-connected regions of the pixels where `inside` holds, in scan order of their first pixel. */
export function regions(size: number, inside: (p: number) => boolean): number[][] {
  const seen = new Uint8Array(size * size);
  const found: number[][] = [];
  for (let p = 0; p < size * size; p++) {
    if (seen[p] || !inside(p)) continue;
    seen[p] = 1;
    found.push(flood([p], size, (q) => !seen[q] && inside(q), seen));
  }
  return found;
}

/**
 * `start` and the pixels 8-connected to it through pixels where `accept` holds; each accepted pixel is
 * marked in `mark` (mark `start` beforehand).
 */
export function flood(
  start: readonly number[],
  size: number,
  accept: (q: number) => boolean,
  mark: Uint8Array,
): number[] {
  const pixels: number[] = [];
  const stack = [...start];
  while (stack.length > 0) {
    const p = stack.pop()!;
    pixels.push(p);
    const x = p % size;
    const y = (p - x) / size;
    for (let ny = Math.max(0, y - 1); ny <= Math.min(size - 1, y + 1); ny++)
      for (let nx = Math.max(0, x - 1); nx <= Math.min(size - 1, x + 1); nx++) {
        const q = ny * size + nx;
        if (accept(q)) {
          mark[q] = 1;
          stack.push(q);
        }
      }
  }
  return pixels;
}

/**
 * Morphological closing (dilation, then erosion) by a disc of `radius` pixels, distances measured with the
 * 3-4 chamfer metric; outside the picture counts as covered, so objects at the edge keep their pixels there.
 */
export function close(component: Component, size: number, radius: number): Component {
  const { box } = component;
  const x0 = Math.max(0, box.x0 - radius - 1);
  const y0 = Math.max(0, box.y0 - radius - 1);
  const w = Math.min(size, box.x1 + radius + 1) - x0;
  const h = Math.min(size, box.y1 + radius + 1) - y0;
  const reach = 3 * radius;
  // The region with a one-cell rim, row-major [(h + 2)·(w + 2)].
  const W = w + 2;
  const inPicture = (i: number, j: number) =>
    x0 + i - 1 >= 0 && y0 + j - 1 >= 0 && x0 + i - 1 < size && y0 + j - 1 < size;
  const toMask = new Float32Array(W * (h + 2)).fill(Infinity);
  for (let j = 1; j <= h; j++)
    for (let i = 1; i <= w; i++) if (component.mask[(y0 + j - 1) * size + x0 + i - 1]) toMask[j * W + i] = 0;
  chamfer(toMask, W, h + 2);
  // Distance to the nearest uncovered pixel: the rim inside the picture is uncovered, outside it is covered.
  const toGap = new Float32Array(W * (h + 2));
  for (let j = 0; j < h + 2; j++)
    for (let i = 0; i < W; i++) {
      const rim = i === 0 || j === 0 || i === W - 1 || j === h + 1;
      toGap[j * W + i] = rim ? (inPicture(i, j) ? 0 : Infinity) : toMask[j * W + i]! <= reach ? Infinity : 0;
    }
  chamfer(toGap, W, h + 2);
  const pixels: number[] = [];
  for (let j = 1; j <= h; j++)
    for (let i = 1; i <= w; i++) if (toGap[j * W + i]! > reach) pixels.push((y0 + j - 1) * size + x0 + i - 1);
  return describe(pixels, size);
}

/** In place: each cell's 3-4 chamfer distance to the nearest cell holding 0 (two raster sweeps). */
function chamfer(d: Float32Array, w: number, h: number): void {
  for (let j = 0; j < h; j++)
    for (let i = 0; i < w; i++) {
      const k = j * w + i;
      let v = d[k]!;
      if (i > 0) v = Math.min(v, d[k - 1]! + 3);
      if (j > 0) {
        v = Math.min(v, d[k - w]! + 3);
        if (i > 0) v = Math.min(v, d[k - w - 1]! + 4);
        if (i < w - 1) v = Math.min(v, d[k - w + 1]! + 4);
      }
      d[k] = v;
    }
  for (let j = h - 1; j >= 0; j--)
    for (let i = w - 1; i >= 0; i--) {
      const k = j * w + i;
      let v = d[k]!;
      if (i < w - 1) v = Math.min(v, d[k + 1]! + 3);
      if (j < h - 1) {
        v = Math.min(v, d[k + w]! + 3);
        if (i < w - 1) v = Math.min(v, d[k + w + 1]! + 4);
        if (i > 0) v = Math.min(v, d[k + w - 1]! + 4);
      }
      d[k] = v;
    }
}

/**
 * The component with its holes (the pixels it encloses, 4-connected) filled, and the largest hole whose
 * centroid lies within `offset` radii of the filled centroid, as a share of the filled area.
 */
export function fillHoles(
  component: Component,
  size: number,
  offset: number,
): { filled: Component; hole: number } {
  const { box, mask } = component;
  const x0 = Math.max(0, box.x0 - 1);
  const y0 = Math.max(0, box.y0 - 1);
  const x1 = Math.min(size, box.x1 + 1);
  const y1 = Math.min(size, box.y1 + 1);
  // Whatever the box's rim reaches without crossing the component is outside.
  const outside = new Uint8Array(size * size);
  const stack: number[] = [];
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) {
      const p = y * size + x;
      if ((x === x0 || y === y0 || x === x1 - 1 || y === y1 - 1) && !mask[p]) {
        outside[p] = 1;
        stack.push(p);
      }
    }
  while (stack.length > 0) {
    const p = stack.pop()!;
    const x = p % size;
    const y = (p - x) / size;
    const next = [
      x > x0 ? p - 1 : -1,
      x < x1 - 1 ? p + 1 : -1,
      y > y0 ? p - size : -1,
      y < y1 - 1 ? p + size : -1,
    ];
    for (const q of next)
      if (q >= 0 && !outside[q] && !mask[q]) {
        outside[q] = 1;
        stack.push(q);
      }
  }
  const enclosed = (p: number) => !mask[p] && !outside[p];
  const holes: number[] = [];
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) if (enclosed(y * size + x)) holes.push(y * size + x);
  if (holes.length === 0) return { filled: component, hole: 0 };
  const filled = describe([...component.pixels, ...holes], size);
  const radius = Math.sqrt(filled.pixels.length / Math.PI);
  const seen = new Uint8Array(size * size);
  let largest = 0;
  for (const start of holes) {
    if (seen[start]) continue;
    seen[start] = 1;
    const hole = describe(
      flood([start], size, (q) => !seen[q] && enclosed(q), seen),
      size,
    );
    if (Math.hypot(hole.cx - filled.cx, hole.cy - filled.cy) <= offset * radius)
      largest = Math.max(largest, hole.pixels.length);
  }
  return { filled, hole: largest / filled.pixels.length };
}
