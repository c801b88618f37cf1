/**
 * Model imports: the one running (the user's, or the bundled model's on a first start) and the last ones
 * that ended, kept current by `models.importProgress` and `models.importEnded`.
 */
import type { StateCreator } from 'zustand';
import type { ModelImport } from '../../../../engine/src/api/index.js';
import type { StudioState } from '../store.js';

export interface ModelImportsSlice {
  /** Oldest first. */
  modelImports: ModelImport[];
  modelImportsLoaded(imports: ModelImport[]): void;
  modelImportChanged(entry: ModelImport): void;
}

export const createModelImportsSlice: StateCreator<StudioState, [], [], ModelImportsSlice> = (set) => ({
  modelImports: [],
  modelImportsLoaded: (modelImports) => set({ modelImports }),
  modelImportChanged: (entry) =>
    set((state) => {
      const at = state.modelImports.findIndex((known) => known.importId === entry.importId);
      if (at < 0) return { modelImports: [...state.modelImports, entry] };
      // An event that arrives late (progress after the end) never takes an import back.
      if (state.modelImports[at]!.status !== 'running') return {};
      const modelImports = [...state.modelImports];
      modelImports[at] = entry;
      return { modelImports };
    }),
});

export function selectRunningImport(state: StudioState): ModelImport | null {
  return state.modelImports.find((entry) => entry.status === 'running') ?? null;
}

/** The last import the user started (not the engine's own), for the Models screen's import panel. */
export function selectLastUserImport(state: StudioState): ModelImport | null {
  return state.modelImports.filter((entry) => !entry.automatic).at(-1) ?? null;
}
