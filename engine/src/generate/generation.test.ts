/**
 * The generation loop on the tiny fixture model against transformers' greedy generation with guidance and
 * the prefix constraint (models/reference/FIXTURES.md `generation`), plus seeds, cancellation and streaming.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../api/index.js';
import { openModel, type ModelHandle } from '../runtime/open-model.js';
import { goldenPng, goldens, TINY } from '../model/reference-fixtures.js';
import { decodeTokens } from './decode-loop.js';
import { defaultGenerationSampling, defaultUnderstandingSampling } from './defaults.js';
import { LogitsProcessorList, PrefixConstraint } from './logits-processors.js';
import { understand } from './understand.js';
import { generateVision } from './vision.js';

let modelsDir: string;
let model: ModelHandle;

beforeAll(async () => {
  modelsDir = mkdtempSync(join(tmpdir(), 'emu3-generate-'));
  model = await openModel(TINY.originalDecoder, { modelsDir, provider: 'cpu', threads: 2 });
}, 60_000);

afterAll(async () => {
  await model?.close();
  rmSync(modelsDir, { recursive: true, force: true });
});

/** Ratios and areas that give the goldens' grids with the tiny model's spatial factor 4. */
const GRIDS: Record<string, { ratio: string; area: number }> = {
  'cube-3x4-cfg3': { ratio: '4:3', area: 192 },
  'sphere-2x5-cfg2': { ratio: '5:2', area: 160 },
};
const PROMPTS: Record<string, string> = { 'cube-3x4-cfg3': 'a red cube', 'sphere-2x5-cfg2': 'a blue sphere' };
const NEGATIVE = 'lowres, bad anatomy, blurry.';

describe('greedy generation with guidance', () => {
  it.each(goldens().generation.map((g) => [g.name, g] as const))(
    '%s: the decoding loop gives the reference tokens from the reference prompts',
    async (_, golden) => {
      const { special, visualTokens } = model.manifest;
      const constraint = new PrefixConstraint({
        height: golden.h,
        width: golden.w,
        frames: 1,
        special,
        visual: visualTokens,
      });
      const { tokens } = await decodeTokens(model, {
        rows: [golden.prompt_ids, golden.negative_ids],
        guidance: golden.guidance,
        processors: new LogitsProcessorList([constraint]),
        rng: null,
        maxNewTokens: constraint.totalTokens,
        stopToken: special.eos,
      });
      expect(tokens).toEqual(golden.output_ids);
    },
  );

  it.each(goldens().generation.map((g) => [g.name, g] as const))(
    '%s: generateVision builds the same prompts and tokens, and decodes the image',
    async (name, golden) => {
      const sampling = {
        ...defaultGenerationSampling(model.manifest),
        guidance: golden.guidance,
        greedy: true,
      };
      const result = await generateVision(model, {
        prompt: PROMPTS[name]!,
        negativePrompt: NEGATIVE,
        ...GRIDS[name]!,
        sampling,
      });
      expect(result.record.tokens.prompt).toEqual(golden.prompt_ids);
      expect(result.record.tokens.negative).toEqual(golden.negative_ids);
      expect(result.record.tokens.output).toEqual(golden.output_ids);
      expect(result.record.grid).toEqual({ height: golden.h, width: golden.w, frames: 1 });
      expect(result.frames).toHaveLength(1);
      expect([result.frames[0]!.height, result.frames[0]!.width]).toEqual([golden.h * 4, golden.w * 4]);
    },
  );
});

describe('sampling', () => {
  const request = { prompt: 'a green cone', negativePrompt: NEGATIVE, ratio: '1:1', area: 256 };

  it('gives identical tokens for one seed, and h(w+1)+3 of them', async () => {
    const sampling = defaultGenerationSampling(model.manifest);
    const first = await generateVision(model, { ...request, sampling, seed: 42 });
    const again = await generateVision(model, { ...request, sampling, seed: 42 });
    expect(again.record.tokens.output).toEqual(first.record.tokens.output);
    const { height, width } = first.record.grid!;
    expect(first.record.tokens.output).toHaveLength(height * (width + 1) + 3);
    expect(first.record.seed).toBe(42);
  });

  it('generates a video of the requested latent frames, frames × temporal factor decoded', async () => {
    const sampling = defaultGenerationSampling(model.manifest);
    const result = await generateVision(model, { ...request, frames: 2, fps: 6, sampling, seed: 3 });
    const { height, width } = result.record.grid!;
    expect(result.record.mode).toBe('video');
    expect(result.record.tokens.output).toHaveLength(2 * (height * (width + 1) + 1) + 2);
    expect(result.frames).toHaveLength(8);
  });

  it('previews the finished rows while it runs, growing, at the final width', async () => {
    const previews: { rows: number; width: number; height: number }[] = [];
    const result = await generateVision(
      model,
      {
        prompt: 'a white ring',
        negativePrompt: NEGATIVE,
        ratio: '1:1',
        area: 48 * 48,
        sampling: defaultGenerationSampling(model.manifest),
        seed: 4,
      },
      {
        onPreview: (frames, rows) =>
          previews.push({ rows, width: frames[0]!.width, height: frames[0]!.height }),
      },
    );
    const { height, width } = result.record.grid!;
    expect(previews.length).toBeGreaterThan(0);
    for (const preview of previews)
      expect(preview).toEqual({ rows: preview.rows, width: width * 4, height: preview.rows * 4 });
    expect(previews.map((p) => p.rows)).toEqual([...previews.map((p) => p.rows)].sort((a, b) => a - b));
    expect(previews.at(-1)!.rows).toBeLessThanOrEqual(height);
  });

  it('stops within one step of a cancel and reports it as a cancellation', async () => {
    const controller = new AbortController();
    let seen = 0;
    const run = generateVision(
      model,
      { ...request, sampling: defaultGenerationSampling(model.manifest), seed: 1 },
      {
        signal: controller.signal,
        onProgress: ({ done }) => {
          seen = done;
          if (done === 3) controller.abort();
        },
      },
    );
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(seen).toBe(3);
  });
});

describe('understanding', () => {
  it('answers greedily, streaming the same text it returns, deterministically', async () => {
    const image = await goldenPng(goldens().vq.images[0]!.png);
    const source = { path: 'image-24x40.png', sha256: '0'.repeat(64), frames: 1 };
    const request = {
      frames: [image],
      question: 'What is this?',
      maxNewTokens: 12,
      sampling: defaultUnderstandingSampling(),
      source,
    };
    let streamed = '';
    const first = await understand(model, request, { onText: (delta) => (streamed += delta) });
    const again = await understand(model, request);
    expect(again.record.tokens.output).toEqual(first.record.tokens.output);
    expect(streamed.trim()).toBe(first.answer);
    expect(first.record.tokens.output.length).toBeLessThanOrEqual(12);
  });
});
