/**
 * The engine's models: the packages in the models folder, the one active model, and leases that keep a model
 * open while a job runs on it. Activating another model retires the old one; it closes when its last lease
 * ends, so jobs already queued finish on the model they were queued on.
 */
import { readdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { CancelledError, EngineError, type ModelSummary } from '../api/index.js';
import { defaultGenerationSampling } from '../generate/defaults.js';
import { openModel, type ModelHandle } from '../runtime/open-model.js';
import { readManifest, type PackageManifest } from '../model/package-manifest.js';
import type { ProviderChoice } from '../runtime/execution-provider.js';
import { bundledModelDir } from '../install/package-info.js';

export interface ModelRegistryOptions {
  modelsDir: string;
  provider: ProviderChoice;
  threads?: number;
  /** Called after the active model changed. */
  onActivated: () => void;
}

export interface ModelLease {
  readonly model: ModelHandle;
  release(): void;
}

export interface ModelRegistry {
  /** Packages in the models folder, plus the active one wherever it lives. */
  list(): Promise<ModelSummary[]>;
  active(): ModelHandle | null;
  activateById(id: string): Promise<ModelSummary>;
  /** By id, by a unique id prefix of 8 or more digits, or by folder (a checkpoint is imported on the way). */
  activate(reference: string): Promise<ModelSummary>;
  /** A lease on the active model; null when none is active. */
  leaseActive(): ModelLease | null;
  /**
   * A lease on model `id`: the active one when it is that, else the package opened from the models folder
   * for this lease alone (a job restored after a restart, a replay of an item made with another model).
   */
  leaseById(id: string): Promise<ModelLease>;
  /** Opens the active model again (with the provider and threads as they are now); null when none is active. */
  reload(): Promise<ModelSummary | null>;
  /** Forgets the active model; it closes once no job holds it. Later activations are refused. */
  close(): void;
}

interface LoadedModel {
  handle: ModelHandle;
  users: number;
  retired: boolean;
}

export function createModelRegistry(options: ModelRegistryOptions): ModelRegistry {
  let active: LoadedModel | null = null;
  let activation = 0;
  let closed = false;
  const sessionOptions = () => ({
    provider: options.provider,
    ...(options.threads ? { threads: options.threads } : {}),
  });

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
      temporalFactor: manifest.vision.temporalDownsampleFactor,
      decoder: {
        numLayers: decoder.numLayers,
        hiddenSize: decoder.hiddenSize,
        numHeads: decoder.numHeads,
        vocabSize: decoder.vocabSize,
        maxPositionEmbeddings: decoder.maxPositionEmbeddings,
      },
      active: active?.handle.manifest.id === manifest.id,
      generationDefaults: defaultGenerationSampling(manifest),
      bundled: manifest.source.paths[0] === resolve(bundledModelDir()),
      bytes: manifest.files.reduce((sum, file) => sum + file.bytes, 0),
      files: manifest.files,
      sourceFiles: manifest.source.files,
    };
  }

  /** Folders without a valid manifest (partial imports, damage) are left out. */
  async function list(): Promise<ModelSummary[]> {
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
  async function activateWith(open: () => Promise<ModelHandle>): Promise<ModelSummary> {
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
    options.onActivated();
    return summarize(handle.dir, handle.manifest);
  }

  async function packageDir(id: string): Promise<string> {
    const model = (await list()).find((m) => m.id === id);
    if (!model) throw new EngineError('not_found', `no model ${id} in ${options.modelsDir}`);
    return model.dir;
  }

  async function activateById(id: string): Promise<ModelSummary> {
    if (active?.handle.manifest.id === id) return summarize(active.handle.dir, active.handle.manifest);
    const dir = await packageDir(id);
    return activateWith(() => openModel(dir, sessionOptions()));
  }

  async function activate(reference: string): Promise<ModelSummary> {
    const models = await list();
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
    return activateWith(() =>
      openModel(resolve(reference), { ...sessionOptions(), modelsDir: options.modelsDir }),
    );
  }

  return {
    list,
    active: () => active?.handle ?? null,
    activateById,
    activate,
    leaseActive: () => (active ? lease(active) : null),
    async leaseById(id) {
      if (active?.handle.manifest.id === id) return lease(active);
      const handle = await openModel(await packageDir(id), sessionOptions());
      // Retired from the start: it closes as soon as this lease ends.
      return lease({ handle, users: 0, retired: true });
    },
    async reload() {
      if (!active) return null;
      const { dir } = active.handle;
      return activateWith(() => openModel(dir, sessionOptions()));
    },
    close() {
      closed = true;
      activation++;
      if (active) {
        active.retired = true;
        closeIfUnused(active);
        active = null;
      }
    },
  };
}
