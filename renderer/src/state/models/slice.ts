/** The models the engine knows, and which one is active. */
import type { StateCreator } from 'zustand';
import type { ModelSummary } from '../../../../engine/src/api/index.js';
import type { StudioState } from '../store.js';

export interface ModelsSlice {
  /** null until the engine has answered. */
  models: ModelSummary[] | null;
  modelsLoaded(models: ModelSummary[]): void;
}

export const createModelsSlice: StateCreator<StudioState, [], [], ModelsSlice> = (set) => ({
  models: null,
  modelsLoaded: (models) => set({ models }),
});

export function selectActiveModel(state: StudioState): ModelSummary | null {
  return state.models?.find((model) => model.active) ?? null;
}
