/** GenEval scoring on hand-built detections, and the ground-truth ceiling of the scene sampler. */
import { describe, expect, it } from 'vitest';
import { Rng } from '../generate/rng.js';
import type { DetectedObject } from './detect.js';
import { detectObjects } from './detect.js';
import { checkPrompt, GenevalPrompt, scoreDetections, summarize } from './geneval.js';
import { renderFrame } from './render.js';
import { sceneForPrompt } from './sample.js';
import { loadWorldSpec, type ShapeClass } from './spec.js';

const spec = loadWorldSpec();
const margin = spec.relationMargin * spec.size; // 10.24 px

function seen(
  shape: ShapeClass | 'unknown',
  color: string,
  cx: number,
  cy: number,
  area = 500,
): DetectedObject {
  return { class: shape, color, cx, cy, area, iou: 0.9, angle: 0 };
}

const prompt = (json: unknown) => GenevalPrompt.parse(json);

describe('scoreDetections', () => {
  it('needs at least count objects of the class, with the colour when one is asked', () => {
    const red = prompt({
      tag: 'colors',
      include: [{ class: 'circle', count: 1, color: 'red' }],
      prompt: 'a red circle',
    });
    expect(scoreDetections(red, [seen('circle', 'red', 30, 30)], spec).correct).toBe(true);
    expect(scoreDetections(red, [seen('circle', 'blue', 30, 30)], spec)).toEqual({
      correct: false,
      reasons: ['expected red circle >= 1, found 0'],
    });
    // Another object besides does not hurt a colour prompt; an unknown blob never counts as a class.
    expect(
      scoreDetections(red, [seen('square', 'red', 90, 90), seen('circle', 'red', 30, 30)], spec).correct,
    ).toBe(true);
    expect(scoreDetections(red, [seen('unknown', 'red', 30, 30)], spec).correct).toBe(false);
  });

  it('asks a counting prompt for exactly its count, with or without the exclude line', () => {
    const three = { tag: 'counting', include: [{ class: 'star', count: 3 }], prompt: 'three stars' };
    const stars = (n: number) => Array.from({ length: n }, (_, i) => seen('star', 'green', 20 + 30 * i, 64));
    for (const json of [three, { ...three, exclude: [{ class: 'star', count: 4 }] }]) {
      const p = prompt(json);
      expect([2, 3, 4].map((n) => scoreDetections(p, stars(n), spec).correct)).toEqual([false, true, false]);
    }
    // Outside counting, more than asked is fine (GenEval's "at least").
    const two = prompt({
      tag: 'two_object',
      include: [
        { class: 'star', count: 1 },
        { class: 'ring', count: 1 },
      ],
      prompt: 'x',
    });
    expect(scoreDetections(two, [...stars(2), seen('ring', 'red', 64, 100)], spec).correct).toBe(true);
    expect(scoreDetections(two, stars(2), spec).reasons).toEqual(['expected ring >= 1, found 0']);
  });

  it('checks a position against the referenced entry with the world margin', () => {
    const leftOf = prompt({
      tag: 'position',
      include: [
        { class: 'square', count: 1 },
        { class: 'circle', count: 1, position: ['left of', 0] },
      ],
      prompt: 'a circle left of a square',
    });
    const square = seen('square', 'red', 80, 64);
    expect(scoreDetections(leftOf, [square, seen('circle', 'blue', 80 - margin - 1, 64)], spec).correct).toBe(
      true,
    );
    expect(scoreDetections(leftOf, [square, seen('circle', 'blue', 80 - margin + 1, 64)], spec)).toEqual({
      correct: false,
      reasons: ['expected circle left of square'],
    });
    // Without its target the relation cannot hold.
    expect(scoreDetections(leftOf, [seen('circle', 'blue', 10, 64)], spec).reasons).toEqual([
      'expected square >= 1, found 0',
      'no target for circle to be left of',
    ]);
    const below = prompt({
      ...leftOf,
      include: [leftOf.include[0], { class: 'circle', count: 1, position: ['below', 0] }],
    });
    expect(scoreDetections(below, [square, seen('circle', 'blue', 80, 64 + margin + 1)], spec).correct).toBe(
      true,
    );
  });

  it('fails an exclusion when that many objects of the class are there', () => {
    const p = prompt({
      tag: 'single_object',
      include: [{ class: 'heart', count: 1 }],
      exclude: [{ class: 'cross', count: 1 }],
      prompt: 'x',
    });
    expect(scoreDetections(p, [seen('heart', 'red', 30, 30)], spec).correct).toBe(true);
    expect(
      scoreDetections(p, [seen('heart', 'red', 30, 30), seen('cross', 'red', 90, 90)], spec).correct,
    ).toBe(false);
  });

  it('rejects prompts that name unknown colours or point forward', () => {
    const p = prompt({ tag: 'colors', include: [{ class: 'heart', count: 1, color: 'mauve' }], prompt: 'x' });
    expect(() => checkPrompt(p, spec, 'set.jsonl:3')).toThrow(
      'set.jsonl:3: include.0: unknown colour "mauve"',
    );
    const forward = prompt({
      tag: 'position',
      include: [{ class: 'heart', count: 1, position: ['above', 0] }],
      prompt: 'x',
    });
    expect(() => checkPrompt(forward, spec, 'set.jsonl:4')).toThrow(/not an earlier one/);
  });
});

describe('summarize', () => {
  it('averages per tag, and overall over the tags', () => {
    const summary = summarize([
      { tag: 'colors', correct: true },
      { tag: 'colors', correct: false },
      { tag: 'position', correct: true },
    ]);
    expect(summary.perTag).toEqual({
      colors: { correct: 1, total: 2, accuracy: 0.5 },
      position: { correct: 1, total: 1, accuracy: 1 },
    });
    expect(summary.overall).toBe(0.75);
  });
});

describe('scenes sampled for a prompt', () => {
  it('pass their own prompt through render and detector (the detector ceiling)', () => {
    const rng = new Rng(1);
    const prompts = [
      {
        tag: 'counting',
        include: [{ class: 'diamond', count: 4 }],
        exclude: [{ class: 'diamond', count: 5 }],
        prompt: 'x',
      },
      {
        tag: 'color_attr',
        include: [
          { class: 'triangle', count: 1, color: 'gray' },
          { class: 'heart', count: 1, color: 'cyan' },
        ],
        prompt: 'x',
      },
      {
        tag: 'position',
        include: [
          { class: 'ring', count: 1 },
          { class: 'star', count: 1, position: ['above', 0] },
        ],
        prompt: 'x',
      },
      {
        tag: 'two_object',
        include: [
          { class: 'cross', count: 1 },
          { class: 'circle', count: 1 },
        ],
        prompt: 'x',
      },
    ].map(prompt);
    const results = prompts.flatMap((p) =>
      Array.from({ length: 10 }, () => {
        const objects = detectObjects(renderFrame(sceneForPrompt(rng, spec, p), 0, spec), spec);
        return { tag: p.tag, correct: scoreDetections(p, objects, spec).correct };
      }),
    );
    expect(summarize(results).overall).toBeGreaterThanOrEqual(0.95);
  });
});
