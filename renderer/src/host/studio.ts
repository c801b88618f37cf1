/** The studio as components reach it: the engine client and the store, provided once by App. */
import { createContext, useContext } from 'react';
import { EngineCallError, type EngineClient } from './engine-client.js';
import type { StudioStore } from '../state/store.js';

export interface Studio {
  client: EngineClient;
  store: StudioStore;
}

export const StudioContext = createContext<Studio | null>(null);

export function useStudio(): Studio {
  const studio = useContext(StudioContext);
  if (studio === null) throw new Error('useStudio outside <StudioContext.Provider>');
  return studio;
}

/** Shows a failed call as an error toast; a cancellation is not a failure and shows nothing. */
export function reportError(studio: Studio, error: unknown, what?: string): void {
  if (error instanceof EngineCallError && error.cancelled) return;
  const message = error instanceof Error ? error.message : String(error);
  studio.store.getState().pushToast({ tone: 'error', message: what ? `${what}: ${message}` : message });
}
