/**
 * `emu3 eval look`: what a model draws, for people to look at (models/nano/README.md, "What it draws"). A grid
 * of its pictures of a shapes set, each prompt under its picture and the detector's verdict beside, and a strip
 * of one generated and one extended video. Both are made by the evaluations themselves (evaluateShapes and
 * evaluateVideo, with their seeds), so each picture is one the scores count.
 */
import { EngineError, type RgbFrame, type SamplingParams } from '../api/index.js';
import type { ModelHandle } from '../runtime/open-model.js';
import type { GenevalPrompt } from '../world/geneval.js';
import type { WorldSpec } from '../world/spec.js';
import { pictureSheet, videoStrip, type SheetPicture, type StripRow } from './contact-sheet.js';
import type { SetLine } from './eval-io.js';
import { evaluateShapes } from './shapes-eval.js';
import { evaluateVideo, type MotionScore, type VideoLine } from './video-eval.js';

export interface LookChoices {
  /** The first line's seed; each line gets the seed its evaluation would give it over the whole set. */
  seed: number;
  sampling: SamplingParams;
  negativePrompt: string;
  signal?: AbortSignal;
  onStep?: (done: number, total: number) => void;
}

/** The grid's pictures are drawn at this size (the nano model's own), the strip's frames too. */
export const LOOK_TILE = 128;
/** The strip shows every second frame, so that a 16-frame video fits in one row of 8. */
const STRIP_EVERY = 2;

export interface PictureSheet {
  png: Buffer;
  pictures: number;
  /** How many the detector found right. */
  correct: number;
}

/** One picture a prompt (seed + the prompt's index, as `emu3 eval shapes --images-per-prompt 1` uses). */
export async function drawShapesSheet(
  model: ModelHandle,
  prompts: readonly SetLine<GenevalPrompt>[],
  spec: WorldSpec,
  choices: LookChoices & { columns: number },
): Promise<PictureSheet> {
  const frames = new Map<number, RgbFrame>();
  const report = await evaluateShapes(model, prompts, spec, {
    ...choices,
    imagesPerPrompt: 1,
    onPicture: ({ line, frame }) => void frames.set(line.line, frame),
  });
  const pictures: SheetPicture[] = prompts.map((line, p) => ({
    frame: frames.get(line.line)!,
    caption: line.value.prompt,
    correct: report.items[p]!.pictures.model[0]!.correct,
  }));
  return {
    png: await pictureSheet(pictures, { columns: choices.columns, tile: LOOK_TILE }),
    pictures: pictures.length,
    correct: pictures.filter((p) => p.correct).length,
  };
}

export interface VideoRowSummary {
  label: string;
  kind: VideoLine['kind'];
  seed: number;
  direction: string;
  correct: boolean;
}

/**
 * The set's first `generate` line and first `extend` line, one row each, with the seed `emu3 eval video` gives
 * them over the whole set (seed + the line's index).
 */
export async function drawVideoStrip(
  model: ModelHandle,
  lines: readonly SetLine<VideoLine>[],
  spec: WorldSpec,
  choices: LookChoices & { latentFrames: number },
): Promise<{ png: Buffer; rows: VideoRowSummary[] }> {
  const chosen = (['generate', 'extend'] as const).map((kind) => {
    const index = lines.findIndex((line) => line.value.kind === kind);
    if (index < 0)
      throw new EngineError('invalid_file', `${fileOf(lines[0]!.label)}: no "${kind}" line to show`);
    return { line: lines[index]!, seed: choices.seed + index };
  });
  const rows: StripRow[] = [];
  const summaries: VideoRowSummary[] = [];
  for (const [i, { line, seed }] of chosen.entries()) {
    let shown: { context: RgbFrame[]; frames: RgbFrame[] } | undefined;
    const report = await evaluateVideo(model, [line], spec, {
      ...choices,
      seed,
      onVideo: (video) => void (shown = video),
      onStep: () => choices.onStep?.(i + 1, chosen.length),
    });
    const score = report.items[0]!.model;
    const label = rowLabel(line, seed, score, shown!);
    rows.push({
      label,
      frames: [...shown!.context, ...shown!.frames],
      ...(shown!.context.length ? { split: shown!.context.length } : {}),
    });
    summaries.push({
      label,
      kind: line.value.kind,
      seed,
      direction: score.direction,
      correct: score.correct,
    });
  }
  return { png: await videoStrip(rows, { tile: LOOK_TILE, every: STRIP_EVERY }), rows: summaries };
}

function rowLabel(
  { line: number, value: line }: SetLine<VideoLine>,
  seed: number,
  score: MotionScore,
  shown: { context: RgbFrame[]; frames: RgbFrame[] },
): string {
  const where = `(line ${number}, seed ${seed}; every second frame)`;
  // Not "right": that is also a direction.
  const verdict = score.correct ? 'correct' : 'wrong';
  if (line.kind === 'generate')
    return (
      `Generated from "${line.prompt}" ${where}: ${shown.frames.length} frames. ` +
      `Tracker: ${seen(score.direction)}, asked ${line.motion}: ${verdict}.`
    );
  const mover = line.scene.objects.find((o) => o.motion) ?? line.scene.objects[0];
  const named = mover && `${mover.color} ${mover.class}`;
  const subject = named
    ? `${/^[aeiou]/.test(named) ? 'an' : 'a'} ${named} moving ${line.motion}`
    : line.motion;
  const prompt = line.prompt ? `the prompt "${line.prompt}"` : 'no prompt';
  return (
    `Extended with ${prompt} ${where}: left of the rule, ${shown.context.length} rendered frames of ` +
    `${subject} given as context; right of it, the model's ${shown.frames.length} frames. ` +
    `Tracker on the model's frames: ${seen(score.direction)}, context ${score.sourceDirection}: ${verdict}.`
  );
}

function seen(direction: string): string {
  if (direction === 'lost') return 'subject not found';
  return direction === 'none' ? 'no motion' : `moves ${direction}`;
}

/** The file of a `FILE:LINE` label. */
function fileOf(label: string): string {
  return label.replace(/:\d+$/, '');
}
