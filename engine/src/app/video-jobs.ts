/**
 * Video jobs of the engine's one queue (app/job-scheduler.ts): text to video, and extensions of a gallery video or an uploaded file.
 * Requests are checked when queued (the model's positions, the source's length) so a mistake is answered at
 * once; the job then generates with previews of each latent frame as its rows complete, and ends as a
 * gallery item: an MP4 carrying its record, a poster, and for an extension its parent.
 */
import { randomUUID } from 'node:crypto';
import {
  CancelledError,
  DEFAULT_VIDEO_FPS,
  EngineError,
  summarizeRecord,
  type ExtendParams,
  type GenerateVideoParams,
  type ItemParent,
  type RgbFrame,
} from '../api/index.js';
import { generationPrompt, generationSize, newTokenCount } from '../generate/format.js';
import type { GenerationProgress } from '../generate/progress.js';
import { completeRequest } from '../generate/request-defaults.js';
import { generateVision, type VisionResult } from '../generate/vision.js';
import type { Library } from '../library/library.js';
import { pngDataUrl } from '../media/images.js';
import type { ModelHandle } from '../runtime/open-model.js';
import { encodeFrames } from '../runtime/vq-runner.js';
import type { RunningJob } from './job-scheduler.js';
import type { JobEntry } from './job-queue.js';
import type { Emit } from './method-impls.js';
import type { VideoLibrary } from './video-library.js';
import { readSourceFrames, resolveSource, sourceFits } from './video-sources.js';
import type { UploadStore } from './upload-store.js';

export type VideoJobEntry = Extract<JobEntry, { kind: 'video' | 'extend' }>;

export interface VideoJobsOptions {
  emit: Emit;
  library: Library;
  videos: VideoLibrary;
  uploads: UploadStore;
}

export interface VideoJobs {
  /** The queue entry of a text-to-video request, checked against `model`. */
  videoEntry(params: GenerateVideoParams, model: ModelHandle): Promise<VideoJobEntry>;
  /** The queue entry of an extension, its source found and measured against the context it asks for. */
  extendEntry(params: ExtendParams, model: ModelHandle): Promise<VideoJobEntry>;
  run(entry: VideoJobEntry, job: RunningJob): Promise<void>;
}

export function createVideoJobs(options: VideoJobsOptions): VideoJobs {
  const { emit, videos } = options;

  /** Progress (through the queue) and per-frame previews of a running job, as events. */
  function events(jobId: string, job: RunningJob) {
    const { signal } = job;
    return {
      signal,
      onProgress: (progress: GenerationProgress) => job.progress(progress),
      onPreview: async (frames: RgbFrame[], rows: number, frame: number) => {
        const image = await pngDataUrl(frames[0]!);
        if (!signal.aborted) emit('job.preview', { jobId, rows, image, frame });
      },
    };
  }

  async function finish(
    jobId: string,
    job: RunningJob,
    result: VisionResult,
    frames: readonly RgbFrame[],
    fps: number,
    parent?: ItemParent,
  ): Promise<void> {
    const { signal } = job;
    if (signal.aborted) throw new CancelledError();
    const poster = result.frames[0]!;
    // Saved before the job counts as finished: a result the library could not keep is a failed job.
    const item = await videos.saveVideo(frames, result.record, {
      fps,
      poster,
      signal,
      ...(parent ? { parent } : {}),
    });
    job.finish({ itemId: item.id });
    emit('job.finished', {
      jobId,
      record: summarizeRecord(result.record),
      image: await pngDataUrl(poster),
      width: poster.width,
      height: poster.height,
      seconds: (performance.now() - job.started) / 1000,
      itemId: item.id,
      media: item.media,
    });
  }

  return {
    async videoEntry(params, model) {
      const { manifest } = model;
      const { area, negativePrompt } = completeRequest(manifest, params);
      const size = generationSize(params.ratio, area, manifest.vision.spatialFactor);
      const grid = { ...size, frames: params.frames, fps: params.fps };
      await checkPositions(model, [params.prompt, negativePrompt], grid, 0);
      return {
        jobId: randomUUID(),
        kind: 'video',
        params,
        status: 'queued',
        modelId: manifest.id,
        prompt: params.prompt,
        grid,
        createdAt: new Date().toISOString(),
      };
    },

    async extendEntry(params, model) {
      const { manifest } = model;
      const resolved = await resolveSource(params.source, options, params.fps ?? DEFAULT_VIDEO_FPS);
      const fit = pickFit(resolved, params.ratio, manifest);
      const group = manifest.vision.temporalDownsampleFactor;
      const needed = params.context * group;
      if (resolved.frames < needed)
        throw new EngineError(
          'bad_request',
          `${resolved.name}: ${resolved.frames} frames at ${resolved.fps} fps, fewer than the ${needed} that ${params.context} latent frame${params.context === 1 ? '' : 's'} of context need`,
        );
      const factor = manifest.vision.spatialFactor;
      const size = { height: fit.height / factor, width: fit.width / factor };
      const prompt = params.prompt ?? resolved.record?.prompt ?? '';
      const total = { ...size, frames: params.context + params.frames, fps: resolved.fps };
      const { negativePrompt } = completeRequest(manifest, params);
      await checkPositions(model, [prompt, negativePrompt], total, params.context);
      return {
        jobId: randomUUID(),
        kind: 'extend',
        // The source's rate and the crop are fixed now, so a restart runs what the user saw.
        params: { ...params, ratio: fit.ratio, fps: resolved.fps },
        status: 'queued',
        modelId: manifest.id,
        prompt: prompt || `Extension of ${resolved.name}`,
        grid: { ...size, frames: params.frames, fps: resolved.fps },
        createdAt: new Date().toISOString(),
      };
    },

    async run(entry, job) {
      const { model, signal } = job;
      const { manifest } = model;
      const { negativePrompt, sampling, seed, area } = completeRequest(manifest, entry.params);
      if (entry.kind === 'video') {
        const { params } = entry;
        const result = await generateVision(
          model,
          {
            prompt: params.prompt,
            negativePrompt,
            ratio: params.ratio,
            area,
            frames: params.frames,
            fps: params.fps,
            sampling,
            seed,
          },
          events(entry.jobId, job),
        );
        const parent = params.parent && { id: params.parent.itemId, relation: params.parent.relation };
        return finish(entry.jobId, job, result, result.frames, params.fps, parent);
      }

      const { params } = entry;
      const resolved = await resolveSource(params.source, options, params.fps, signal);
      const fit = pickFit(resolved, params.ratio, manifest);
      const frames = await readSourceFrames(resolved, fit, signal);
      const contextCount = params.context * manifest.vision.temporalDownsampleFactor;
      if (frames.length < contextCount)
        throw new EngineError(
          'bad_request',
          `${resolved.name}: ${frames.length} frames could be read, fewer than the ${contextCount} the context needs`,
        );
      const codes = await encodeFrames(model, frames.slice(frames.length - contextCount));
      if (signal.aborted) throw new CancelledError();
      const result = await generateVision(
        model,
        {
          prompt: params.prompt ?? resolved.record?.prompt ?? '',
          negativePrompt,
          ratio: '',
          frames: params.frames,
          fps: resolved.fps,
          context: {
            codes,
            source: {
              path: params.source.kind === 'item' ? `library item ${params.source.itemId}` : resolved.name,
              sha256: resolved.sha256,
              frames: contextCount,
            },
          },
          sampling,
          seed,
        },
        events(entry.jobId, job),
      );
      const parent =
        params.source.kind === 'item'
          ? { id: params.source.itemId, relation: 'extension' as const }
          : undefined;
      return finish(entry.jobId, job, result, [...frames, ...result.frames], resolved.fps, parent);
    },
  };
}

function pickFit(
  resolved: Parameters<typeof sourceFits>[0],
  ratio: string | undefined,
  manifest: Parameters<typeof sourceFits>[1],
) {
  const fits = sourceFits(resolved, manifest);
  if (ratio === undefined) return fits[0]!;
  const fit = fits.find((f) => f.ratio === ratio);
  if (!fit)
    throw new EngineError(
      'bad_request',
      `crop ratio ${ratio} is not one of ${fits.map((f) => f.ratio).join(', ')}`,
    );
  return fit;
}

/**
 * A request the model has no room for fails now, in one line, not after minutes of work: the prompt (with
 * any context frames) and every token to generate must fit the decoder's positions.
 */
async function checkPositions(
  model: ModelHandle,
  texts: readonly string[],
  grid: { height: number; width: number; frames: number; fps: number },
  contextFrames: number,
): Promise<void> {
  const { manifest } = model;
  const tokenizer = await model.tokenizer();
  const prompt = Math.max(
    ...texts.map((text) => generationPrompt(tokenizer, manifest.special, text, grid).length),
  );
  const perFrame = grid.height * (grid.width + 1) + 1;
  const needed = prompt + contextFrames * perFrame + newTokenCount(grid, contextFrames);
  const room = manifest.decoder.maxPositionEmbeddings;
  if (needed <= room) return;
  const most = Math.floor((room - prompt - 2) / perFrame) - contextFrames;
  throw new EngineError(
    'bad_request',
    `${grid.frames - contextFrames} latent frame${grid.frames - contextFrames === 1 ? '' : 's'} of ${grid.width}×${grid.height} tokens${contextFrames ? ` after ${contextFrames} of context` : ''} need ${needed} positions; this model has ${room}, room for ${Math.max(0, most)}`,
  );
}
