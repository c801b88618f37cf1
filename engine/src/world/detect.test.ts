/**
 * The detector against ground truth: a few hundred rendered scenes of 1–4 objects over every class, colour
 * and background kind must come back object for object (the acceptance figure is printed), upright and
 * rotated. It must also stay discriminative: one object of every class and colour is never taken for another
 * class, blank backgrounds hold nothing, and noise or shapes that are not the world's get no class. (The
 * same through the vision tokenizer: detect-roundtrip.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../generate/rng.js';
import { detectObjects, type DetectedObject } from './detect.js';
import {
  blankScenes,
  confusionRate,
  emptyTally,
  formatConfusion,
  KINDS,
  noisePicture,
  ODD_SHAPES,
  oddPicture,
  singleObjectScenes,
  tallyPicture,
  trueCentroid,
} from './detect.testkit.js';
import { renderFrame } from './render.js';
import { sampleScene } from './sample.js';
import type { Scene } from './scene.js';
import { loadWorldSpec } from './spec.js';

const spec = loadWorldSpec();
/** Pixels a detected centroid may sit from the true one (the shape's own centroid, not its centre). */
const CENTROID_TOLERANCE = 1.5;

/** Turned freely, a square is a diamond (and back): the two names are one shape. */
const sameShape = (a: string, b: string, rotated: boolean) =>
  a === b || (rotated && [a, b].every((name) => name === 'square' || name === 'diamond'));

/**
 * Every object found with its class and colour near its centroid, and nothing else found (not even an
 * unknown component).
 */
function detectedExactly(scene: Scene, found: readonly DetectedObject[], rotated: boolean): boolean {
  if (found.length !== scene.objects.length) return false;
  const left = [...found];
  for (const object of scene.objects) {
    const { cx, cy } = trueCentroid(object);
    const at = left.findIndex(
      (o) =>
        sameShape(o.class, object.class, rotated) &&
        o.color === object.color &&
        Math.hypot(o.cx - cx, o.cy - cy) <= CENTROID_TOLERANCE,
    );
    if (at < 0) return false;
    left.splice(at, 1);
  }
  return true;
}

function validate(count: number, seed: number, rotated: boolean) {
  const rng = new Rng(seed);
  const seen = { classes: new Set<string>(), colors: new Set<string>(), kinds: new Set<string>() };
  const failures: { scene: Scene; found: DetectedObject[] }[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const scene = sampleScene(rng, spec, 4, KINDS[i % KINDS.length]);
    if (rotated) for (const object of scene.objects) object.angle = rng.nextFloat() * 2 * Math.PI;
    for (const object of scene.objects) {
      seen.classes.add(object.class);
      seen.colors.add(object.color);
    }
    seen.kinds.add(scene.background.kind);
    const found = detectObjects(renderFrame(scene, 0, spec), spec, { rotations: rotated });
    if (!detectedExactly(scene, found, rotated)) failures.push({ scene, found });
  }
  const msPerScene = (performance.now() - started) / count;
  return { accuracy: 1 - failures.length / count, failures, seen, msPerScene };
}

describe('detector on ground-truth renders', () => {
  it('finds every object of 300 upright scenes (acceptance: at least 98%)', () => {
    const { accuracy, failures, seen, msPerScene } = validate(300, 2024, false);
    console.log(
      `detector, upright: ${(accuracy * 100).toFixed(1)}% of 300 scenes exactly right, ${msPerScene.toFixed(1)} ms per render+detect`,
    );
    for (const { scene, found } of failures.slice(0, 3))
      console.log(JSON.stringify({ truth: scene.objects, found }));
    expect(seen.classes.size).toBe(spec.classes.length);
    expect(seen.colors.size).toBe(Object.keys(spec.colors).length);
    expect(seen.kinds.size).toBe(3);
    expect(accuracy).toBeGreaterThanOrEqual(0.98);
  }, 120_000);

  it('finds rotated objects when template angles are tried (a turned square counts as a diamond)', () => {
    const { accuracy, msPerScene } = validate(120, 7, true);
    console.log(
      `detector, rotated: ${(accuracy * 100).toFixed(1)}% of 120 scenes exactly right, ${msPerScene.toFixed(1)} ms per render+detect`,
    );
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
  }, 120_000);

  it('reports the centroid, area and colour of a lone square', () => {
    const scene: Scene = {
      background: { kind: 'plain', family: 'sky', angle: 0, fx: 0, fy: 0, phase: 0 },
      objects: [{ class: 'square', color: 'red', cx: 40, cy: 70, r: 20, angle: 0 }],
    };
    const [square, ...rest] = detectObjects(renderFrame(scene, 0, spec), spec);
    expect(rest).toEqual([]);
    // A pixel-aligned square of half-side 16: exactly 32×32 pixels, centred on (40, 70).
    expect(square).toMatchObject({ class: 'square', color: 'red', cx: 40, cy: 70, area: 32 * 32 });
    expect(square!.iou).toBeGreaterThan(0.99);
  });

  it('drops what is smaller than the minimum area and calls shapeless blobs unknown', () => {
    const frame = renderFrame(
      { background: { kind: 'plain', family: 'sand', angle: 0, fx: 0, fy: 0, phase: 0 }, objects: [] },
      0,
      spec,
    );
    const paint = (x0: number, y0: number, w: number, h: number, rgb: readonly number[]) => {
      for (let y = y0; y < y0 + h; y++)
        for (let x = x0; x < x0 + w; x++) frame.data.set(rgb, (y * spec.size + x) * 3);
    };
    paint(10, 10, 5, 5, spec.colors.blue!); // 25 pixels: below minArea
    paint(40, 60, 80, 3, spec.colors.green!); // a long thin bar: no class looks like it
    expect(detectObjects(frame, spec)).toMatchObject([{ class: 'unknown', color: 'green', area: 240 }]);
  });
});

describe('detector discrimination', () => {
  it('takes no class for another on ground truth: one object of every class, colour and size', () => {
    const tally = emptyTally();
    for (const seed of [1, 2, 3])
      for (const scene of singleObjectScenes(spec, seed))
        tallyPicture(tally, scene, detectObjects(renderFrame(scene, 0, spec), spec), CENTROID_TOLERANCE);
    console.log(
      `detector, ground truth, one object: ${tally.found}/${tally.objects} found with class and colour\n` +
        formatConfusion(tally, spec.classes),
    );
    expect(tally.found).toBe(tally.objects);
    expect(confusionRate(tally)).toBe(0);
    expect(tally.spurious).toBe(0);
  }, 120_000);

  it('finds nothing on blank backgrounds', () => {
    for (const scene of blankScenes(spec, 5))
      expect(detectObjects(renderFrame(scene, 0, spec), spec), JSON.stringify(scene.background)).toEqual([]);
  });

  it("gives no class to noise or to shapes that are not the world's", () => {
    const rng = new Rng(11);
    const classed = (frame: Parameters<typeof detectObjects>[0]) =>
      detectObjects(frame, spec).filter((o) => o.class !== 'unknown');
    let noise = 0;
    for (let i = 0; i < 10; i++) noise += classed(noisePicture(rng, spec.size)).length;
    const odd: Record<string, string[]> = {};
    for (const [name, shape] of Object.entries(ODD_SHAPES))
      for (let i = 0; i < 20; i++)
        (odd[name] ??= []).push(
          ...classed(oddPicture(rng, spec, shape)).map((o) => `${o.class} ${o.iou.toFixed(2)}`),
        );
    console.log(
      `detector, odd pictures: noise ${noise} classed objects in 10; ` +
        Object.entries(odd)
          .map(
            ([name, hits]) =>
              `${name} ${hits.length}/20 classed${hits.length ? ` (${hits.join(', ')})` : ''}`,
          )
          .join('; '),
    );
    expect(noise).toBe(0);
    for (const [name, hits] of Object.entries(odd))
      // A lumpy polygon is now and then round enough to pass for a circle or a heart; nothing else may.
      expect(hits.length, name).toBeLessThanOrEqual(name === 'polygon' ? 5 : 0);
  }, 60_000);
});
