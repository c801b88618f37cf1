/** Models commands: the list, activating one, and importing a checkpoint folder. */
import type { ImportPrecision } from '../../../engine/src/api/index.js';
import { reportError, type Studio } from '../host/studio.js';
import { selectActiveModel } from '../state/models/slice.js';

/**
 * Reloads the model list; when the active model changed, the Generate form takes its defaults, and a studio
 * still on its first screen moves to Generate, as it does when it opens with a model.
 */
export async function refreshModels(studio: Studio): Promise<void> {
  try {
    const before = selectActiveModel(studio.store.getState())?.id;
    const models = await studio.client.call('models.list', {});
    const s = studio.store.getState();
    s.modelsLoaded(models);
    const active = selectActiveModel(studio.store.getState());
    if (active && active.id !== before) {
      s.modelDefaultsLoaded(active);
      if (!s.screenChosen) s.showScreen('generate', false);
    }
  } catch (error) {
    reportError(studio, error, 'Models');
  }
}

export function loadImports(studio: Studio): void {
  studio.client.call('models.imports', {}).then(
    (imports) => studio.store.getState().modelImportsLoaded(imports),
    () => {},
  );
}

export async function activateModel(studio: Studio, id: string): Promise<void> {
  try {
    const model = await studio.client.call('models.activate', { id });
    await refreshModels(studio);
    studio.store.getState().pushToast({ tone: 'info', message: `${model.name} is the active model.` });
  } catch (error) {
    reportError(studio, error, 'Activate');
  }
}

/**
 * Starts importing a checkpoint folder; progress and the end arrive as events. Answers the refusal's one
 * line when the engine would not start it (no such folder, an import already running), else null.
 */
export async function startImport(
  studio: Studio,
  path: string,
  precision: ImportPrecision,
  activate: boolean,
): Promise<string | null> {
  try {
    await studio.client.call('models.import', { path, precision, activate });
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
