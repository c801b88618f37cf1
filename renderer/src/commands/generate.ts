/** Generate-screen commands: queueing images from the form, and steering the queue. */
import { reportError, type Studio } from '../host/studio.js';
import { selectRunningJob } from '../state/jobs/selectors.js';
import { randomSeed } from '../state/generate/form.js';
import { buildJobs } from '../state/generate/video-form.js';

/** Queues one job per image (or video) the form asks for; a form with mistakes shows them instead. */
export async function generate(studio: Studio): Promise<void> {
  const s = studio.store.getState();
  if (s.models !== null && !s.models.some((model) => model.active)) {
    s.pushToast({
      tone: 'error',
      message: 'No model is active: start the studio with `emu3 serve --model DIR`.',
    });
    return;
  }
  const built = buildJobs(s.form, randomSeed);
  if (!built.ok) {
    s.setFormErrors(built.errors);
    return;
  }
  s.setFormErrors({});
  s.seedsUsed(built.seeds);
  for (const job of built.jobs) {
    try {
      // The job itself arrives as a `job.queued` event, for this window and every other.
      if (job.method === 'jobs.generateVideo') await studio.client.call(job.method, job.params);
      else await studio.client.call(job.method, job.params);
    } catch (error) {
      reportError(studio, error, 'Not queued');
      return;
    }
  }
}

export function cancelJob(studio: Studio, jobId: string): void {
  studio.client
    .call('jobs.cancel', { jobId })
    .catch((error: unknown) => reportError(studio, error, 'Cancel'));
}

/** Esc on the Generate screen: stops the running job, if there is one. */
export function cancelRunningJob(studio: Studio): void {
  const running = selectRunningJob(studio.store.getState());
  if (running) cancelJob(studio, running.jobId);
}

export function setQueuePaused(studio: Studio, paused: boolean): void {
  studio.client
    .call(paused ? 'jobs.pause' : 'jobs.resume')
    .then((status) => studio.store.getState().queueStatusChanged(status))
    .catch((error: unknown) => reportError(studio, error));
}

export function moveJob(studio: Studio, jobId: string, index: number): void {
  studio.client
    .call('jobs.move', { jobId, index })
    .then(({ queued }) => studio.store.getState().jobsReordered(queued))
    .catch((error: unknown) => reportError(studio, error, 'Move'));
}
