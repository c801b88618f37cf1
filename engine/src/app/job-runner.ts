/**
 * The generation jobs of the engine's one queue (app/job-scheduler.ts): the `jobs.*` methods, and the kinds
 * they queue. An image job ends saved in the library; a replay regenerates a library item and compares
 * every token; videos and extensions are in video-jobs.ts. Each job runs on the model it was queued on.
 */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import {
  CancelledError,
  EngineError,
  ExtendParams,
  GenerateImageParams,
  GenerateVideoParams,
  ReplayParams,
  summarizeRecord,
  type JobStatus,
  type JobSummary,
  type SerializedError,
} from '../api/index.js';
import type { JobKindHandler, JobKinds, JobScheduler, RunningJob } from './job-scheduler.js';
import { generationSize } from '../generate/format.js';
import type { GenerationProgress } from '../generate/progress.js';
import { replayRecord } from '../generate/replay.js';
import { completeRequest } from '../generate/request-defaults.js';
import { generateVision } from '../generate/vision.js';
import { pngDataUrl } from '../media/images.js';
import type { JobEntry, JobRestorers, RestoredJob } from './job-queue.js';
import type { LibraryMethods } from './library-methods.js';
import type { Emit } from './method-impls.js';
import type { ModelLease, ModelRegistry } from './model-registry.js';
import type { VideoJobEntry, VideoJobs } from './video-jobs.js';

type GenerationKind = 'image' | 'replay' | 'video' | 'extend';
type GenerationEntry = Extract<JobEntry, { kind: GenerationKind }>;

export interface JobRunnerOptions {
  scheduler: JobScheduler;
  models: ModelRegistry;
  library: LibraryMethods;
  emit: Emit;
  /** Checks video and extension requests when they are queued (video-jobs.ts). */
  video: Pick<VideoJobs, 'videoEntry' | 'extendEntry'>;
}

/** The `jobs.*` methods that queue, cancel, list and move generation jobs. */
export interface JobRunner {
  generateImage(params: GenerateImageParams): { jobId: string };
  generateVideo(params: GenerateVideoParams): Promise<{ jobId: string }>;
  extend(params: ExtendParams): Promise<{ jobId: string }>;
  replay(itemId: number): { jobId: string };
  cancel(jobId: string): Promise<{ jobId: string; status: JobStatus }>;
  list(): JobSummary[];
  move(jobId: string, index: number): { queued: string[] };
}

export function createJobRunner(options: JobRunnerOptions): JobRunner {
  const { scheduler, models, library, emit } = options;

  function enqueue(entry: JobEntry, lease: ModelLease | null): { jobId: string } {
    try {
      scheduler.add(entry, lease);
    } catch (error) {
      lease?.release();
      throw error;
    }
    return { jobId: entry.jobId };
  }

  /** Queues a job on the active model, once its request checks out against it. */
  async function enqueueOnActive(entry: (lease: ModelLease) => JobEntry | Promise<JobEntry>) {
    const lease = models.leaseActive();
    if (!lease)
      throw new EngineError('bad_request', 'no model is active: activate one first (models.activate)');
    let checked: JobEntry;
    try {
      checked = await entry(lease);
    } catch (error) {
      lease.release();
      throw error;
    }
    return enqueue(checked, lease);
  }

  function generateImage(params: GenerateImageParams): { jobId: string } {
    const lease = models.leaseActive();
    if (!lease)
      throw new EngineError('bad_request', 'no model is active: activate one first (models.activate)');
    let entry: JobEntry;
    try {
      const { manifest } = lease.model;
      // The size rule's errors belong to the request, not to a job that fails later.
      const { area } = completeRequest(manifest, params);
      const grid = generationSize(params.ratio, area, manifest.vision.spatialFactor);
      entry = {
        jobId: randomUUID(),
        kind: 'image',
        params,
        status: 'queued',
        modelId: manifest.id,
        prompt: params.prompt,
        grid: { height: grid.height, width: grid.width },
        createdAt: new Date().toISOString(),
      };
    } catch (error) {
      lease.release();
      throw error;
    }
    return enqueue(entry, lease);
  }

  function replay(itemId: number): { jobId: string } {
    const { record } = library.item(itemId);
    if (!/^[0-9a-f]{64}$/.test(record.model.id))
      throw new EngineError('invalid_file', `library item ${itemId}: its record names no model package`);
    if (record.mode !== 'image' && record.mode !== 'video' && record.mode !== 'extend')
      throw new EngineError('unsupported', `library item ${itemId}: only images and videos can be replayed`);
    const active = models.active();
    const lease = active?.manifest.id === record.model.id ? models.leaseActive() : null;
    return enqueue(
      {
        jobId: randomUUID(),
        kind: 'replay',
        params: { itemId },
        status: 'queued',
        modelId: record.model.id,
        prompt: record.prompt,
        itemId,
        ...(record.grid ? { grid: { height: record.grid.height, width: record.grid.width } } : {}),
        createdAt: new Date().toISOString(),
      },
      lease,
    );
  }

  async function cancel(jobId: string): Promise<{ jobId: string; status: JobStatus }> {
    const entry = scheduler.get(jobId);
    if (!entry || !isGeneration(entry)) throw new EngineError('not_found', `no job ${jobId}`);
    return { jobId, status: await scheduler.cancel(jobId) };
  }

  function move(jobId: string, index: number): { queued: string[] } {
    const queued = scheduler.move(jobId, index);
    emit('jobs.reordered', { queued });
    return { queued };
  }

  return {
    generateImage,
    generateVideo: (params) => enqueueOnActive((lease) => options.video.videoEntry(params, lease.model)),
    extend: (params) => enqueueOnActive((lease) => options.video.extendEntry(params, lease.model)),
    replay,
    cancel,
    list: () => scheduler.list().filter(isGeneration).map(summarize),
    move,
  };
}

const isGeneration = (entry: JobEntry): entry is GenerationEntry => entry.kind !== 'ask';

export interface GenerationKindsOptions {
  library: LibraryMethods;
  emit: Emit;
  /** Runs video and extension jobs (video-jobs.ts). */
  video: Pick<VideoJobs, 'run'>;
}

/** The generation kinds of the queue: persisted, listed, reported as `job.*` events. */
export function generationKinds(options: GenerationKindsOptions): Pick<JobKinds, GenerationKind> {
  const { library, emit } = options;
  const reports = {
    queued: (entry: GenerationEntry) => emit('job.queued', summarize(entry)),
    started: (entry: GenerationEntry) => emit('job.started', { jobId: entry.jobId }),
    progress: (entry: GenerationEntry, progress: GenerationProgress) =>
      emit('job.progress', { jobId: entry.jobId, ...progress }),
    cancelled: (entry: GenerationEntry) => emit('job.cancelled', { jobId: entry.jobId }),
    failed: (entry: GenerationEntry, error: SerializedError) =>
      emit('job.failed', { jobId: entry.jobId, error }),
  };
  const video: JobKindHandler<VideoJobEntry>['run'] = (entry, job) => options.video.run(entry, job);

  return {
    image: {
      ...reports,
      restore: generationRestorers.image,
      run: ({ jobId, params }, job) => runImage(jobId, params, job),
    },
    replay: {
      ...reports,
      restore: generationRestorers.replay,
      run: ({ jobId, params }, job) => runReplay(jobId, params.itemId, job),
    },
    video: { ...reports, restore: generationRestorers.video, run: video },
    extend: { ...reports, restore: generationRestorers.extend, run: video },
  };

  async function runImage(jobId: string, params: GenerateImageParams, job: RunningJob): Promise<void> {
    const { model, signal } = job;
    const { negativePrompt, area, sampling, seed } = completeRequest(model.manifest, params);
    const result = await generateVision(
      model,
      { prompt: params.prompt, negativePrompt, ratio: params.ratio, area, sampling, seed },
      {
        signal,
        onProgress: (progress) => job.progress(progress),
        onPreview: async (frames, rows) => {
          const image = await pngDataUrl(frames[0]!);
          if (!signal.aborted) emit('job.preview', { jobId, rows, image });
        },
      },
    );
    if (signal.aborted) throw new CancelledError();
    const frame = result.frames[0]!;
    // Saved before the job counts as finished: a result the library could not keep is a failed job.
    const parent = params.parent && { id: params.parent.itemId, relation: params.parent.relation };
    const item = await library.saveImage(frame, result.record, parent);
    const image = await pngDataUrl(frame);
    job.finish({ itemId: item.id });
    emit('job.finished', {
      jobId,
      record: summarizeRecord(result.record),
      image,
      width: frame.width,
      height: frame.height,
      seconds: (performance.now() - job.started) / 1000,
      itemId: item.id,
    });
  }

  async function runReplay(jobId: string, itemId: number, job: RunningJob): Promise<void> {
    const { record } = library.item(itemId);
    const result = await replayRecord(job.model, record, job.signal);
    if (job.signal.aborted) throw new CancelledError();
    job.finish();
    emit('job.replayed', {
      jobId,
      itemId,
      verdict: result.matches ? 'identical' : 'different',
      tokens: record.tokens.output.length,
      firstDifference: result.firstDifference,
      seconds: (performance.now() - job.started) / 1000,
    });
  }
}

/** How generation jobs come back after a restart: their requests checked again against the protocol. */
export const generationRestorers = {
  image: restoreWith('image', GenerateImageParams),
  replay: (base: RestoredJob, request: unknown): Extract<JobEntry, { kind: 'replay' }> | null => {
    const params = ReplayParams.safeParse(request);
    return params.success
      ? { ...base, kind: 'replay', params: params.data, itemId: params.data.itemId }
      : null;
  },
  video: restoreWith('video', GenerateVideoParams),
  extend: restoreWith('extend', ExtendParams),
} satisfies JobRestorers;

/** A kind's restorer that checks the stored request against the protocol's schema for it. */
function restoreWith<K extends 'image' | 'video' | 'extend'>(
  kind: K,
  schema: z.ZodType<Extract<JobEntry, { kind: K }>['params']>,
) {
  return (base: RestoredJob, request: unknown): Extract<JobEntry, { kind: K }> | null => {
    const params = schema.safeParse(request);
    return params.success ? ({ ...base, kind, params: params.data } as Extract<JobEntry, { kind: K }>) : null;
  };
}

function summarize(entry: GenerationEntry): JobSummary {
  return {
    jobId: entry.jobId,
    kind: entry.kind,
    status: entry.status,
    modelId: entry.modelId,
    prompt: entry.prompt,
    createdAt: entry.createdAt,
    ...(entry.grid ? { grid: entry.grid } : {}),
    ...(entry.itemId !== undefined ? { itemId: entry.itemId } : {}),
    ...(entry.startedAt ? { startedAt: entry.startedAt } : {}),
    ...(entry.endedAt ? { endedAt: entry.endedAt } : {}),
    ...(entry.progress ? { progress: entry.progress } : {}),
    ...(entry.error ? { error: entry.error } : {}),
  };
}
