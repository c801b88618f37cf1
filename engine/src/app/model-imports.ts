/**
 * `models.import`: a checkpoint folder imported into the models folder in the background, one at a time,
 * with progress events (`models.importProgress`, at most every 100 ms) and an end event
 * (`models.importEnded`). The importer (model/import-model.ts) writes into a partial folder renamed into
 * place only when complete, so a failed import leaves nothing that lists or loads. The engine itself uses
 * this for the bundled model on a first start, so that import shows its progress like any other.
 */
import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import {
  EngineError,
  PROGRESS_INTERVAL_MS,
  serializeError,
  type ImportPhase,
  type ImportPrecision,
  type ModelImport,
} from '../api/index.js';
import { throttle } from '../generate/progress.js';
import { importModel, type ImportProgress } from '../model/import-model.js';
import type { Emit, MethodImpls } from './method-impls.js';
import type { ModelRegistry } from './model-registry.js';

/** Ended imports kept for `models.imports`. */
const KEEP_ENDED = 20;

/** Each phase's share of the whole, by rough cost on a real checkpoint. */
const PHASE_WEIGHTS: Record<ImportPhase, number> = {
  hash: 0.15,
  tokenizer: 0.02,
  decoder: 0.5,
  vq_encoder: 0.15,
  vq_decoder: 0.15,
  finish: 0.03,
};
const PHASES = Object.keys(PHASE_WEIGHTS) as ImportPhase[];

export interface ImportRequest {
  path: string;
  precision: ImportPrecision;
  activate: boolean;
}

export interface ModelImports {
  methods: MethodImpls<'models.import' | 'models.imports'>;
  /** Starts an import; `ended` settles with its final state (finished or failed), never rejects. */
  start(
    request: ImportRequest,
    automatic: boolean,
  ): Promise<{ importId: string; ended: Promise<ModelImport> }>;
  /** Refuses new imports; one running goes on to its end (the importer cannot be stopped midway). */
  close(): void;
}

export function createModelImports(options: {
  modelsDir: string;
  models: ModelRegistry;
  emit: Emit;
}): ModelImports {
  const { models, emit } = options;
  const imports: ModelImport[] = [];
  let running: ModelImport | null = null;
  let closed = false;

  async function start(
    request: ImportRequest,
    automatic: boolean,
  ): Promise<{ importId: string; ended: Promise<ModelImport> }> {
    if (closed) throw new EngineError('engine_unavailable', 'the engine is shutting down');
    if (running)
      throw new EngineError('bad_request', `an import is running (${running.path}): wait for it to end`);
    const path = await checkFolder(request.path);
    // Checked again: another import may have started while the folder was looked at.
    const busy = running as ModelImport | null;
    if (busy) throw new EngineError('bad_request', `an import is running (${busy.path})`);
    const entry: ModelImport = {
      importId: randomUUID(),
      path,
      precision: request.precision,
      status: 'running',
      phase: null,
      fraction: 0,
      automatic,
      activate: request.activate,
      startedAt: new Date().toISOString(),
    };
    running = entry;
    imports.push(entry);
    const due = throttle(PROGRESS_INTERVAL_MS);
    const ended = (async (): Promise<ModelImport> => {
      // After the caller has the id (and the response has gone out), so no event comes first.
      await new Promise((resolve) => setImmediate(resolve));
      emit('models.importProgress', { ...entry });
      try {
        const result = await importModel(path, {
          modelsDir: options.modelsDir,
          ...(request.precision === 'auto' ? {} : { precision: request.precision }),
          onProgress: (progress) => {
            const phaseChanged = progress.phase !== entry.phase;
            entry.phase = progress.phase;
            entry.fraction = fractionOf(progress);
            if (due(phaseChanged)) emit('models.importProgress', { ...entry });
          },
        });
        Object.assign(entry, { modelId: result.manifest.id, reused: result.reused, fraction: 1 });
        // The engine's own import gives way to a model the user activated meanwhile.
        if (request.activate && !(automatic && models.active()))
          await models.activateById(result.manifest.id);
        entry.status = 'finished';
      } catch (error) {
        entry.status = 'failed';
        entry.error = serializeError(error);
      }
      entry.endedAt = new Date().toISOString();
      running = null;
      prune();
      emit('models.importEnded', { ...entry });
      return { ...entry };
    })();
    return { importId: entry.importId, ended };
  }

  function prune(): void {
    const ended = imports.filter((entry) => entry.status !== 'running');
    for (const old of ended.slice(0, Math.max(0, ended.length - KEEP_ENDED)))
      imports.splice(imports.indexOf(old), 1);
  }

  return {
    methods: {
      'models.import': async (params) => ({ importId: (await start(params, false)).importId }),
      'models.imports': () => imports.map((entry) => ({ ...entry })),
    },
    start,
    close() {
      closed = true;
    },
  };
}

/** 0–1 over the whole import: the phases before this one, and this one's share done. */
export function fractionOf(progress: ImportProgress): number {
  const at = PHASES.indexOf(progress.phase);
  const before = PHASES.slice(0, at).reduce((sum, phase) => sum + PHASE_WEIGHTS[phase], 0);
  const share = progress.total > 0 ? Math.min(1, progress.done / progress.total) : 0;
  return Math.min(1, before + PHASE_WEIGHTS[progress.phase] * share);
}

/** A full path (`~/` is the home folder) to a folder that is there; bad_request or not_found otherwise. */
export async function checkFolder(path: string): Promise<string> {
  const expanded = path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
  if (!isAbsolute(expanded))
    throw new EngineError('bad_request', `${path}: give the checkpoint folder's full path`);
  const full = resolve(expanded);
  const info = await stat(full).catch(() => null);
  if (!info) throw new EngineError('not_found', `${full}: no such folder`);
  if (!info.isDirectory())
    throw new EngineError('bad_request', `${full}: not a folder (a checkpoint is a folder of files)`);
  return full;
}
