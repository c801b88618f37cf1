/**
 * `settings.get` and `settings.set`, and the settings the rest of the engine reads: the execution provider
 * and threads models open with, and the model that was active last time (remembered on every activation,
 * so the next start activates it again). Provider and threads are kept in the library database; a change
 * reloads the active model with them, and `runtime` reports what it then actually runs on.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import { ProviderSetting, StudioSettings, type RuntimeReport, type SettingsState } from '../api/index.js';
import { readLibraryLocation, writeLibraryLocation } from '../library/library-location.js';
import type { SettingsStore } from '../library/settings-store.js';
import type { Emit, MethodImpls } from './method-impls.js';
import type { ModelRegistry } from './model-registry.js';

const KEYS = { provider: 'provider', threads: 'threads', activeModel: 'activeModel' } as const;
const ModelIdSetting = z.string().regex(/^[0-9a-f]{64}$/);

export interface SettingsMethods {
  methods: MethodImpls<'settings.get' | 'settings.set'>;
  /** Provider and threads as saved (or the engine's defaults). */
  current(): StudioSettings;
  rememberActiveModel(id: string): void;
  /** The model active when the engine last ran, if one was. */
  rememberedActiveModel(): string | undefined;
}

export interface SettingsMethodsOptions {
  store: SettingsStore;
  /** What applies until the user saves a choice: the engine's options. */
  defaults: StudioSettings;
  /** The studio home, where the library's location pointer lives. */
  home: string;
  libraryDir: string;
  modelsDir: string;
  /** The registry, once made (it reads `current()` when it opens a model). */
  models: () => ModelRegistry;
  emit: Emit;
}

export function createSettingsMethods(options: SettingsMethodsOptions): SettingsMethods {
  const { store } = options;

  function current(): StudioSettings {
    return {
      provider: store.get(KEYS.provider, ProviderSetting) ?? options.defaults.provider,
      threads: store.get(KEYS.threads, StudioSettings.shape.threads) ?? options.defaults.threads,
    };
  }

  async function runtime(): Promise<RuntimeReport> {
    const active = options.models().active();
    if (!active) return { provider: null, fallbacks: [], error: null };
    try {
      const { provider, fallbacks } = await active.session('decoder');
      return { provider, fallbacks, error: null };
    } catch (error) {
      return { provider: null, fallbacks: [], error: error instanceof Error ? error.message : String(error) };
    }
  }

  async function state(): Promise<SettingsState> {
    const pointer = readLibraryLocation(options.home);
    const pendingDir = pointer !== null && resolve(pointer) !== resolve(options.libraryDir) ? pointer : null;
    return {
      settings: current(),
      runtime: await runtime(),
      library: { dir: options.libraryDir, modelsDir: options.modelsDir, pendingDir },
      cpuCount: availableParallelism(),
    };
  }

  return {
    methods: {
      'settings.get': () => state(),
      'settings.set': async (patch) => {
        const before = current();
        if (patch.libraryDir !== undefined) writeLibraryLocation(options.home, patch.libraryDir);
        if (patch.provider !== undefined) store.set(KEYS.provider, patch.provider);
        if (patch.threads !== undefined) store.set(KEYS.threads, patch.threads);
        const after = current();
        if (after.provider !== before.provider || after.threads !== before.threads)
          await options.models().reload();
        const result = await state();
        options.emit('settings.changed', result);
        return result;
      },
    },
    current,
    rememberActiveModel: (id) => store.set(KEYS.activeModel, id),
    rememberedActiveModel: () => store.get(KEYS.activeModel, ModelIdSetting),
  };
}
