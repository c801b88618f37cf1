/**
 * Shape classification of a detected component (WORLD.md "The detector", step 5): IoU of the component's
 * mask with each class's template, sharp and blurred by a few amounts, placed on the component's centroid at
 * the radius that gives its area. A blurred template is the shape's coverage smoothed by a Gaussian of σ = a
 * fraction of the radius and cut at one half, which is what a soft picture's object mask looks like: corners
 * rounded, tips shortened, notches filled.
 *
 * Templates are bitmaps of each shape's unit frame, made once, so trying many classes, blurs and angles costs
 * a multiply and an array read per pixel.
 */
import { INSIDE, SHAPE_EXTENT, SYMMETRY_PERIOD } from './shapes.js';
import type { Component } from './mask.js';
import type { ShapeClass } from './spec.js';

export interface Match {
  class: ShapeClass;
  iou: number;
  angle: number;
  /** The template's blur, σ in pixels. */
  blur: number;
}

const ANGLE_STEP = (6 * Math.PI) / 180;
/** Blurs tried, σ in pixels. */
const BLURS = [0, 1, 2, 3];
/** Blurred templates exist for σ/r in steps of this, up to MAX_BLUR (beyond it every shape is a blob). */
const BLUR_STEP = 0.02;
const MAX_BLUR = 0.4;

/**
 * The class, blur and angle whose template overlaps the component best. Blurs are tried in increasing order
 * until the IoU stops rising; with rotations, the angle is found first with a slightly blurred template.
 */
export function classify(
  component: Component,
  size: number,
  classes: readonly ShapeClass[],
  rotations: boolean,
): Match {
  let best: Match = { class: classes[0]!, iou: -1, angle: 0, blur: 0 };
  const radius = Math.sqrt(component.pixels.length / Math.PI);
  const template = (shape: ShapeClass, blur: number) => blurredTemplate(shape, blur / radius);
  for (const shape of classes) {
    let angle = 0;
    const period = SYMMETRY_PERIOD[shape];
    const steps = rotations && period > 0 ? Math.max(1, Math.round(period / ANGLE_STEP)) : 1;
    if (steps > 1) {
      let top = -1;
      const probe = template(shape, BLURS[1]!);
      for (let k = 0; k < steps; k++) {
        const iou = templateIoU(component, probe, (k * period) / steps, size);
        if (iou > top) [top, angle] = [iou, (k * period) / steps];
      }
    }
    let mine: Match = { class: shape, iou: -1, angle, blur: 0 };
    for (const blur of BLURS) {
      const iou = templateIoU(component, template(shape, blur), angle, size);
      if (iou <= mine.iou) break; // the overlap rises with the blur up to the picture's own, then falls
      mine = { ...mine, iou, blur };
    }
    if (mine.iou > best.iou) best = mine;
  }
  return best;
}

/** IoU of the component's mask with the template at `angle`, its centroid on the component's. */
function templateIoU(component: Component, template: UnitTemplate, angle: number, size: number): number {
  const area = component.pixels.length;
  const r = Math.sqrt(area / template.area);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  // The shape's centre sits so that its own centroid (offset cu, cv in the unit frame) lands on the component's.
  const cx = component.cx - r * (template.cu * cos - template.cv * sin);
  const cy = component.cy - r * (template.cu * sin + template.cv * cos);
  const reach = r * SHAPE_EXTENT + 1;
  const x0 = Math.max(0, Math.min(component.box.x0, Math.floor(cx - reach)));
  const y0 = Math.max(0, Math.min(component.box.y0, Math.floor(cy - reach)));
  const x1 = Math.min(size, Math.max(component.box.x1, Math.ceil(cx + reach)));
  const y1 = Math.min(size, Math.max(component.box.y1, Math.ceil(cy + reach)));
  const { bitmap, resolution } = template;
  const cells = resolution / (2 * SHAPE_EXTENT); // bitmap cells per unit
  // Cell coordinates (i, j) are affine in x: step them along each row.
  const di = (cos * cells) / r;
  const dj = (-sin * cells) / r;
  let both = 0;
  let templateArea = 0;
  for (let y = y0; y < y1; y++) {
    const dy = y + 0.5 - cy;
    const dx = x0 + 0.5 - cx;
    let fi = ((dx * cos + dy * sin) / r + SHAPE_EXTENT) * cells;
    let fj = ((-dx * sin + dy * cos) / r + SHAPE_EXTENT) * cells;
    for (let x = x0; x < x1; x++, fi += di, fj += dj) {
      const i = Math.floor(fi);
      const j = Math.floor(fj);
      if (i < 0 || j < 0 || i >= resolution || j >= resolution || !bitmap[j * resolution + i]) continue;
      templateArea++;
      if (component.mask[y * size + x]) both++;
    }
  }
  return both / (area + templateArea - both);
}

/** A shape sampled on a grid over its unit frame [−extent, extent]², with its area and centroid there. */
export interface UnitTemplate {
  resolution: number;
  /** [resolution, resolution], row v, column u; 1 inside. */
  bitmap: Uint8Array;
  /** Area in unit radii squared. */
  area: number;
  /** Centroid in the unit frame. */
  cu: number;
  cv: number;
}

const SHARP_RESOLUTION = 480;
/** Blurred templates are coarser: each cell is 3×3 sharp cells. */
const BLURRED_RESOLUTION = SHARP_RESOLUTION / 3;
const sharp = new Map<ShapeClass, UnitTemplate>();
const blurred = new Map<string, UnitTemplate>();

/** The sharp template of one class, made on first use (its numerical area and centroid are step 5's). */
export function unitTemplate(shape: ShapeClass): UnitTemplate {
  const cached = sharp.get(shape);
  if (cached) return cached;
  const n = SHARP_RESOLUTION;
  const cell = (2 * SHAPE_EXTENT) / n;
  const bitmap = new Uint8Array(n * n);
  const inside = INSIDE[shape];
  for (let j = 0; j < n; j++) {
    const v = -SHAPE_EXTENT + (j + 0.5) * cell;
    for (let i = 0; i < n; i++) if (inside(-SHAPE_EXTENT + (i + 0.5) * cell, v)) bitmap[j * n + i] = 1;
  }
  const template = measured(bitmap, n);
  sharp.set(shape, template);
  return template;
}

/**
 * The template blurred by σ = `relative`·r (rounded to BLUR_STEP; the sharp one at 0): coverage of each
 * coarse cell, Gaussian-smoothed, cut at ½. The cut shape stays within the shape's convex hull, so the unit
 * frame holds it.
 */
export function blurredTemplate(shape: ShapeClass, relative: number): UnitTemplate {
  const step = Math.round(Math.min(relative, MAX_BLUR) / BLUR_STEP);
  if (step <= 0) return unitTemplate(shape);
  const key = `${shape}:${step}`;
  const cached = blurred.get(key);
  if (cached) return cached;
  const source = unitTemplate(shape).bitmap;
  const n = BLURRED_RESOLUTION;
  const coverage = new Float32Array(n * n);
  for (let j = 0; j < SHARP_RESOLUTION; j++)
    for (let i = 0; i < SHARP_RESOLUTION; i++)
      if (source[j * SHARP_RESOLUTION + i]) coverage[Math.floor(j / 3) * n + Math.floor(i / 3)]! += 1 / 9;
  const sigma = (step * BLUR_STEP * n) / (2 * SHAPE_EXTENT); // in coarse cells
  const smooth = gaussianBlur(coverage, n, sigma);
  const bitmap = new Uint8Array(n * n);
  for (let k = 0; k < n * n; k++) bitmap[k] = smooth[k]! >= 0.5 ? 1 : 0;
  const template = measured(bitmap, n);
  blurred.set(key, template);
  return template;
}

function measured(bitmap: Uint8Array, n: number): UnitTemplate {
  const cell = (2 * SHAPE_EXTENT) / n;
  let count = 0;
  let su = 0;
  let sv = 0;
  for (let j = 0; j < n; j++)
    for (let i = 0; i < n; i++) {
      if (!bitmap[j * n + i]) continue;
      count++;
      su += -SHAPE_EXTENT + (i + 0.5) * cell;
      sv += -SHAPE_EXTENT + (j + 0.5) * cell;
    }
  return { resolution: n, bitmap, area: count * cell * cell, cu: su / count, cv: sv / count };
}

/**
 * Gaussian smoothing of an n×n map (zero outside), as three box filters along each axis whose widths give
 * the Gaussian's variance (Wells 1986): a running sum per pass, whatever σ.
 */
function gaussianBlur(values: Float32Array, n: number, sigma: number): Float32Array {
  // Three boxes of widths w or w + 2 (odd) whose variances (w² − 1)/12 add up to σ².
  const ideal = Math.sqrt(4 * sigma * sigma + 1);
  const lower = Math.max(1, Math.floor(ideal) % 2 === 0 ? Math.floor(ideal) - 1 : Math.floor(ideal));
  const upper = lower + 2;
  const wide = Math.round((12 * sigma * sigma - 3 * lower * lower - 12 * lower - 9) / (-4 * lower - 4));
  const widths = [0, 1, 2].map((k) => (k < wide ? lower : upper));
  let out = values;
  for (const width of widths) out = boxPass(boxPass(out, n, width, 1, n), n, width, n, 1);
  return out;
}

/** A centred box of odd `width` along lines of n cells `step` apart, lines starting `across` apart. */
function boxPass(input: Float32Array, n: number, width: number, step: number, across: number): Float32Array {
  const out = new Float32Array(n * n);
  const half = (width - 1) / 2;
  for (let line = 0; line < n; line++) {
    const base = line * across;
    let sum = 0;
    for (let k = 0; k <= Math.min(half, n - 1); k++) sum += input[base + k * step]!;
    for (let i = 0; i < n; i++) {
      out[base + i * step] = sum / width;
      if (i + half + 1 < n) sum += input[base + (i + half + 1) * step]!;
      if (i - half >= 0) sum -= input[base + (i - half) * step]!;
    }
  }
  return out;
}
