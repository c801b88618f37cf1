/**
 * Jobs: queued behind the `JobQueue`, run one at a time, first queued first, each on the model it was queued
 * on. An image job ends saved in the library; a replay regenerates a library item and compares every token.
 * A paused queue finishes the running job and starts no other until resumed.
 */
import { randomUUID } from 'node:crypto';
import {
  CancelledError,
  EngineError,
  serializeError,
  summarizeRecord,
  type EventData,
  type EventName,
  type ExtendParams,
  type GenerateImageParams,
  type GenerateVideoParams,
  type JobStatus,
  type JobSummary,
} from '../api/index.js';
import { DEFAULT_NEGATIVE_PROMPT, defaultGenerationSampling } from '../generate/defaults.js';
import { generationSize } from '../generate/format.js';
import { throttle } from '../generate/progress.js';
import { replayRecord } from '../generate/replay.js';
import { generateVision } from '../generate/vision.js';
import { pngDataUrl } from '../media/images.js';
import type { JobEntry, JobQueue } from './job-queue.js';
import type { LibraryMethods } from './library-methods.js';
import type { ModelLease, ModelRegistry } from './model-registry.js';
import { createVideoJobs, type VideoJobsOptions } from './video-jobs.js';

/** How often progress events go out at most; previews have their own pace (generate/vision.ts). */
const PROGRESS_INTERVAL_MS = 100;

type Emit = <E extends EventName>(event: E, data: EventData<E>) => void;

export interface JobRunnerOptions {
  queue: JobQueue;
  models: ModelRegistry;
  library: LibraryMethods;
  emit: Emit;
  /** Called whenever what `engine.status` reports may have changed. */
  onStatus: () => void;
  /** What video and extension jobs save to and read from (app/video-jobs.ts). */
  video: Pick<VideoJobsOptions, 'library' | 'videos' | 'uploads'>;
}

export interface JobRunner {
  generateImage(params: GenerateImageParams): { jobId: string };
  generateVideo(params: GenerateVideoParams): Promise<{ jobId: string }>;
  extend(params: ExtendParams): Promise<{ jobId: string }>;
  replay(itemId: number): { jobId: string };
  cancel(jobId: string): Promise<{ jobId: string; status: JobStatus }>;
  list(): JobSummary[];
  move(jobId: string, index: number): { queued: string[] };
  setPaused(paused: boolean): void;
  readonly runningJobId: string | null;
  readonly paused: boolean;
  queuedCount(): number;
  /** Starts the queue (jobs restored from an earlier run wait for this). */
  start(): void;
  /** Stops the running job and leaves it and every queued job in the queue, for the next start. */
  close(): Promise<void>;
}

interface LiveJob {
  controller: AbortController;
  /** Taken when queued on the active model, so retiring that model does not close it under the job. */
  lease: ModelLease | null;
  /** Settles when the job has ended, however it ended. */
  ended: Promise<void>;
  end(): void;
}

export function createJobRunner(options: JobRunnerOptions): JobRunner {
  const { queue, models, library, emit } = options;
  const live = new Map<string, LiveJob>();
  let runningJobId: string | null = null;
  let paused = false;
  let started = false;
  let closed = false;

  function liveJob(jobId: string, lease: ModelLease | null): LiveJob {
    let end!: () => void;
    const ended = new Promise<void>((resolve) => (end = resolve));
    const job = { controller: new AbortController(), lease, ended, end };
    live.set(jobId, job);
    return job;
  }

  function enqueue(entry: JobEntry, lease: ModelLease | null): { jobId: string } {
    liveJob(entry.jobId, lease);
    queue.add(entry);
    emit('job.queued', summarize(entry));
    options.onStatus();
    // After this call's response has gone out, so the caller knows the job id before its events.
    setImmediate(pump);
    return { jobId: entry.jobId };
  }

  function generateImage(params: GenerateImageParams): { jobId: string } {
    const lease = models.leaseActive();
    if (!lease)
      throw new EngineError('bad_request', 'no model is active: activate one first (models.activate)');
    try {
      const { manifest } = lease.model;
      // The size rule's errors belong to the request, not to a job that fails later.
      const grid = generationSize(
        params.ratio,
        params.area ?? manifest.imageArea,
        manifest.vision.spatialFactor,
      );
      return enqueue(
        {
          jobId: randomUUID(),
          kind: 'image',
          params,
          status: 'queued',
          modelId: manifest.id,
          prompt: params.prompt,
          grid: { height: grid.height, width: grid.width },
          createdAt: new Date().toISOString(),
        },
        lease,
      );
    } catch (error) {
      lease.release();
      throw error;
    }
  }

  const video = createVideoJobs({ ...options.video, queue, emit, end });

  /** Queues a video or extension job on the active model, once its request checks out against it. */
  async function enqueueVideo(entry: (lease: ModelLease) => Promise<JobEntry>): Promise<{ jobId: string }> {
    const lease = models.leaseActive();
    if (!lease)
      throw new EngineError('bad_request', 'no model is active: activate one first (models.activate)');
    try {
      return enqueue(await entry(lease), lease);
    } catch (error) {
      lease.release();
      throw error;
    }
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

  function pump(): void {
    if (runningJobId !== null || closed || paused || !started) return;
    const entry = queue.nextQueued();
    if (!entry) return;
    runningJobId = entry.jobId;
    void runJob(entry).finally(() => {
      runningJobId = null;
      options.onStatus();
      pump();
    });
  }

  async function runJob(entry: JobEntry): Promise<void> {
    const { jobId } = entry;
    // A job restored from an earlier run has no live part yet: it gets one, and its model, now.
    const job = live.get(jobId) ?? liveJob(jobId, null);
    const { signal } = job.controller;
    queue.update(jobId, { status: 'running', startedAt: new Date().toISOString() });
    emit('job.started', { jobId });
    options.onStatus();
    const started = performance.now();
    try {
      job.lease ??= await models.leaseById(entry.modelId);
      if (signal.aborted) throw new CancelledError();
      if (entry.kind === 'image') await runImage(jobId, entry.params, job.lease, signal, started);
      else if (entry.kind === 'video' || entry.kind === 'extend')
        await video.run(entry, job.lease.model, signal, started);
      else await runReplay(jobId, entry.params.itemId, job.lease, signal, started);
    } catch (error) {
      if (closed && signal.aborted) {
        // Shutting down: not a cancellation by the user. It stays queued for the next start.
        queue.update(jobId, { status: 'queued' });
      } else if (error instanceof CancelledError || signal.aborted) {
        end(jobId, { status: 'cancelled' });
        emit('job.cancelled', { jobId });
      } else {
        const serialized = serializeError(error);
        end(jobId, { status: 'failed', error: serialized });
        emit('job.failed', { jobId, error: serialized });
      }
    } finally {
      job.lease?.release();
      live.delete(jobId);
      job.end();
    }
  }

  async function runImage(
    jobId: string,
    params: GenerateImageParams,
    { model }: ModelLease,
    signal: AbortSignal,
    started: number,
  ): Promise<void> {
    const progressDue = throttle(PROGRESS_INTERVAL_MS);
    const result = await generateVision(
      model,
      {
        prompt: params.prompt,
        negativePrompt: params.negativePrompt ?? DEFAULT_NEGATIVE_PROMPT,
        ratio: params.ratio,
        ...(params.area !== undefined ? { area: params.area } : {}),
        sampling: { ...defaultGenerationSampling(model.manifest), ...params.sampling },
        ...(params.seed !== undefined ? { seed: params.seed } : {}),
      },
      {
        signal,
        onProgress: (progress) => {
          if (!progressDue(progress.done === 1 || progress.done === progress.total)) return;
          queue.update(jobId, { progress });
          emit('job.progress', { jobId, ...progress });
        },
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
    end(jobId, { status: 'finished', itemId: item.id });
    emit('job.finished', {
      jobId,
      record: summarizeRecord(result.record),
      image,
      width: frame.width,
      height: frame.height,
      seconds: (performance.now() - started) / 1000,
      itemId: item.id,
    });
  }

  async function runReplay(
    jobId: string,
    itemId: number,
    { model }: ModelLease,
    signal: AbortSignal,
    started: number,
  ): Promise<void> {
    const { record } = library.item(itemId);
    const result = await replayRecord(model, record, signal);
    if (signal.aborted) throw new CancelledError();
    end(jobId, { status: 'finished' });
    emit('job.replayed', {
      jobId,
      itemId,
      verdict: result.matches ? 'identical' : 'different',
      tokens: record.tokens.output.length,
      firstDifference: result.firstDifference,
      seconds: (performance.now() - started) / 1000,
    });
  }

  function end(jobId: string, patch: Pick<JobEntry, 'status' | 'error' | 'itemId'>): void {
    queue.update(jobId, { ...patch, endedAt: new Date().toISOString() });
  }

  async function cancel(jobId: string): Promise<{ jobId: string; status: JobStatus }> {
    const entry = queue.get(jobId);
    if (!entry) throw new EngineError('not_found', `no job ${jobId}`);
    const job = live.get(jobId);
    if (entry.status === 'queued') {
      queue.remove(jobId);
      if (job) {
        job.lease?.release();
        live.delete(jobId);
        job.end();
      }
      emit('job.cancelled', { jobId });
      options.onStatus();
      return { jobId, status: 'cancelled' };
    }
    if (entry.status === 'running' && job) {
      job.controller.abort();
      await job.ended;
    }
    return { jobId, status: queue.get(jobId)?.status ?? 'cancelled' };
  }

  function move(jobId: string, index: number): { queued: string[] } {
    const entry = queue.get(jobId);
    if (!entry) throw new EngineError('not_found', `no job ${jobId}`);
    if (entry.status !== 'queued')
      throw new EngineError('bad_request', `job ${jobId} is ${entry.status}; only queued jobs move`);
    const queued = queue.move(jobId, index);
    emit('jobs.reordered', { queued });
    return { queued };
  }

  return {
    generateImage,
    generateVideo: (params) => enqueueVideo((lease) => video.videoEntry(params, lease.model)),
    extend: (params) => enqueueVideo((lease) => video.extendEntry(params, lease.model)),
    replay,
    cancel,
    list: () => queue.list().map(summarize),
    move,
    setPaused(value) {
      paused = value;
      options.onStatus();
      pump();
    },
    get runningJobId() {
      return runningJobId;
    },
    get paused() {
      return paused;
    },
    queuedCount: () => queue.list().filter((entry) => entry.status === 'queued').length,
    start() {
      started = true;
      pump();
    },
    async close() {
      closed = true;
      for (const [jobId, job] of live) {
        if (jobId === runningJobId) continue;
        job.lease?.release();
        live.delete(jobId);
        job.end();
      }
      const running = runningJobId === null ? undefined : live.get(runningJobId);
      running?.controller.abort();
      await running?.ended;
    },
  };
}

function summarize(entry: JobEntry): JobSummary {
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
