/**
 * The engine behind the protocol. Its one transport is the web host's loopback WebSocket
 * (host/web-host.ts, host/ws-transport.ts), used by a browser and by the desktop app alike: Electron main
 * runs `emu3 serve` as a utility process, and its window loads the engine's page and talks over that socket
 * with the per-launch secret, as a browser does. Tests also call the service directly.
 * `handle(method, params)` validates the params, runs the method and validates its result; `onEvent`
 * streams what jobs and the library report. The parts live beside this file: models (model-registry.ts),
 * the library (library-methods.ts), and the kinds of jobs (job-runner.ts, video-jobs.ts, ask-methods.ts)
 * that all wait and run in the engine's one queue (app/job-scheduler.ts).
 */
import { join } from 'node:path';
import type { z } from 'zod';
import {
  describeIssues,
  EngineError,
  Events,
  InternalError,
  isMethodName,
  MAX_UPLOAD_BYTES,
  Methods,
  type AskUpload,
  type EngineEvent,
  type EngineInfo,
  type EngineStatus,
  type EventData,
  type EventName,
  type MediaExt,
  type MediaKind,
  type MethodName,
  type MethodParams,
  type MethodResult,
  type ModelSummary,
} from '../api/index.js';
import { JobStore } from '../library/job-store.js';
import { Library } from '../library/library.js';
import { readLibraryLocation } from '../library/library-location.js';
import { studioHome } from '../library/paths.js';
import { SettingsStore } from '../library/settings-store.js';
import type { ProviderChoice } from '../runtime/execution-provider.js';
import { createJobScheduler, restorersOf, type JobKinds } from './job-scheduler.js';
import { createUploadStore } from './upload-store.js';
import { createAskMethods } from './ask-methods.js';
import { activateDefaultModel } from './default-model.js';
import { createFileRecordMethods } from './file-records.js';
import { createPersistedJobQueue, type JobQueue } from './job-queue.js';
import { createJobRunner, generationKinds } from './job-runner.js';
import { createLibraryMethods } from './library-methods.js';
import { createModelImports } from './model-imports.js';
import { createModelRegistry } from './model-registry.js';
import { studioVersion } from '../install/package-info.js';
import { createSettingsMethods } from './settings-methods.js';
import { createVideoService, type VideoTransfers } from './video-methods.js';

export interface EngineServiceOptions {
  /** The library's models folder: one package per folder. */
  modelsDir: string;
  /**
   * The library folder (library.sqlite, media/); default: the studio home (`EMU3_HOME`, or the platform's
   * data folder), the folder `emu3 serve` also takes models/ from; or where the user moved it (Settings).
   */
  libraryDir?: string;
  /** The studio home (default: `EMU3_HOME` or the platform's data folder): where a moved library is named. */
  home?: string;
  /** Provider and threads until the user saves others in Settings (kept in the library). */
  provider: ProviderChoice;
  threads?: number;
  /** Which host runs the engine, as `system.info` reports it (default: web). */
  host?: EngineInfo['host'];
  /** Where listed jobs are kept. Default: persisted in the library, so queued jobs survive a restart. */
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
  /**
   * A library media file for a host to serve: only a hash the library holds, with its own extension;
   * `bad_request` or `not_found` otherwise. The caller never supplies a path.
   */
  mediaFile(sha256: string, ext: string): { path: string; ext: MediaExt };
  /** Keeps a file on disk as an upload to ask about; the bytes decide its type. */
  upload(path: string, name: string): Promise<AskUpload>;
  /**
   * Keeps a file a host received (`POST /api/upload`) as an upload to ask about: received into the upload
   * store (at most `maxBytes`), then kept in the library's media by its content.
   */
  acceptUpload(
    body: AsyncIterable<Uint8Array>,
    name: string,
    options?: { maxBytes?: number; kind?: MediaKind },
  ): Promise<AskUpload>;
  /**
   * With no model asked for: activates the model active last time, or imports (with progress events) and
   * activates the bundled one. Null when none could be activated; never rejects.
   */
  activateDefaultModel(): Promise<ModelSummary | null>;
  /** Videos over HTTP: uploads to extend (`POST /api/video-upload`) and exports (host/video-routes.ts). */
  readonly video: VideoTransfers;
  /** Stops the running job (it stays queued, as do the others, for the next start) and closes the library. */
  close(): Promise<void>;
}

export function createEngineService(options: EngineServiceOptions): EngineService {
  const listeners = new Set<EngineEventListener>();
  let closed = false;

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

  const home = options.home ?? studioHome();
  const libraryDir = options.libraryDir ?? readLibraryLocation(home) ?? home;
  const library = Library.open(libraryDir);
  const settings = createSettingsMethods({
    store: new SettingsStore(library),
    defaults: { provider: options.provider, threads: options.threads ?? 0 },
    home,
    libraryDir,
    modelsDir: options.modelsDir,
    models: () => models,
    emit,
  });
  const rememberedModel = settings.rememberedActiveModel();
  const models = createModelRegistry({
    modelsDir: options.modelsDir,
    // Read at every open, so a saved change applies to the next model opened.
    get provider() {
      return settings.current().provider;
    },
    get threads() {
      return settings.current().threads || undefined;
    },
    onActivated: () => {
      const id = models.active()?.manifest.id;
      if (id) settings.rememberActiveModel(id);
      emit('engine.status', status());
    },
  });
  const ask = createAskMethods({ library, models, emit });
  const imports = createModelImports({ modelsDir: options.modelsDir, models, emit });
  const libraryMethods = createLibraryMethods(library, emit);
  const uploads = createUploadStore(join(libraryDir, 'uploads'));
  // Old uploads go, the rest are found again (a queued extension of one survives a restart).
  void uploads.sweep();
  const video = createVideoService({ library, models, emit, uploads, libraryDir });
  const kinds: JobKinds = {
    ...generationKinds({ library: libraryMethods, emit, video: video.jobs }),
    ask: ask.kind,
  };
  let queue: JobQueue;
  try {
    queue = options.queue ?? createPersistedJobQueue(new JobStore(library), restorersOf(kinds));
  } catch (error) {
    library.close();
    throw error;
  }
  const scheduler = createJobScheduler({
    kinds,
    queue,
    models,
    onStatus: () => emit('engine.status', status()),
  });
  const jobs = createJobRunner({ scheduler, models, library: libraryMethods, emit, video: video.jobs });
  // Jobs restored from the last run start once the caller has had a chance to listen.
  setImmediate(() => scheduler.start());

  function status(): EngineStatus {
    return {
      activeModelId: models.active()?.manifest.id ?? null,
      runningJobId: scheduler.runningJobId,
      queuedJobs: scheduler.queuedCount(),
      paused: scheduler.paused,
    };
  }

  type Implementations = {
    [M in MethodName]: (
      params: z.infer<(typeof Methods)[M]['params']>,
    ) => MethodResult<M> | Promise<MethodResult<M>>;
  };
  const methods: Implementations = {
    ...ask.methods(scheduler),
    ...imports.methods,
    ...settings.methods,
    ...video.methods(jobs),
    ...createFileRecordMethods(library),
    'system.info': () => ({
      name: 'emu3-studio-engine',
      version: studioVersion(),
      runtime: { node: process.versions.node, platform: process.platform, arch: process.arch },
      host: options.host ?? 'web',
    }),
    'system.status': () => status(),
    'models.list': () => models.list(),
    'models.activate': ({ id }) => models.activateById(id),
    'jobs.generateImage': (params) => jobs.generateImage(params),
    'jobs.cancel': ({ jobId }) => jobs.cancel(jobId),
    'jobs.list': () => jobs.list(),
    'jobs.replay': ({ itemId }) => jobs.replay(itemId),
    'jobs.pause': () => (scheduler.setPaused(true), status()),
    'jobs.resume': () => (scheduler.setPaused(false), status()),
    'jobs.move': ({ jobId, index }) => jobs.move(jobId, index),
    'library.list': (params) => libraryMethods.list(params),
    'library.get': ({ id }) => libraryMethods.get(id),
    'library.star': ({ id, starred }) => libraryMethods.star(id, starred),
    'library.trash': ({ id }) => libraryMethods.trash(id),
    'library.restore': ({ id }) => libraryMethods.restore(id),
    'library.emptyTrash': () => libraryMethods.emptyTrash(),
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
    activateModel: (reference) => models.activate(reference),
    mediaFile: (sha256, ext) => libraryMethods.mediaFile(sha256, ext),
    upload: (path, name) => ask.upload(path, name),
    async acceptUpload(body, name, { maxBytes = MAX_UPLOAD_BYTES, kind } = {}) {
      const received = await uploads.receive(body, name, maxBytes, kind);
      try {
        return await ask.upload(received.path, received.name);
      } catch (error) {
        // The engine names the stored file; the user knows it by the name they chose.
        if (error instanceof EngineError)
          throw new EngineError(error.code, error.message.split(received.path).join(received.name));
        throw error;
      } finally {
        await uploads.discard(received.uploadId);
      }
    },
    video: video.transfers,
    activateDefaultModel: () => activateDefaultModel({ models, imports, remembered: rememberedModel }),
    async close() {
      if (closed) return;
      closed = true;
      imports.close();
      await scheduler.close();
      models.close();
      listeners.clear();
      library.close();
    },
  };
}
