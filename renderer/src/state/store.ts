/**
 * The one studio store: each domain is a slice (`state/<domain>/slice.ts`) spread in here.
 * Middleware, when any is needed, goes on this root only.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { createAskSlice, type AskSlice } from './ask/slice.js';
import { createEngineSlice, type EngineSlice } from './engine/slice.js';
import { createExtendSlice, type ExtendSlice } from './extend/slice.js';
import { createGallerySlice, type GallerySlice } from './gallery/slice.js';
import { createGenerateSlice, type GenerateSlice } from './generate/slice.js';
import { createJobsSlice, type JobsSlice } from './jobs/slice.js';
import { createModelImportsSlice, type ModelImportsSlice } from './model-imports/slice.js';
import { createModelsSlice, type ModelsSlice } from './models/slice.js';
import { createSettingsSlice, type SettingsSlice } from './settings/slice.js';
import { createUiSlice, type UiSlice } from './ui/slice.js';

export type StudioState = EngineSlice &
  ModelsSlice &
  UiSlice &
  GenerateSlice &
  JobsSlice &
  GallerySlice &
  ExtendSlice &
  AskSlice &
  ModelImportsSlice &
  SettingsSlice;
export type StudioStore = StoreApi<StudioState>;

/** A fresh store; tests make their own so no state leaks between them. */
export function createStudioStore(): StudioStore {
  return createStore<StudioState>()((...args) => ({
    ...createEngineSlice(...args),
    ...createModelsSlice(...args),
    ...createUiSlice(...args),
    ...createGenerateSlice(...args),
    ...createJobsSlice(...args),
    ...createGallerySlice(...args),
    ...createExtendSlice(...args),
    ...createAskSlice(...args),
    ...createModelImportsSlice(...args),
    ...createSettingsSlice(...args),
  }));
}

export const studioStore = createStudioStore();

export function useStudioStore<T>(selector: (state: StudioState) => T): T {
  return useStore(studioStore, selector);
}
