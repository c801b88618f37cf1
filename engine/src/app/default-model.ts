/**
 * The model a fresh start activates when none was asked for: the one active last time, or else the bundled
 * nano model, imported on the first start (through the import runner, so Home and Models show its progress)
 * and found by its hash afterwards.
 */
import type { ModelSummary } from '../api/index.js';
import type { ModelImports } from './model-imports.js';
import type { ModelRegistry } from './model-registry.js';
import { bundledModelDir } from '../install/package-info.js';

export interface DefaultModelOptions {
  models: ModelRegistry;
  imports: ModelImports;
  /** The model active when the engine last ran. */
  remembered: string | undefined;
  /** The bundled checkpoint folder (default: models/nano of this install). */
  bundledDir?: string;
}

/**
 * Activates the remembered model, or imports and activates the bundled one. Answers the model, or null when
 * none could be activated (the failure is reported by `models.importEnded`); never rejects.
 */
export async function activateDefaultModel(options: DefaultModelOptions): Promise<ModelSummary | null> {
  const { models } = options;
  if (models.active()) return null;
  if (options.remembered) {
    const listed = (await models.list().catch(() => [])).find((model) => model.id === options.remembered);
    // A remembered model that was deleted, or no longer loads, gives way to the bundled one.
    if (listed) {
      const activated = await models.activateById(listed.id).catch(() => null);
      if (activated) return activated;
    }
  }
  try {
    const { ended } = await options.imports.start(
      { path: options.bundledDir ?? bundledModelDir(), precision: 'auto', activate: true },
      true,
    );
    const result = await ended;
    if (result.status !== 'finished') return null;
    return (await models.list()).find((model) => model.active) ?? null;
  } catch {
    return null;
  }
}
