/** The engine connection as the UI sees it. */
import type { StateCreator } from 'zustand';
import type { EngineInfo, SerializedError } from '../../../../engine/src/api/index.js';
import type { StudioState } from '../store.js';

export type EngineConnection =
  | { status: 'connecting' }
  | { status: 'connected'; info: EngineInfo }
  | { status: 'failed'; error: SerializedError };

export interface EngineSlice {
  engine: EngineConnection;
  engineConnecting(): void;
  engineConnected(info: EngineInfo): void;
  engineFailed(error: SerializedError): void;
}

export const createEngineSlice: StateCreator<StudioState, [], [], EngineSlice> = (set) => ({
  engine: { status: 'connecting' },
  engineConnecting: () => set({ engine: { status: 'connecting' } }),
  engineConnected: (info) => set({ engine: { status: 'connected', info } }),
  engineFailed: (error) => set({ engine: { status: 'failed', error } }),
});
