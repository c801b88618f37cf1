/**
 * Engine events into the store: jobs, the engine's status (its queue and active model) and the library.
 * Every window gets every event, so a job started or an item starred elsewhere shows up here too.
 */
import { refreshModels } from '../commands/models.js';
import { selectActiveModel } from '../state/models/slice.js';
import type { Studio } from './studio.js';

export function connectEngineEvents(studio: Studio): () => void {
  const { client, store } = studio;
  const s = () => store.getState();
  /** A replay's item, so a failed or cancelled replay can say so beside the item. */
  const replayItem = (jobId: string) => {
    const job = s().jobs[jobId];
    return job?.kind === 'replay' ? job.itemId : undefined;
  };
  const stops = [
    client.on('engine.status', (status) => {
      s().queueStatusChanged(status);
      // A model was activated (here or in another window): reload the list, which brings its defaults.
      const state = s();
      if (state.models !== null && (selectActiveModel(state)?.id ?? null) !== status.activeModelId)
        void refreshModels(studio);
    }),
    client.on('job.queued', (job) => s().jobQueued(job)),
    client.on('job.started', ({ jobId }) => s().jobStarted(jobId)),
    client.on('job.progress', (data) => s().jobProgress(data)),
    client.on('job.preview', (data) => s().jobPreview(data)),
    client.on('job.finished', (data) => s().jobFinished(data)),
    client.on('job.replayed', (data) => {
      s().jobReplayed(data);
      s().replayFinished(data);
    }),
    client.on('job.failed', ({ jobId, error }) => {
      const itemId = replayItem(jobId);
      if (itemId !== undefined) s().replayFailed(itemId, error.message);
      s().jobFailed({ jobId, error });
    }),
    client.on('job.cancelled', ({ jobId }) => {
      const itemId = replayItem(jobId);
      if (itemId !== undefined) s().replayFailed(itemId, 'Cancelled');
      s().jobCancelled(jobId);
    }),
    client.on('jobs.reordered', ({ queued }) => s().jobsReordered(queued)),
    client.on('library.itemAdded', ({ item }) => s().itemAdded(item)),
    client.on('library.itemChanged', ({ item }) => s().itemChanged(item)),
    client.on('library.trashEmptied', () => s().invalidate()),
  ];
  return () => stops.forEach((stop) => stop());
}
