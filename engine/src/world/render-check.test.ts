/**
 * This renderer against the Python world's (models/recipes/nano/world.py): the scenes of
 * models/nano/eval/render-check.json rendered here must match the PNGs it wrote beside it, up to rounding at
 * edges (float order differs between numpy and V8).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseConfigFile } from '../api/index.js';
import { packageRoot } from '../install/package-info.js';
import { renderFrame } from './render.js';
import { checkScene, Scene } from './scene.js';
import { loadWorldSpec } from './spec.js';

const CHECK_FILE = join(packageRoot(), 'models', 'nano', 'eval', 'render-check.json');
const PNG_DIR = join(packageRoot(), 'models', 'nano', 'eval', 'render-check');
/** Channel values may differ by this much… */
const LEVELS = 2;
/** …in all but this fraction of them. */
const ALLOWED_MISSES = 0.005;

const RenderCheck = z.array(z.object({ name: z.string(), scene: Scene, frames: z.array(z.string()).min(1) }));

const present = existsSync(CHECK_FILE);

describe('render check against the Python world', () => {
  it.skipIf(!present)(
    present
      ? 'renders every scene of render-check.json like the PNGs'
      : 'SKIPPED: models/nano/eval/render-check.json is absent (the Python world writes it)',
    async () => {
      const spec = loadWorldSpec();
      const cases = parseConfigFile(RenderCheck, JSON.parse(readFileSync(CHECK_FILE, 'utf8')), CHECK_FILE);
      expect(cases.length).toBeGreaterThan(0);
      let values = 0;
      let differing = 0;
      let worstOverall = 0;
      for (const { name, scene, frames } of cases) {
        checkScene(scene, spec, `${CHECK_FILE}: ${name}`);
        for (const [t, png] of frames.entries()) {
          const { data, info } = await sharp(join(PNG_DIR, png))
            .removeAlpha()
            .raw()
            .toBuffer({ resolveWithObject: true });
          expect([info.width, info.height, info.channels], `${png}: size`).toEqual([spec.size, spec.size, 3]);
          const ours = renderFrame(scene, t, spec).data;
          let misses = 0;
          let worst = 0;
          for (let k = 0; k < ours.length; k++) {
            const d = Math.abs(ours[k]! - data[k]!);
            worst = Math.max(worst, d);
            if (d > LEVELS) misses++;
            if (d > 0) differing++;
          }
          values += ours.length;
          worstOverall = Math.max(worstOverall, worst);
          const fraction = misses / ours.length;
          expect(
            fraction,
            `${name} frame ${t} (${png}): ${misses} values off by more than ${LEVELS}, worst ${worst}`,
          ).toBeLessThanOrEqual(ALLOWED_MISSES);
        }
      }
      console.log(
        `render check: ${cases.length} scenes match the Python world; ${differing} of ${values} values differ, by at most ${worstOverall}`,
      );
    },
  );
});
