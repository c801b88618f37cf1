/**
 * `emu3 eval shapes`: GenEval on the nano world. Each prompt's pictures come from three sources, scored by
 * the same detector: the model's generations; the ground truth (a scene sampled to satisfy the prompt,
 * rendered: the detector's ceiling); and that render through the model's vision tokenizer and back (the
 * tokenizer's ceiling: what the model could score if it chose the right codes).
 */
import { CancelledError, type SamplingParams, type RgbFrame } from '../api/index.js';
import { generateVision } from '../generate/vision.js';
import { Rng } from '../generate/rng.js';
import type { ModelHandle } from '../runtime/open-model.js';
import { decodeCodes, encodeFrames } from '../runtime/vq-runner.js';
import { forLine, modelImageSize, resizeFrame, type SetLine } from './eval-io.js';
import { detectObjects } from '../world/detect.js';
import {
  scoreDetections,
  summarize,
  type GenevalPrompt,
  type GenevalSummary,
  type GenevalTag,
} from '../world/geneval.js';
import { renderFrame } from '../world/render.js';
import { sceneForPrompt } from '../world/sample.js';
import type { WorldSpec } from '../world/spec.js';

export const SHAPE_SOURCES = ['model', 'groundTruth', 'tokenizer'] as const;
export type ShapeSource = (typeof SHAPE_SOURCES)[number];

export interface ShapesOptions {
  imagesPerPrompt: number;
  /** Picture i of prompt p uses seed + p·imagesPerPrompt + i, for generation and for the sampled scene. */
  seed: number;
  sampling: SamplingParams;
  negativePrompt: string;
  signal?: AbortSignal;
  onStep?: (done: number, total: number) => void;
  /** Each of the model's pictures as it was generated (at the model's size, before it is scored). */
  onPicture?: (picture: ShapesPicture) => Promise<void> | void;
}

export interface ShapesPicture {
  /** The prompt's line in its set, and its text. */
  line: SetLine<GenevalPrompt>;
  seed: number;
  frame: RgbFrame;
}

interface PictureVerdict {
  seed: number;
  correct: boolean;
  reasons: string[];
}

export interface ShapesItem {
  label: string;
  tag: GenevalTag;
  prompt: string;
  pictures: Record<ShapeSource, PictureVerdict[]>;
}

export interface ShapesReport {
  prompts: number;
  imagesPerPrompt: number;
  seed: number;
  sampling: SamplingParams;
  /** Per tag and overall (the mean of the tags), for each source of pictures. */
  scores: Record<ShapeSource, GenevalSummary>;
  items: ShapesItem[];
}

export async function evaluateShapes(
  model: ModelHandle,
  prompts: readonly SetLine<GenevalPrompt>[],
  spec: WorldSpec,
  options: ShapesOptions,
): Promise<ShapesReport> {
  const modelSize = modelImageSize(model.manifest);
  const worldSize = { width: spec.size, height: spec.size };
  const total = prompts.length * options.imagesPerPrompt;
  const items: ShapesItem[] = [];
  let done = 0;
  for (const [p, line] of prompts.entries()) {
    const { label, value: prompt } = line;
    const pictures: ShapesItem['pictures'] = { model: [], groundTruth: [], tokenizer: [] };
    const judge = (source: ShapeSource, seed: number, frame: RgbFrame) => {
      const verdict = scoreDetections(prompt, detectObjects(frame, spec), spec);
      pictures[source].push({ seed, ...verdict });
    };
    await forLine(label, async () => {
      for (let i = 0; i < options.imagesPerPrompt; i++) {
        if (options.signal?.aborted) throw new CancelledError();
        const seed = options.seed + p * options.imagesPerPrompt + i;
        const generated = await generateVision(
          model,
          {
            prompt: prompt.prompt,
            negativePrompt: options.negativePrompt,
            ratio: '1:1',
            sampling: options.sampling,
            seed,
          },
          options.signal ? { signal: options.signal } : {},
        );
        const picture = generated.frames[0]!;
        await options.onPicture?.({ line, seed, frame: picture });
        judge('model', seed, await resizeFrame(picture, worldSize));

        const truth = renderFrame(sceneForPrompt(new Rng(seed), spec, prompt), 0, spec);
        judge('groundTruth', seed, truth);
        const codes = await encodeFrames(model, [await resizeFrame(truth, modelSize)]);
        const [roundTrip] = await decodeCodes(model, codes, true);
        judge('tokenizer', seed, await resizeFrame(roundTrip!, worldSize));
        options.onStep?.(++done, total);
      }
    });
    items.push({ label, tag: prompt.tag, prompt: prompt.prompt, pictures });
  }
  const scores = Object.fromEntries(
    SHAPE_SOURCES.map((source) => [
      source,
      summarize(
        items.flatMap((item) => item.pictures[source].map((v) => ({ tag: item.tag, correct: v.correct }))),
      ),
    ]),
  ) as Record<ShapeSource, GenevalSummary>;
  return {
    prompts: prompts.length,
    imagesPerPrompt: options.imagesPerPrompt,
    seed: options.seed,
    sampling: options.sampling,
    scores,
    items,
  };
}
