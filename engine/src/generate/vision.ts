/**
 * Image and video generation, and video extension: prompts in the Emu3 formats, guidance as one batch,
 * the prefix constraint, the one decoding loop, then the vision tokenizer's decoder.
 */
import type { GenerationRecord, SamplingParams, RgbFrame } from '../api/index.js';
import type { ModelHandle } from '../runtime/open-model.js';
import { decodeCodes, type CodeGrid } from '../runtime/vq-runner.js';
import { decodeTokens, type DecodeStats } from './decode-loop.js';
import {
  extensionPrompt,
  generationPrompt,
  generationSize,
  newTokenCount,
  parseVisionTokens,
  partialGrid,
  type VisionGrid,
} from './format.js';
import { CompletionLogProb } from './logits-processors.js';
import { processorsFor } from './processors-for.js';
import { createProgressMeter, throttle, type GenerationProgress } from './progress.js';
import { makeRecord } from './record.js';
import { randomSeed, Rng } from './rng.js';

export interface VisionRequest {
  prompt: string;
  negativePrompt: string;
  /** Image: ratio and area give the grid. Video: `frames` latent frames at `fps`. */
  ratio: string;
  area?: number;
  frames?: number;
  fps?: number;
  sampling: SamplingParams;
  seed?: number;
  /** Extension: the source's frames already encoded, which the new frames continue. */
  context?: { codes: CodeGrid; source: NonNullable<GenerationRecord['source']> };
}

export interface VisionEvents {
  signal?: AbortSignal;
  onProgress?: (progress: GenerationProgress) => void;
  /**
   * Rows done so far of latent frame `frame` (0 for an image), decoded: at most every 250 ms, skipped while
   * one is still decoding, and once more for each frame when it is complete.
   */
  onPreview?: (frames: RgbFrame[], completeRows: number, frame: number) => void;
}

export interface VisionResult {
  record: GenerationRecord;
  /** Decoded frames: one for an image; for a video (or extension, the new part only) temporal factor × latent frames. */
  frames: RgbFrame[];
  stats: DecodeStats;
  /**
   * The completion's log-probability (docs/token-format.md#the-scored-completion): its sum,
   * also in the record, and one value per output token.
   */
  logProb: { sum: number; perToken: readonly number[] };
}

const PREVIEW_INTERVAL_MS = 250;

export async function generateVision(
  model: ModelHandle,
  request: VisionRequest,
  events: VisionEvents = {},
): Promise<VisionResult> {
  const { manifest } = model;
  const tokenizer = await model.tokenizer();
  const { special, visualTokens: visual } = manifest;
  const video = request.frames !== undefined || request.context !== undefined;
  const size = request.context
    ? { height: request.context.codes.height, width: request.context.codes.width }
    : generationSize(request.ratio, request.area ?? manifest.imageArea, manifest.vision.spatialFactor);
  const contextFrames = request.context?.codes.frames ?? 0;
  const grid: VisionGrid = video
    ? { ...size, frames: contextFrames + (request.frames ?? 1), fps: request.fps ?? 8 }
    : { ...size };
  const newFrames = (grid.frames ?? 1) - contextFrames;

  const prompt = request.context
    ? extensionPrompt(tokenizer, special, visual, request.prompt, grid, request.context.codes)
    : generationPrompt(tokenizer, special, request.prompt, grid);
  const guided = request.sampling.guidance !== 1;
  const negative = guided
    ? request.context
      ? extensionPrompt(tokenizer, special, visual, request.negativePrompt, grid, request.context.codes)
      : generationPrompt(tokenizer, special, request.negativePrompt, grid)
    : undefined;

  const total = newTokenCount(grid, contextFrames);
  const { list } = processorsFor(manifest, request.sampling, { ...size, frames: grid.frames ?? 1, prompt });
  const seed = request.seed ?? randomSeed();
  const meter = createProgressMeter(total);
  const preview = previewer(model, { ...size, frames: newFrames }, events);

  const { provider } = await model.session('decoder');
  const soFar: number[] = [];
  const logProb = new CompletionLogProb();
  const { tokens, stats } = await decodeTokens(model, {
    rows: negative ? [prompt, negative] : [prompt],
    guidance: request.sampling.guidance,
    processors: list,
    rng: request.sampling.greedy ? null : new Rng(seed),
    maxNewTokens: total,
    stopToken: special.eos,
    observer: logProb,
    ...(events.signal ? { signal: events.signal } : {}),
    onToken: (token, done) => {
      soFar.push(token);
      events.onProgress?.(meter(done));
      preview?.(soFar);
    },
  });
  await preview?.settle();

  const codes = parseVisionTokens(tokens, { ...size, frames: newFrames }, special, visual);
  const frames = await decodeGenerated(model, codes, request.context?.codes, video);
  const record = makeRecord({
    mode: request.context ? 'extend' : video ? 'video' : 'image',
    model: { id: manifest.id, precision: manifest.precision },
    prompt: request.prompt,
    negativePrompt: guided ? request.negativePrompt : '',
    ...(request.context ? {} : { ratio: request.ratio, area: request.area ?? manifest.imageArea }),
    grid: {
      height: size.height,
      width: size.width,
      frames: grid.frames ?? 1,
      ...(grid.fps ? { fps: grid.fps } : {}),
    },
    sampling: request.sampling,
    maxNewTokens: total,
    seed,
    provider,
    tokens: { prompt, ...(negative ? { negative } : {}), output: tokens },
    completionLogProb: logProb.sum,
    ...(request.context ? { source: request.context.source } : {}),
  });
  return { record, frames, stats, logProb: { sum: logProb.sum, perToken: logProb.perToken } };
}

/**
 * New frames of a video are decoded together with the context frames before them, so the decoder's causal
 * temporal layers see what came before, as they would have in one video; the context's frames are dropped.
 */
async function decodeGenerated(
  model: ModelHandle,
  codes: CodeGrid,
  context: CodeGrid | undefined,
  video: boolean,
): Promise<RgbFrame[]> {
  if (!context) return decodeCodes(model, codes, !video);
  const joined: CodeGrid = {
    ...codes,
    frames: context.frames + codes.frames,
    codes: new Int32Array([...context.codes, ...codes.codes]),
  };
  const frames = await decodeCodes(model, joined, false);
  return frames.slice(context.frames * model.manifest.vision.temporalDownsampleFactor);
}

/**
 * Previews of the rows done so far; null when nobody listens. A video previews the latent frame being
 * written, and each frame whole once it is complete (whatever the clock says), so a strip of frames fills in.
 */
function previewer(
  model: ModelHandle,
  expected: { height: number; width: number; frames: number },
  events: VisionEvents,
) {
  const listener = events.onPreview;
  if (!listener) return null;
  const due = throttle(PREVIEW_INTERVAL_MS);
  let running: Promise<void> | null = null;
  let shown = { frame: 0, rows: 0 };
  /** Frames whose complete preview went out (or was passed by). */
  let completed = 0;
  const { special, visualTokens } = model.manifest;
  const { height, width } = expected;
  const show = (codes: Int32Array, frame: number, rows: number) => {
    shown = { frame, rows };
    const start = frame * height * width;
    const grid: CodeGrid = {
      frames: 1,
      height: rows,
      width,
      codes: Int32Array.from(codes.subarray(start, start + rows * width)),
    };
    running = decodeCodes(model, grid, true)
      .then((frames) => listener(frames, rows, frame))
      .catch(() => {}) // a failed preview must not fail the job; the final decode reports real problems
      .finally(() => (running = null));
  };
  const update = (tokens: readonly number[]) => {
    if (running) return;
    const partial = partialGrid(tokens, expected, special, visualTokens);
    const total = Math.min(partial.rows, height * expected.frames);
    const done = Math.floor(total / height);
    // An image's last rows are shown by the result itself: no extra decode just before the final one.
    if (completed < done && expected.frames > 1) {
      const frame = completed++;
      if (shown.frame !== frame || shown.rows !== height) return show(partial.codes, frame, height);
    }
    const frame = Math.min(done, expected.frames - 1);
    const rows = total - frame * height;
    // Only a new row is worth a decode; the clock is consulted after that, so a fast run still gets one.
    if (rows <= 0 || (frame === shown.frame && rows === shown.rows) || !due()) return;
    show(partial.codes, frame, rows);
  };
  return Object.assign(update, { settle: () => running ?? Promise.resolve() });
}
