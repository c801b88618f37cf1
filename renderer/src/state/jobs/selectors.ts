/** Reading the queue: active, ended, running and previewed jobs; durations. */
import type { StudioState } from '../store.js';
import type { JobView } from './slice.js';

const isActive = (job: JobView) => job.status === 'queued' || job.status === 'running';

/** The running job, then the queued ones in the order they will run. */
export function selectActiveJobs(state: StudioState): JobView[] {
  const active = state.jobOrder.map((id) => state.jobs[id]!).filter(isActive);
  return [...active.filter((j) => j.status === 'running'), ...active.filter((j) => j.status === 'queued')];
}

/** Ended jobs, newest first. */
export function selectEndedJobs(state: StudioState): JobView[] {
  return state.jobOrder
    .map((id) => state.jobs[id]!)
    .filter((job) => !isActive(job))
    .reverse();
}

export function selectRunningJob(state: StudioState): JobView | null {
  const id = state.jobOrder.find((jobId) => state.jobs[jobId]!.status === 'running');
  return id === undefined ? null : state.jobs[id]!;
}

/** What the live preview shows: the running image or video job, else the one that ended last. */
export function selectPreviewJob(state: StudioState): JobView | null {
  const images = state.jobOrder.map((id) => state.jobs[id]!).filter((job) => job.kind !== 'replay');
  return (
    images.find((job) => job.status === 'running') ??
    images.filter((job) => job.status !== 'queued' && (job.preview || job.result)).at(-1) ??
    null
  );
}

/** "0.4 s", "12 s", "3 min 5 s", "1 h 02 min": short enough for a queue row. */
export function formatDuration(seconds: number): string {
  if (seconds < 9.95) return `${Math.max(0, seconds).toFixed(1)} s`;
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** Tokens a latent frame takes: its rows, each ended by EOL, then EOF (docs/token-format.md). */
export function tokensPerFrame(grid: { height: number; width: number }): number {
  return grid.height * (grid.width + 1) + 1;
}

/** A video job's latent frames done and in all, from its progress; null for an image or before progress. */
export function framesDone(job: JobView): { done: number; total: number } | null {
  if (!job.grid?.frames || (job.kind !== 'video' && job.kind !== 'extend')) return null;
  const total = job.grid.frames;
  const done = job.progress ? Math.floor(job.progress.done / tokensPerFrame(job.grid)) : 0;
  return { done: Math.min(done, total), total };
}
