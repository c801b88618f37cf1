/**
 * The one studio store: each domain is a slice (`state/<domain>/slice.ts`) spread in here.
 * Middleware, when any is needed, goes on this root only.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { createEngineSlice, type EngineSlice } from './engine/slice.js';
import { createModelsSlice, type ModelsSlice } from './models/slice.js';

export type StudioState = EngineSlice & ModelsSlice;

/** A fresh store; tests make their own so no state leaks between them. */
export function createStudioStore() {
  return createStore<StudioState>()((...args) => ({
    ...createEngineSlice(...args),
    ...createModelsSlice(...args),
  }));
}

export const studioStore = createStudioStore();

export function useStudioStore<T>(selector: (state: StudioState) => T): T {
  return useStore(studioStore, selector);
}
