/**
 * int8 and int4 against fp32 on the bundled nano model (hidden 384, 6 layers): a trained decoder of a more
 * realistic width than the 64-wide reference fixture. The sequences are two images the fp32 model generated
 * (prompt and output tokens); every position's logits are compared. Targets (issue 3): cosine >= 0.999 int8,
 * >= 0.99 int4, greedy agreement >= 99%. Measured (2026-11-29, second-pass weights, 579 positions): int8
 * cosine 0.99999, agreement 99.7% (both met); int4 cosine 0.99882 (met), agreement 94.6% (not met:
 * round-to-nearest 4-bit blocks flip the near-ties among visual tokens; closing it needs calibrated
 * quantization). The int4 floor below holds the measured level so that a regression fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultGenerationSampling } from '../../generate/defaults.js';
import { generateVision } from '../../generate/vision.js';
import { bundledModelDir } from '../../install/package-info.js';
import { forwardLogits } from '../../runtime/decoder-runner.js';
import { openModel, type ModelHandle } from '../../runtime/open-model.js';
import type { Precision } from '../package-manifest.js';
import { argmax, cosine } from './decoder-graph.testkit.js';

let home: string;
let sequences: number[][];
let reference: Float32Array[];

const open = (precision: Precision) =>
  openModel(bundledModelDir(), { precision, provider: 'cpu', threads: 2 });

/** Logits at every position of every sequence, in order. */
async function logitsOf(model: ModelHandle): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const ids of sequences) out.push(...(await forwardLogits(model, ids, true)).map((p) => p.logits));
  return out;
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'emu3-quant-nano-'));
  process.env.EMU3_HOME = home;
  const fp32 = await open('fp32');
  try {
    sequences = [];
    for (const [seed, prompt] of [
      [11, 'a photo of a red circle and a blue square'],
      [12, 'a photo of three stars'],
    ] as const) {
      const { record } = await generateVision(fp32, {
        prompt,
        negativePrompt: '',
        ratio: '1:1',
        sampling: defaultGenerationSampling(fp32.manifest),
        seed,
      });
      sequences.push([...record.tokens.prompt, ...record.tokens.output].slice(0, -1));
    }
    reference = await logitsOf(fp32);
  } finally {
    await fp32.close();
  }
}, 240_000);
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('weight-only quantization on the nano model', () => {
  it.each([
    ['int8', 0.9999, 0.99],
    ['int4', 0.998, 0.92],
  ] as const)(
    '%s: logits cosine and greedy agreement with fp32',
    async (precision, cosineTarget, agreementTarget) => {
      const model = await open(precision);
      try {
        const got = await logitsOf(model);
        expect(got.length).toBe(reference.length);
        const cosines = got.map((g, i) => cosine(g, reference[i]!));
        const mean = cosines.reduce((a, b) => a + b, 0) / cosines.length;
        const agreement = got.filter((g, i) => argmax(g) === argmax(reference[i]!)).length / got.length;
        console.log(
          `nano ${precision} over ${got.length} positions: cosine mean ${mean.toFixed(5)} ` +
            `min ${Math.min(...cosines).toFixed(5)}, greedy agreement ${(100 * agreement).toFixed(1)}%`,
        );
        expect(mean).toBeGreaterThanOrEqual(cosineTarget);
        expect(agreement).toBeGreaterThanOrEqual(agreementTarget);
      } finally {
        await model.close();
      }
    },
    240_000,
  );
});
