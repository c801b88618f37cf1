/**
 * The nano world's object detector (WORLD.md "The detector"): palette colours by nearest colour under a
 * threshold, 8-connected components of one colour, then the shape by IoU against each class's template
 * placed on the component's centroid with the radius that gives the component's area.
 *
 * Templates are looked up in a bitmap of each shape's unit frame, made once, so trying many classes and
 * angles costs a multiply and an array read per pixel.
 */
import { InternalError } from '../../api/index.js';
import type { RgbFrame } from '../../runtime/vq-runner.js';
import { INSIDE, SHAPE_EXTENT, SYMMETRY_PERIOD } from './shapes.js';
import { loadWorldSpec, type ShapeClass, type WorldSpec } from './spec.js';

export interface DetectedObject {
  /** `unknown` when no template reaches world.json `detector.minIoU`. */
  class: ShapeClass | 'unknown';
  color: string;
  /** Centroid in pixels (pixel (x, y) counts at its centre x + 0.5, y + 0.5, as scenes do). */
  cx: number;
  cy: number;
  area: number;
  /** The best template's IoU with the component. */
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

const ANGLE_STEP = (6 * Math.PI) / 180;

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
  const palette = Object.entries(spec.colors);
  const labels = paletteLabels(frame, palette, spec.detector.colorDistance); // [size·size], −1 = background
  const components = connectedComponents(labels, size, spec.detector.minArea);
  return components
    .map((component) => {
      const best = classify(component, size, spec, options.rotations ?? false);
      return {
        class: best.iou >= spec.detector.minIoU ? best.class : ('unknown' as const),
        color: palette[component.label]![0],
        cx: component.cx,
        cy: component.cy,
        area: component.pixels.length,
        iou: best.iou,
        angle: best.angle,
      };
    })
    .sort((a, b) => b.area - a.area);
}

/** Each pixel's palette index, or −1 where the nearest palette colour is `threshold` or farther. */
function paletteLabels(
  frame: RgbFrame,
  palette: [string, readonly number[]][],
  threshold: number,
): Int8Array {
  const { data } = frame;
  const count = frame.width * frame.height;
  const labels = new Int8Array(count).fill(-1);
  const limit = threshold * threshold;
  for (let p = 0; p < count; p++) {
    const r = data[p * 3]!;
    const g = data[p * 3 + 1]!;
    const b = data[p * 3 + 2]!;
    let best = limit;
    for (let k = 0; k < palette.length; k++) {
      const c = palette[k]![1];
      const d = (r - c[0]!) ** 2 + (g - c[1]!) ** 2 + (b - c[2]!) ** 2;
      if (d < best) {
        best = d;
        labels[p] = k;
      }
    }
  }
  return labels;
}

interface Component {
  label: number;
  /** Pixel indices y·size + x. */
  pixels: number[];
  /** Membership of the component, [size·size]. */
  mask: Uint8Array;
  cx: number;
  cy: number;
  box: { x0: number; y0: number; x1: number; y1: number };
}

/** 8-connected components of equal labels, `minArea` pixels or more. */
function connectedComponents(labels: Int8Array, size: number, minArea: number): Component[] {
  const seen = new Uint8Array(labels.length);
  const found: Component[] = [];
  const stack: number[] = [];
  for (let start = 0; start < labels.length; start++) {
    const label = labels[start]!;
    if (label < 0 || seen[start]) continue;
    const pixels: number[] = [];
    seen[start] = 1;
    stack.push(start);
    while (stack.length > 0) {
      const p = stack.pop()!;
      pixels.push(p);
      const x = p % size;
      const y = (p - x) / size;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= size) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= size) continue;
          const q = ny * size + nx;
          if (!seen[q] && labels[q] === label) {
            seen[q] = 1;
            stack.push(q);
          }
        }
      }
    }
    if (pixels.length >= minArea) found.push(describe(label, pixels, size));
  }
  return found;
}

function describe(label: number, pixels: number[], size: number): Component {
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
    box.x0 = Math.min(box.x0, x);
    box.y0 = Math.min(box.y0, y);
    box.x1 = Math.max(box.x1, x + 1);
    box.y1 = Math.max(box.y1, y + 1);
  }
  return { label, pixels, mask, cx: sx / pixels.length, cy: sy / pixels.length, box };
}

/** The class and angle whose template overlaps the component best. */
function classify(
  component: Component,
  size: number,
  spec: WorldSpec,
  rotations: boolean,
): { class: ShapeClass; iou: number; angle: number } {
  let best = { class: spec.classes[0]!, iou: -1, angle: 0 };
  for (const shape of spec.classes) {
    const template = unitTemplate(shape);
    const period = SYMMETRY_PERIOD[shape];
    const steps = rotations && period > 0 ? Math.max(1, Math.round(period / ANGLE_STEP)) : 1;
    for (let k = 0; k < steps; k++) {
      const angle = (k * period) / steps;
      const iou = templateIoU(component, template, angle, size);
      if (iou > best.iou) best = { class: shape, iou, angle };
    }
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
  const scale = resolution / (2 * SHAPE_EXTENT); // bitmap cells per unit
  let both = 0;
  let templateArea = 0;
  for (let y = y0; y < y1; y++) {
    const dy = y + 0.5 - cy;
    for (let x = x0; x < x1; x++) {
      const dx = x + 0.5 - cx;
      const u = (dx * cos + dy * sin) / r;
      const v = (-dx * sin + dy * cos) / r;
      const i = Math.floor((u + SHAPE_EXTENT) * scale);
      const j = Math.floor((v + SHAPE_EXTENT) * scale);
      if (i < 0 || j < 0 || i >= resolution || j >= resolution || !bitmap[j * resolution + i]) continue;
      templateArea++;
      if (component.mask[y * size + x]) both++;
    }
  }
  return both / (area + templateArea - both);
}

/** A shape sampled on a grid over its unit frame [−extent, extent]², with its area and centroid there. */
interface UnitTemplate {
  resolution: number;
  /** [resolution, resolution], row v, column u; 1 inside. */
  bitmap: Uint8Array;
  /** Area in unit radii squared. */
  area: number;
  /** Centroid in the unit frame. */
  cu: number;
  cv: number;
}

const TEMPLATE_RESOLUTION = 480;
const templates = new Map<ShapeClass, UnitTemplate>();

/** The template of one class, made on first use (the numerical area and centroid offset of WORLD.md step 3). */
export function unitTemplate(shape: ShapeClass): UnitTemplate {
  const cached = templates.get(shape);
  if (cached) return cached;
  const n = TEMPLATE_RESOLUTION;
  const cell = (2 * SHAPE_EXTENT) / n;
  const bitmap = new Uint8Array(n * n);
  const inside = INSIDE[shape];
  let count = 0;
  let su = 0;
  let sv = 0;
  for (let j = 0; j < n; j++) {
    const v = -SHAPE_EXTENT + (j + 0.5) * cell;
    for (let i = 0; i < n; i++) {
      const u = -SHAPE_EXTENT + (i + 0.5) * cell;
      if (!inside(u, v)) continue;
      bitmap[j * n + i] = 1;
      count++;
      su += u;
      sv += v;
    }
  }
  const template = { resolution: n, bitmap, area: count * cell * cell, cu: su / count, cv: sv / count };
  templates.set(shape, template);
  return template;
}
