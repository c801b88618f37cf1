/**
 * The completion's log-probability captured while sampling (docs/token-format.md#the-scored-completion)
 * against a teacher-forced forward pass over the same prompt and output ids, on the tiny fixture model in
 * fp32 on the CPU; and proof that guidance, temperature and the rng do not leak into it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SamplingParams } from '../api/index.js';
import { TINY } from '../model/reference-fixtures.js';
import { forwardLogits } from '../runtime/decoder-runner.js';
import { openModel, type ModelHandle } from '../runtime/open-model.js';
import { decodeTokens } from './decode-loop.js';
import { defaultGenerationSampling } from './defaults.js';
import { parseVisionTokens } from './format.js';
import {
  CompletionLogProb,
  LogitsProcessorList,
  Temperature,
  type LogitsProcessor,
  type ProcessorContext,
} from './logits-processors.js';
import { parseRecord } from './record.js';
import { Rng } from './rng.js';
import { generateVision, type VisionResult } from './vision.js';

let modelsDir: string;
let model: ModelHandle;

beforeAll(async () => {
  modelsDir = mkdtempSync(join(tmpdir(), 'emu3-logprob-'));
  model = await openModel(TINY.originalDecoder, {
    modelsDir,
    provider: 'cpu',
    threads: 2,
    precision: 'fp32',
  });
}, 60_000);

afterAll(async () => {
  await model?.close();
  rmSync(modelsDir, { recursive: true, force: true });
});

const NEGATIVE = 'lowres, bad anatomy, blurry.';
/** 32² pixels at the tiny model's spatial factor 4: an 8×8 grid, 75 new tokens per image. */
const REQUEST = { prompt: 'a green cone', negativePrompt: NEGATIVE, ratio: '1:1', area: 32 * 32 };

/** Guided and sampled, at a temperature that is not 1, so every part that must not leak is switched on. */
function guidedSampling(): SamplingParams {
  return { ...defaultGenerationSampling(model.manifest), guidance: 3, temperature: 0.8 };
}

/**
 * log p(output | prompt) from ONE forward pass over prompt + output (without its last id), logits at every
 * position, log-softmax in float64 with Math.exp: independent of the loop, its cache and its logSumExp.
 */
async function teacherForced(prompt: readonly number[], output: readonly number[]) {
  const positions = await forwardLogits(model, [...prompt, ...output.slice(0, -1)], true);
  const perToken = output.map((token, i) => {
    const { logits } = positions[prompt.length - 1 + i]!;
    let max = -Infinity;
    for (const x of logits) max = Math.max(max, x);
    let sum = 0;
    for (const x of logits) sum += Math.exp(x - max);
    return logits[token]! - max - Math.log(sum);
  });
  return { sum: perToken.reduce((a, b) => a + b, 0), perToken };
}

async function expectTeacherForced(result: VisionResult): Promise<void> {
  const { prompt, output } = result.record.tokens;
  const forced = await teacherForced(prompt, output);
  expect(result.logProb.perToken).toHaveLength(output.length);
  expect(result.record.completionLogProb).toBe(result.logProb.sum);
  expect(Math.abs(result.logProb.sum - forced.sum)).toBeLessThan(1e-3);
  result.logProb.perToken.forEach((value, i) => expect(value).toBeCloseTo(forced.perToken[i]!, 4));
}

/** Leaves only the next of `tokens` possible, its score as it came: the loop re-samples a known output. */
class ForceTokens implements LogitsProcessor {
  readonly name = 'force-tokens';
  constructor(private readonly tokens: readonly number[]) {}
  apply(scores: Float32Array, context: ProcessorContext): void {
    const token = this.tokens[context.generated.length]!;
    const kept = scores[token]!;
    scores.fill(-Infinity);
    scores[token] = kept;
  }
}

describe('the completion log-prob captured while sampling', () => {
  it('equals a teacher-forced pass over the exact tokens of a guided, sampled image', async () => {
    expect(model.manifest.precision).toBe('fp32');
    const result = await generateVision(model, { ...REQUEST, sampling: guidedSampling(), seed: 7 });
    expect(result.record.tokens.negative).toBeDefined(); // the batch had an unconditional row
    expect(result.record.tokens.output).toHaveLength(8 * 9 + 3);
    expect(result.logProb.sum).toBeLessThan(0);
    await expectTeacherForced(result);
  });

  it('equals a teacher-forced pass for a video, and for an extension of it', async () => {
    const sampling = guidedSampling();
    const video = await generateVision(model, { ...REQUEST, frames: 2, fps: 6, sampling, seed: 11 });
    expect(video.record.tokens.output).toHaveLength(2 * (8 * 9 + 1) + 2);
    await expectTeacherForced(video);

    // The extension's prompt holds the video's first frame as context; the completion is the new frame only.
    const { height, width } = video.record.grid!;
    const { special, visualTokens } = model.manifest;
    const codes = parseVisionTokens(
      video.record.tokens.output,
      { height, width, frames: 2 },
      special,
      visualTokens,
    );
    const context = { frames: 1, height, width, codes: codes.codes.slice(0, height * width) };
    const source = { path: 'video.mp4', sha256: '0'.repeat(64), frames: 4 };
    const extension = await generateVision(model, {
      ...REQUEST,
      sampling,
      seed: 12,
      context: { codes: context, source },
    });
    expect(extension.record.mode).toBe('extend');
    expect(extension.record.tokens.output).toHaveLength(8 * 9 + 1 + 2);
    await expectTeacherForced(extension);
  });

  it('ignores guidance, temperature and the rng: a greedy unguided run of the same tokens agrees', async () => {
    const guided = await generateVision(model, { ...REQUEST, sampling: guidedSampling(), seed: 21 });
    const { prompt, negative, output } = guided.record.tokens;
    const rerun = async (
      rows: number[][],
      guidance: number,
      processors: LogitsProcessor[],
      rng: Rng | null,
    ) => {
      const observer = new CompletionLogProb();
      const { tokens } = await decodeTokens(model, {
        rows,
        guidance,
        processors: new LogitsProcessorList([new ForceTokens(output), ...processors]),
        rng,
        maxNewTokens: output.length,
        stopToken: model.manifest.special.eos,
        observer,
      });
      expect(tokens).toEqual(output);
      return observer.sum;
    };
    const greedy = await rerun([prompt], 1, [], null);
    const strongerGuidance = await rerun([prompt, negative!], 9, [new Temperature(0.3)], new Rng(99));
    expect(Math.abs(greedy - guided.logProb.sum)).toBeLessThan(1e-4);
    expect(Math.abs(strongerGuidance - guided.logProb.sum)).toBeLessThan(1e-4);
  });

  it('is optional in the record: a record made before it was captured still reads', async () => {
    const result = await generateVision(model, { ...REQUEST, sampling: guidedSampling(), seed: 3 });
    const { completionLogProb, ...older } = JSON.parse(JSON.stringify(result.record)) as Record<
      string,
      unknown
    >;
    expect(completionLogProb).toBe(result.logProb.sum); // survives JSON as it is
    expect(parseRecord(older, 'older.json').completionLogProb).toBeUndefined();
    expect(parseRecord(JSON.parse(JSON.stringify(result.record)), 'new.json').completionLogProb).toBe(
      result.logProb.sum,
    );
  });
});
