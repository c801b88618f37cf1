/**
 * The detector on pictures sent through the bundled nano model's vision tokenizer and back (the "tokenizer
 * ceiling" of `emu3 eval shapes`): edges soft, colours shifted, small shapes rounded. Printed: the share of
 * true objects found with their class and colour (by size), the confusion matrix, and blank backgrounds.
 * The tokenizer itself loses shapes (a small cross comes back as a diamond, a small star as a blob), so
 * recall stays under the renders' 100% and the matrix is not diagonal; the floors below hold the measured
 * level so that a regression in the detector (or in the tokenizer) fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RgbFrame } from '../api/index.js';
import { Rng } from '../generate/rng.js';
import { bundledModelDir } from '../install/package-info.js';
import { openModel, type ModelHandle } from '../runtime/open-model.js';
import { decodeCodes, encodeFrames } from '../runtime/vq-runner.js';
import { modelImageSize, resizeFrame } from '../eval/eval-io.js';
import { detectObjects } from './detect.js';
import {
  blankScenes,
  confusionRate,
  emptyTally,
  formatConfusion,
  KINDS,
  singleObjectScenes,
  tallyPicture,
  type Tally,
} from './detect.testkit.js';
import { renderFrame } from './render.js';
import { sampleScene } from './sample.js';
import type { Scene } from './scene.js';
import { loadWorldSpec } from './spec.js';

const spec = loadWorldSpec();
/** Pixels a detected centroid may sit from the true one after the round trip. */
const TOLERANCE = 3;

let home: string;
let model: ModelHandle;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'emu3-detect-roundtrip-'));
  process.env.EMU3_HOME = home; // the bundled checkpoint is imported here
  model = await openModel(bundledModelDir(), { provider: 'cpu', threads: 2 });
}, 300_000);
afterAll(async () => {
  await model?.close();
  rmSync(home, { recursive: true, force: true });
});

/** The scene rendered, encoded to codes and decoded, at the world's size. */
async function roundTrip(scene: Scene): Promise<RgbFrame> {
  const truth = renderFrame(scene, 0, spec);
  const codes = await encodeFrames(model, [await resizeFrame(truth, modelImageSize(model.manifest))]);
  const [back] = await decodeCodes(model, codes, true);
  return resizeFrame(back!, { width: spec.size, height: spec.size });
}

const percent = (a: number, b: number) => `${((100 * a) / b).toFixed(1)}% (${a}/${b})`;

describe('detector through the vision tokenizer', () => {
  it('finds most objects of one object of every class and colour, and prints the confusion', async () => {
    const total = emptyTally();
    const bySize = new Map<number, Tally>();
    // Every fourth scene: each class in three colours and every size (the full set costs minutes on a CPU).
    for (const scene of singleObjectScenes(spec, 1).filter((_, i) => i % 4 === 0)) {
      const found = detectObjects(await roundTrip(scene), spec);
      tallyPicture(total, scene, found, TOLERANCE);
      const r = scene.objects[0]!.r;
      if (!bySize.has(r)) bySize.set(r, emptyTally());
      tallyPicture(bySize.get(r)!, scene, found, TOLERANCE);
    }
    const sizes = [...bySize].sort(([a], [b]) => a - b);
    console.log(
      `detector, tokenizer round trip, one object: ${percent(total.found, total.objects)} found with class and ` +
        `colour (${sizes.map(([r, t]) => `r ${r.toFixed(1)}: ${percent(t.found, t.objects)}`).join(', ')}); ` +
        `another class taken for ${percent(Math.round(confusionRate(total) * total.objects), total.objects)}; ` +
        `${total.spurious} spurious classed objects\n${formatConfusion(total, spec.classes)}`,
    );
    expect(total.found / total.objects).toBeGreaterThanOrEqual(FLOORS.single);
    expect(confusionRate(total)).toBeLessThanOrEqual(FLOORS.confusion);
    expect(total.spurious).toBe(0);
  }, 600_000);

  it('finds most objects of scenes of 1–4 objects', async () => {
    const rng = new Rng(2024); // the scenes of detect.test.ts's upright test
    const tally = emptyTally();
    let exact = 0;
    const count = 16;
    for (let i = 0; i < count; i++) {
      const scene = sampleScene(rng, spec, 4, KINDS[i % KINDS.length]);
      const before = tally.found;
      const found = detectObjects(await roundTrip(scene), spec);
      tallyPicture(tally, scene, found, TOLERANCE);
      const classed = found.filter((o) => o.class !== 'unknown').length;
      if (tally.found - before === scene.objects.length && classed === scene.objects.length) exact++;
    }
    console.log(
      `detector, tokenizer round trip, ${count} scenes: ${percent(tally.found, tally.objects)} of objects found ` +
        `with class and colour; ${percent(exact, count)} of scenes exactly right; ${tally.spurious} spurious classed objects`,
    );
    expect(tally.found / tally.objects).toBeGreaterThanOrEqual(FLOORS.scenes);
  }, 600_000);

  it('finds nothing on blank backgrounds', async () => {
    const found: string[] = [];
    for (const scene of blankScenes(spec, 5).filter((_, i) => i % 4 === 0))
      for (const o of detectObjects(await roundTrip(scene), spec))
        found.push(`${scene.background.kind} ${scene.background.family}: ${o.color} ${o.class}`);
    console.log(
      `detector, tokenizer round trip, blank backgrounds: ${found.length} objects ${found.join('; ')}`,
    );
    expect(found).toEqual([]);
  }, 300_000);
});

/**
 * Under the figures measured with the shipped weights (2026-11-29, second pass: one object 87.5% found, by
 * size 62.5%, 100%, 100%; another class 8.3%; scenes 77.8% of objects), with room for another CPU's rounding
 * to flip a code or two (one object more or less moves the first figure by 4%).
 */
const FLOORS = { single: 0.83, scenes: 0.7, confusion: 0.17 };
