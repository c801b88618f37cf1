/**
 * A PNG dropped anywhere on the window while Generate or the Gallery shows restores the settings it carries
 * (commands/restore.ts). Videos stay the Extend dialog's (screens/extend/ExtendHost.tsx, whose listener runs
 * first and marks the drop taken), and the Ask screen takes its own drops before they reach the window.
 */
import { useEffect } from 'react';
import { restoreSettingsFromFile } from '../commands/restore.js';
import { mayBeVideo } from '../commands/video.js';
import type { Screen } from '../state/ui/slice.js';
import { droppedFiles, listenForFileDrops } from './file-drop.js';
import type { Studio } from './studio.js';

/** Where a dropped file means "these settings": the screens that make or show pictures. */
export const SETTINGS_DROP_SCREENS: readonly Screen[] = ['generate', 'gallery'];

export function useSettingsDrop(studio: Studio): void {
  useEffect(() => {
    const here = () => SETTINGS_DROP_SCREENS.includes(studio.store.getState().screen);
    return listenForFileDrops(window, {
      wants: (event) =>
        !event.defaultPrevented && here() && (event.dataTransfer?.types.includes('Files') ?? false),
      pick: (event) =>
        event.defaultPrevented || !here() ? undefined : droppedFiles(event).find((f) => !mayBeVideo(f)),
      take: (file) => void restoreSettingsFromFile(studio, file),
    });
  }, [studio]);
}
