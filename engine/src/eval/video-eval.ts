/**
 * `emu3 eval video`: motion in the model's videos of the nano world.
 * - `generate` lines: a video from a prompt; the asked object is tracked and must move as asked.
 * - `extend` lines: a rendered video's first frames are the context; the frames the model adds must move the
 *   way the context does.
 * Every line is also scored on ground truth (a sampled scene for `generate`, the rendered continuation for
 * `extend`): the ceiling of the tracker. Subject consistency and temporal smoothness come with each.
 */
import { z } from 'zod';
import { CancelledError, EngineError, type SamplingParams, type RgbFrame } from '../api/index.js';
import { Rng } from '../generate/rng.js';
import { generateVision } from '../generate/vision.js';
import type { ModelHandle } from '../runtime/open-model.js';
import { encodeFrames } from '../runtime/vq-runner.js';
import { forLine, framesDigest, mean, modelImageSize, resizeFrames, type SetLine } from './eval-io.js';
import { temporalSmoothness } from './image-metrics.js';
import { isDirection } from '../world/directions.js';
import { renderVideo } from '../world/render.js';
import { sampleMotionScene } from '../world/sample.js';
import { checkScene, Scene } from '../world/scene.js';
import { ShapeClass, type WorldSpec } from '../world/spec.js';
import {
  describeTrack,
  showsMotion,
  subjectConsistency,
  trackSubject,
  type Subject,
} from '../world/track.js';

const positiveInt = z.number().int().positive();
export const VideoLine = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('generate'),
    prompt: z.string(),
    motion: z.string(),
    class: ShapeClass,
    color: z.string(),
  }),
  z.object({
    kind: z.literal('extend'),
    scene: Scene,
    motion: z.string(),
    /** Latent frames of the rendered video given as context, and latent frames to add. */
    contextFrames: positiveInt,
    addFrames: positiveInt,
    prompt: z.string().optional(),
  }),
]);
export type VideoLine = z.infer<typeof VideoLine>;

export function checkVideoLine(spec: WorldSpec) {
  return (line: VideoLine, label: string): VideoLine => {
    const fail = (problem: string) => new EngineError('invalid_file', `${label}: ${problem}`);
    if (!spec.motions.includes(line.motion)) throw fail(`unknown motion ${JSON.stringify(line.motion)}`);
    if (line.kind === 'extend') return { ...line, scene: checkScene(line.scene, spec, `${label}: scene`) };
    if (!(line.color in spec.colors)) throw fail(`unknown colour ${JSON.stringify(line.color)}`);
    return line;
  };
}

/** What the tracker saw in one video. */
export interface MotionScore {
  /** The measured direction (`none` if it barely moved, `lost` if the subject was not found). */
  direction: string;
  /** For `extend`: the direction of the context the model continued. */
  sourceDirection?: string;
  correct: boolean;
  subjectConsistency: number;
  smoothness: number;
}

export interface VideoItem {
  label: string;
  kind: VideoLine['kind'];
  motion: string;
  model: MotionScore;
  groundTruth: MotionScore;
}

export interface MotionSummary {
  count: number;
  motionAccuracy: number;
  subjectConsistency: number;
  smoothness: number;
}

export interface VideoReport {
  latentFrames: number;
  fps: number;
  seed: number;
  sampling: SamplingParams;
  perKind: Partial<Record<VideoLine['kind'], { model: MotionSummary; groundTruth: MotionSummary }>>;
  items: VideoItem[];
}

export interface VideoOptions {
  /** Latent frames of a generated video (each decodes to the temporal factor in frames). */
  latentFrames: number;
  /** Line i uses seed + i, for generation and for the sampled ground-truth scene. */
  seed: number;
  sampling: SamplingParams;
  negativePrompt: string;
  signal?: AbortSignal;
  onStep?: (done: number, total: number) => void;
  /** Each line's video as the model made it (at the model's size), before it is scored. */
  onVideo?: (video: LineVideo) => Promise<void> | void;
}

export interface LineVideo {
  line: SetLine<VideoLine>;
  seed: number;
  /** For `extend`: the rendered frames given as context, as the model saw them; empty for `generate`. */
  context: RgbFrame[];
  /** The frames the model made. */
  frames: RgbFrame[];
}

type Scored = { model: MotionScore; groundTruth: MotionScore; video: Pick<LineVideo, 'context' | 'frames'> };

export async function evaluateVideo(
  model: ModelHandle,
  lines: readonly SetLine<VideoLine>[],
  spec: WorldSpec,
  options: VideoOptions,
): Promise<VideoReport> {
  const group = model.manifest.vision.temporalDownsampleFactor;
  const items: VideoItem[] = [];
  for (const [i, setLine] of lines.entries()) {
    const { label, value: line } = setLine;
    if (options.signal?.aborted) throw new CancelledError();
    const seed = options.seed + i;
    const { video, ...scored } = await forLine(label, () =>
      line.kind === 'generate'
        ? scoreGenerate(model, line, spec, { ...options, seed, group })
        : scoreExtend(model, line, label, spec, { ...options, seed, group }),
    );
    await options.onVideo?.({ line: setLine, seed, ...video });
    items.push({ label, kind: line.kind, motion: line.motion, ...scored });
    options.onStep?.(i + 1, lines.length);
  }
  const perKind: VideoReport['perKind'] = {};
  for (const kind of ['generate', 'extend'] as const) {
    const of = items.filter((item) => item.kind === kind);
    if (of.length)
      perKind[kind] = {
        model: summary(of.map((x) => x.model)),
        groundTruth: summary(of.map((x) => x.groundTruth)),
      };
  }
  return {
    latentFrames: options.latentFrames,
    fps: spec.video.fps,
    seed: options.seed,
    sampling: options.sampling,
    perKind,
    items,
  };
}

type LineOptions = VideoOptions & { seed: number; group: number };

async function scoreGenerate(
  model: ModelHandle,
  line: Extract<VideoLine, { kind: 'generate' }>,
  spec: WorldSpec,
  options: LineOptions,
): Promise<Scored> {
  const generated = await generateVision(
    model,
    {
      prompt: line.prompt,
      negativePrompt: options.negativePrompt,
      ratio: '1:1',
      frames: options.latentFrames,
      fps: spec.video.fps,
      sampling: options.sampling,
      seed: options.seed,
    },
    options.signal ? { signal: options.signal } : {},
  );
  const subject: Subject = { class: line.class, color: line.color };
  const world = { width: spec.size, height: spec.size };
  const frames = options.latentFrames * options.group;
  const wish = { class: line.class, color: line.color, motion: line.motion };
  const truth = renderVideo(sampleMotionScene(new Rng(options.seed), spec, wish, frames), spec, frames);
  return {
    model: scoreMotion(await resizeFrames(generated.frames, world), spec, subject, line.motion),
    groundTruth: scoreMotion(truth, spec, subject, line.motion),
    video: { context: [], frames: generated.frames },
  };
}

async function scoreExtend(
  model: ModelHandle,
  line: Extract<VideoLine, { kind: 'extend' }>,
  label: string,
  spec: WorldSpec,
  options: LineOptions,
): Promise<Scored> {
  const contextCount = line.contextFrames * options.group;
  const addedCount = line.addFrames * options.group;
  const truth = renderVideo(line.scene, spec, Math.max(spec.video.frames, contextCount + addedCount));
  const context = truth.slice(0, contextCount);
  const modelFrames = await resizeFrames(context, modelImageSize(model.manifest));
  const generated = await generateVision(
    model,
    {
      prompt: line.prompt ?? '',
      negativePrompt: options.negativePrompt,
      ratio: '',
      frames: line.addFrames,
      fps: spec.video.fps,
      context: {
        codes: await encodeFrames(model, modelFrames),
        source: { path: label, sha256: framesDigest(modelFrames), frames: contextCount },
      },
      sampling: options.sampling,
      seed: options.seed,
    },
    options.signal ? { signal: options.signal } : {},
  );
  // The moving object is the subject; the added frames are followed on from the last context frame.
  const mover = line.scene.objects.find((o) => o.motion) ?? line.scene.objects[0];
  const subject: Subject = mover ? { class: mover.class, color: mover.color } : {};
  const rotations = line.motion === 'rotating';
  const sourceDirection = describeTrack(trackSubject(context, spec, subject, { rotations }));
  const last = context[contextCount - 1]!;
  const added = await resizeFrames(generated.frames, { width: spec.size, height: spec.size });
  const score = (frames: RgbFrame[]): MotionScore => {
    const scored = scoreMotion([last, ...frames], spec, subject, line.motion);
    // A direction must carry on as the context went; other motions are checked as words.
    const correct = isDirection(line.motion)
      ? scored.direction === sourceDirection && isDirection(sourceDirection)
      : scored.correct;
    return { ...scored, sourceDirection, correct };
  };
  return {
    model: score(added),
    groundTruth: score(truth.slice(contextCount, contextCount + addedCount)),
    video: { context: modelFrames, frames: generated.frames },
  };
}

function scoreMotion(
  frames: readonly RgbFrame[],
  spec: WorldSpec,
  subject: Subject,
  motion: string,
): MotionScore {
  const track = trackSubject(frames, spec, subject, { rotations: motion === 'rotating' });
  return {
    direction: describeTrack(track),
    correct: showsMotion(track, motion),
    subjectConsistency: subjectConsistency(track),
    smoothness: temporalSmoothness(frames),
  };
}

function summary(scores: readonly MotionScore[]): MotionSummary {
  return {
    count: scores.length,
    motionAccuracy: mean(scores.map((s) => (s.correct ? 1 : 0))),
    subjectConsistency: mean(scores.map((s) => s.subjectConsistency)),
    smoothness: mean(scores.map((s) => s.smoothness)),
  };
}
