/** Settings commands: reading them (with what runs now) and saving changes. */
import type { SettingsPatch } from '../../../engine/src/api/index.js';
import { reportError, type Studio } from '../host/studio.js';

export function loadSettings(studio: Studio): void {
  studio.client.call('settings.get', {}).then(
    (settings) => studio.store.getState().settingsLoaded(settings),
    (error: unknown) => reportError(studio, error, 'Settings'),
  );
}

/** Saves a change; answers whether it was saved (a refusal shows as a toast). */
export async function saveSettings(studio: Studio, patch: SettingsPatch): Promise<boolean> {
  try {
    studio.store.getState().settingsLoaded(await studio.client.call('settings.set', patch));
    return true;
  } catch (error) {
    reportError(studio, error, 'Settings');
    return false;
  }
}
