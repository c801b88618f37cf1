/** The engine's settings as last read or saved, with what the active model actually runs on. */
import type { StateCreator } from 'zustand';
import type { SettingsState } from '../../../../engine/src/api/index.js';
import type { StudioState } from '../store.js';

export interface SettingsSlice {
  /** null until loaded. */
  settings: SettingsState | null;
  settingsLoaded(settings: SettingsState): void;
}

export const createSettingsSlice: StateCreator<StudioState, [], [], SettingsSlice> = (set) => ({
  settings: null,
  settingsLoaded: (settings) => set({ settings }),
});
