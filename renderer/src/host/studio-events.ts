/**
 * The events of Ask, model imports, settings and the desktop menu into the store, and what they imply: a
 * finished import reloads the model list. Every window gets every event, so an answer asked for in one
 * window also appears in another showing the same subject.
 */
import { openSubject } from '../commands/ask.js';
import { loadImports, refreshModels, startImport } from '../commands/models.js';
import { openPickedMedia } from '../commands/open-media.js';
import { subjectOnScreen } from '../state/ask/slice.js';
import { onMenuCommand, pickedUploads } from './desktop.js';
import type { Studio } from './studio.js';

export function connectStudioEvents(studio: Studio): () => void {
  const { client, store } = studio;
  const s = () => store.getState();
  const stops = [
    client.on('ask.started', (data) => s().askStarted(data)),
    client.on('ask.delta', (data) => s().askDelta(data)),
    client.on('ask.finished', (data) => s().askFinished(data)),
    client.on('ask.cancelled', ({ askId }) => s().askEnded(askId, 'cancelled')),
    client.on('ask.failed', ({ askId, error }) => s().askEnded(askId, 'failed', error.message)),
    client.on('models.importProgress', (entry) => s().modelImportChanged(entry)),
    client.on('models.importEnded', (entry) => {
      s().modelImportChanged(entry);
      if (entry.status === 'finished') void refreshModels(studio);
    }),
    client.on('settings.changed', (settings) => s().settingsLoaded(settings)),
  ];
  const stopMenu = onMenuCommand((command) => {
    switch (command.command) {
      // "Import model…": the folder picked there is imported and made active.
      case 'importModel':
        s().showScreen('models');
        void startImport(studio, command.path, 'auto', true).then((refusal) => {
          if (refusal) s().pushToast({ tone: 'error', message: `Import: ${refusal}` });
        });
        return;
      case 'openMedia': {
        const uploads = pickedUploads();
        if (uploads) void openPickedMedia(studio, command.path, uploads);
        return;
      }
      case 'showShortcuts':
        s().setHelpOpen(true);
    }
  });
  let wasOpen = false;
  const stopConnection = client.onConnectionChange((state) => {
    // On every (re)connect: an import may have started or ended meanwhile, and an answer being written
    // may have ended (or been lost with an engine that restarted) while no events could arrive.
    if (state.status === 'open' && !wasOpen) {
      loadImports(studio);
      const subject = subjectOnScreen(s());
      if (subject) openSubject(studio, subject);
    }
    wasOpen = state.status === 'open';
  });
  return () => {
    stops.forEach((stop) => stop());
    stopConnection();
    stopMenu();
  };
}
