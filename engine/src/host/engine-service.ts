/**
 * The engine behind the protocol, whatever carries it (the web host's WebSocket, Electron IPC, tests):
 * `handle(method, params)` validates the params, runs the method and validates its result; `onEvent`
 * streams what jobs report. Jobs run one at a time from a queue behind the small `JobQueue` interface,
 * each on the model that was active when it was queued.
 */
import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import sharp from 'sharp';
import type { z } from 'zod';
import {
  CancelledError,
  describeIssues,
  EngineError,
  Events,
  InternalError,
  isMethodName,
  Methods,
  serializeError,
  type EngineEvent,
  type EngineInfo,
  type EngineStatus,
  type EventData,
  type EventName,
  type GenerateImageParams,
  type JobStatus,
  type JobSummary,
  type MethodName,
  type MethodParams,
  type MethodResult,
  type ModelSummary,
} from '../api/index.js';
import { DEFAULT_NEGATIVE_PROMPT, defaultGenerationSampling } from '../generate/defaults.js';
import { generationSize } from '../generate/format.js';
import { throttle } from '../generate/progress.js';
import { generateVision } from '../generate/vision.js';
import { openModel, type ModelHandle } from '../model/open-model.js';
import { readManifest, type PackageManifest } from '../model/package-manifest.js';
import type { ProviderChoice } from '../runtime/execution-provider.js';
import type { RgbFrame } from '../runtime/vq-runner.js';
import { createMemoryJobQueue, type JobEntry, type JobQueue } from './job-queue.js';
import { studioVersion } from './package-info.js';

export interface EngineServiceOptions {
  /** The library's models folder: one package per folder. */
  modelsDir: string;
  provider: ProviderChoice;
  threads?: number;
  /** Which host runs the engine, as `system.info` reports it (default: web). */
  host?: EngineInfo['host'];
  /** Default: in memory. */
  queue?: JobQueue;
}

export type EngineEventListener = (event: EngineEvent) => void;

export interface EngineService {
  /** Runs a method: unknown names and bad params are `bad_request` errors that say what is wrong. */
  handle<M extends MethodName>(method: M, params: MethodParams<M>): Promise<MethodResult<M>>;
  handle(method: string, params: unknown): Promise<unknown>;
  /** Every event the engine emits; returns the function that stops listening. */
  onEvent(listener: EngineEventListener): () => void;
  /**
   * Activates a model by id, by a unique id prefix of 8 or more digits, or by folder (a package, or a
   * checkpoint imported into the models folder on the way), as `emu3 serve --model` does.
   */
  activateModel(reference: string): Promise<ModelSummary>;
  /** Cancels every job, waits for the running one to stop, and releases the model. */
  close(): Promise<void>;
}

/** How often progress events go out at most; previews have their own pace (generate/vision.ts). */
const PROGRESS_INTERVAL_MS = 100;

interface LoadedModel {
  handle: ModelHandle;
  users: number;
  retired: boolean;
}

interface ModelLease {
  readonly model: ModelHandle;
  release(): void;
}

interface RunningJob {
  controller: AbortController;
  lease: ModelLease;
  /** Settles when the job has ended, however it ended. */
  ended: Promise<void>;
  end(): void;
}

export function createEngineService(options: EngineServiceOptions): EngineService {
  const queue = options.queue ?? createMemoryJobQueue();
  const listeners = new Set<EngineEventListener>();
  const jobs = new Map<string, RunningJob>();
  let active: LoadedModel | null = null;
  let activation = 0;
  let runningJobId: string | null = null;
  let closed = false;

  //#region Events

  function emit<E extends EventName>(event: E, data: EventData<E>): void {
    const parsed = Events[event].safeParse(data);
    if (!parsed.success) {
      throw new InternalError(
        `event ${event} does not match its schema: ${describeIssues(parsed.error, '')}`,
      );
    }
    const message = { type: 'event', event, data: parsed.data } as EngineEvent;
    for (const listener of listeners) {
      try {
        listener(message);
      } catch (error) {
        // One broken listener must not silence the others or fail the job; report it out of band.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  function status(): EngineStatus {
    return {
      activeModelId: active?.handle.manifest.id ?? null,
      runningJobId,
      queuedJobs: queue.list().filter((entry) => entry.status === 'queued').length,
    };
  }

  //#endregion

  //#region Models

  function summarize(dir: string, manifest: PackageManifest): ModelSummary {
    const { decoder } = manifest;
    return {
      id: manifest.id,
      name: basename(manifest.source.paths[0] ?? dir),
      dir,
      layout: manifest.source.layout,
      precision: manifest.precision,
      createdAt: manifest.createdAt,
      imageArea: manifest.imageArea,
      decoder: {
        numLayers: decoder.numLayers,
        hiddenSize: decoder.hiddenSize,
        numHeads: decoder.numHeads,
        vocabSize: decoder.vocabSize,
        maxPositionEmbeddings: decoder.maxPositionEmbeddings,
      },
      active: active?.handle.manifest.id === manifest.id,
    };
  }

  /** Packages in the models folder; folders without a valid manifest (partial imports, damage) are left out. */
  async function scanModels(): Promise<ModelSummary[]> {
    let names: string[];
    try {
      names = (await readdir(options.modelsDir, { withFileTypes: true }))
        .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
        .map((entry) => entry.name)
        .sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') names = [];
      else throw error;
    }
    const models: ModelSummary[] = [];
    for (const name of names) {
      const dir = join(options.modelsDir, name);
      const manifest = await readManifest(dir).catch(() => null);
      if (manifest) models.push(summarize(dir, manifest));
    }
    if (active && !models.some((model) => model.active))
      models.push(summarize(active.handle.dir, active.handle.manifest));
    return models;
  }

  function lease(loaded: LoadedModel): ModelLease {
    loaded.users++;
    let released = false;
    return {
      model: loaded.handle,
      release() {
        if (released) return;
        released = true;
        loaded.users--;
        closeIfUnused(loaded);
      },
    };
  }

  function closeIfUnused(loaded: LoadedModel): void {
    if (loaded.retired && loaded.users === 0) void loaded.handle.close().catch(() => {});
  }

  /** Opens a model and makes it the active one, unless a later activation overtook this one. */
  async function activate(open: () => Promise<ModelHandle>): Promise<ModelSummary> {
    const ticket = ++activation;
    const handle = await open();
    if (ticket !== activation || closed) {
      await handle.close();
      throw new CancelledError('another model was activated meanwhile');
    }
    if (active) {
      active.retired = true;
      closeIfUnused(active);
    }
    active = { handle, users: 0, retired: false };
    // Load the decoder while the user writes a prompt; a failure shows again when a job needs it.
    void handle.session('decoder').catch(() => {});
    emit('engine.status', status());
    return summarize(handle.dir, handle.manifest);
  }

  async function activateById(id: string): Promise<ModelSummary> {
    if (active?.handle.manifest.id === id) return summarize(active.handle.dir, active.handle.manifest);
    const model = (await scanModels()).find((m) => m.id === id);
    if (!model) throw new EngineError('not_found', `no model ${id} in ${options.modelsDir}`);
    return activate(() => openModel(model.dir, sessionOptions()));
  }

  async function activateModel(reference: string): Promise<ModelSummary> {
    const models = await scanModels();
    const matches = /^[0-9a-f]{8,64}$/.test(reference)
      ? models.filter((model) => model.id.startsWith(reference))
      : [];
    if (matches.length > 1) {
      throw new EngineError(
        'bad_request',
        `model id ${reference} is ambiguous: ${matches.length} models match`,
      );
    }
    if (matches.length === 1) return activateById(matches[0]!.id);
    return activate(() =>
      openModel(resolve(reference), { ...sessionOptions(), modelsDir: options.modelsDir }),
    );
  }

  function sessionOptions() {
    return { provider: options.provider, ...(options.threads ? { threads: options.threads } : {}) };
  }

  //#endregion

  //#region Jobs

  function generateImage(params: GenerateImageParams): { jobId: string } {
    if (!active) {
      throw new EngineError('bad_request', 'no model is active: activate one first (models.activate)');
    }
    const { manifest } = active.handle;
    // The size rule's errors belong to the request, not to a job that fails later.
    generationSize(params.ratio, params.area ?? manifest.imageArea, manifest.vision.spatialFactor);
    const jobId = randomUUID();
    let end!: () => void;
    const ended = new Promise<void>((resolve) => (end = resolve));
    jobs.set(jobId, { controller: new AbortController(), lease: lease(active), ended, end });
    queue.add({
      jobId,
      kind: 'image',
      status: 'queued',
      modelId: manifest.id,
      params,
      createdAt: new Date().toISOString(),
    });
    emit('engine.status', status());
    // After this call's response has gone out, so the caller knows the job id before its events.
    setImmediate(pump);
    return { jobId };
  }

  function pump(): void {
    if (runningJobId !== null || closed) return;
    const entry = queue.nextQueued();
    if (!entry) return;
    runningJobId = entry.jobId;
    void runJob(entry).finally(() => {
      runningJobId = null;
      emit('engine.status', status());
      pump();
    });
  }

  async function runJob(entry: JobEntry): Promise<void> {
    const { jobId } = entry;
    const job = jobs.get(jobId);
    if (!job) {
      // Only a queue that outlived the engine (persisted) holds jobs this engine never started.
      const error = serializeError(
        new EngineError(
          'engine_unavailable',
          `job ${jobId} was queued before the engine restarted; queue it again`,
        ),
      );
      end(jobId, { status: 'failed', error });
      emit('job.failed', { jobId, error });
      return;
    }
    const { signal } = job.controller;
    queue.update(jobId, { status: 'running', startedAt: new Date().toISOString() });
    emit('job.started', { jobId });
    emit('engine.status', status());
    const started = performance.now();
    try {
      const { model } = job.lease;
      const { params } = entry;
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
      const image = await pngDataUrl(frame);
      const { tokens, ...record } = result.record;
      end(jobId, { status: 'finished' });
      emit('job.finished', {
        jobId,
        record: { ...record, promptTokens: tokens.prompt.length, outputTokens: tokens.output.length },
        image,
        width: frame.width,
        height: frame.height,
        seconds: (performance.now() - started) / 1000,
      });
    } catch (error) {
      if (error instanceof CancelledError || signal.aborted) {
        end(jobId, { status: 'cancelled' });
        emit('job.cancelled', { jobId });
      } else {
        const serialized = serializeError(error);
        end(jobId, { status: 'failed', error: serialized });
        emit('job.failed', { jobId, error: serialized });
      }
    } finally {
      job.lease.release();
      jobs.delete(jobId);
      job.end();
    }
  }

  function end(jobId: string, patch: Pick<JobEntry, 'status' | 'error'>): void {
    queue.update(jobId, { ...patch, endedAt: new Date().toISOString() });
  }

  async function cancel(jobId: string): Promise<{ jobId: string; status: JobStatus }> {
    const entry = queue.get(jobId);
    if (!entry) throw new EngineError('not_found', `no job ${jobId}`);
    const job = jobs.get(jobId);
    if (entry.status === 'queued') {
      queue.remove(jobId);
      if (job) {
        job.lease.release();
        jobs.delete(jobId);
        job.end();
      }
      emit('job.cancelled', { jobId });
      emit('engine.status', status());
      return { jobId, status: 'cancelled' };
    }
    if (entry.status === 'running' && job) {
      job.controller.abort();
      await job.ended;
    }
    return { jobId, status: queue.get(jobId)?.status ?? 'cancelled' };
  }

  function summarizeJob(entry: JobEntry): JobSummary {
    return {
      jobId: entry.jobId,
      kind: entry.kind,
      status: entry.status,
      modelId: entry.modelId,
      prompt: entry.params.prompt,
      createdAt: entry.createdAt,
      ...(entry.startedAt ? { startedAt: entry.startedAt } : {}),
      ...(entry.endedAt ? { endedAt: entry.endedAt } : {}),
      ...(entry.progress ? { progress: entry.progress } : {}),
      ...(entry.error ? { error: entry.error } : {}),
    };
  }

  //#endregion

  type Implementations = {
    [M in MethodName]: (
      params: z.infer<(typeof Methods)[M]['params']>,
    ) => MethodResult<M> | Promise<MethodResult<M>>;
  };
  const methods: Implementations = {
    'system.info': () => ({
      name: 'emu3-studio-engine',
      version: studioVersion(),
      runtime: { node: process.versions.node, platform: process.platform, arch: process.arch },
      host: options.host ?? 'web',
    }),
    'system.status': () => status(),
    'models.list': () => scanModels(),
    'models.activate': ({ id }) => activateById(id),
    'jobs.generateImage': (params) => generateImage(params),
    'jobs.cancel': ({ jobId }) => cancel(jobId),
    'jobs.list': () => queue.list().map(summarizeJob),
  };

  async function handle(method: string, params: unknown): Promise<unknown> {
    if (closed) throw new EngineError('engine_unavailable', 'the engine is shutting down');
    if (!isMethodName(method))
      throw new EngineError('bad_request', `unknown method ${JSON.stringify(method)}`);
    const spec = Methods[method];
    const parsed = spec.params.safeParse(params ?? {});
    if (!parsed.success) {
      throw new EngineError('bad_request', `${method}: ${describeIssues(parsed.error, 'params')}`);
    }
    const run = methods[method] as (params: unknown) => unknown;
    const result = await run(parsed.data);
    const checked = spec.result.safeParse(result);
    if (!checked.success) {
      throw new InternalError(
        `${method} returned a result that does not match its schema: ${describeIssues(checked.error, 'result')}`,
      );
    }
    return checked.data;
  }

  return {
    handle: handle as EngineService['handle'],
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    activateModel,
    async close() {
      if (closed) return;
      closed = true;
      activation++;
      for (const entry of queue.list()) {
        if (entry.status === 'queued') await cancel(entry.jobId).catch(() => {});
      }
      const running = runningJobId === null ? undefined : jobs.get(runningJobId);
      running?.controller.abort();
      await running?.ended;
      if (active) {
        active.retired = true;
        closeIfUnused(active);
        active = null;
      }
      listeners.clear();
    },
  };
}

/** An RGB frame as a PNG data URL, for events that carry an image. */
async function pngDataUrl(frame: RgbFrame): Promise<string> {
  const png = await sharp(Buffer.from(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength), {
    raw: { width: frame.width, height: frame.height, channels: 3 },
  })
    .png()
    .toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}
