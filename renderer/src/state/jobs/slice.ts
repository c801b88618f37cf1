/**
 * The engine's job queue as the UI shows it, kept in step by `job.*` events: status, progress, the live
 * preview of a running image, and what each job ended with.
 */
import type { StateCreator } from 'zustand';
import type { EngineStatus, EventData, JobSummary, MediaRef } from '../../../../engine/src/api/index.js';
import type { StudioState } from '../store.js';

export interface JobView extends JobSummary {
  /** The rows decoded so far (of latent frame `frame` for a video), as a PNG data URL. */
  preview?: { rows: number; image: string; frame?: number };
  /** A video's latest preview of each latent frame so far. */
  framePreviews?: string[];
  /** `image` is a video's poster; `media` its MP4. */
  result?: {
    image: string;
    width: number;
    height: number;
    seconds: number;
    seed: number;
    media?: MediaRef;
  };
  replay?: EventData<'job.replayed'>;
}

export interface JobsSlice {
  jobs: Record<string, JobView>;
  /** Job ids in queue order: ended and running where they were, queued in the order they will run. */
  jobOrder: string[];
  queueStatus: EngineStatus | null;
  jobsLoaded(jobs: JobSummary[]): void;
  jobQueued(job: JobSummary): void;
  jobStarted(jobId: string): void;
  jobProgress(data: EventData<'job.progress'>): void;
  jobPreview(data: EventData<'job.preview'>): void;
  jobFinished(data: EventData<'job.finished'>): void;
  jobReplayed(data: EventData<'job.replayed'>): void;
  jobFailed(data: EventData<'job.failed'>): void;
  jobCancelled(jobId: string): void;
  jobsReordered(queued: string[]): void;
  queueStatusChanged(status: EngineStatus): void;
  /** Forgets ended jobs (the queue panel's "Clear"). */
  clearEndedJobs(): void;
}

/** Ended jobs kept for the queue panel; older ones live on in the gallery. */
export const KEEP_ENDED = 30;

const ended = (job: JobView) => job.status !== 'queued' && job.status !== 'running';

export const createJobsSlice: StateCreator<StudioState, [], [], JobsSlice> = (set) => {
  /** Applies `patch` to one known job; events for a job this window never heard of are ignored. */
  const patch = (jobId: string, change: (job: JobView) => Partial<JobView>) =>
    set((state) => {
      const job = state.jobs[jobId];
      if (!job) return {};
      const jobs = { ...state.jobs, [jobId]: { ...job, ...change(job) } };
      return trim({ jobs, jobOrder: state.jobOrder });
    });
  return {
    jobs: {},
    jobOrder: [],
    queueStatus: null,
    jobsLoaded: (list) =>
      set((state) => {
        // Keep what only events told this window (previews, results) for jobs the list still has.
        const jobs = Object.fromEntries(list.map((job) => [job.jobId, { ...state.jobs[job.jobId], ...job }]));
        return trim({ jobs, jobOrder: list.map((job) => job.jobId) });
      }),
    jobQueued: (job) =>
      set((state) =>
        state.jobs[job.jobId]
          ? {}
          : trim({ jobs: { ...state.jobs, [job.jobId]: job }, jobOrder: [...state.jobOrder, job.jobId] }),
      ),
    jobStarted: (jobId) => patch(jobId, () => ({ status: 'running', startedAt: new Date().toISOString() })),
    jobProgress: ({ jobId, ...progress }) => patch(jobId, () => ({ progress })),
    jobPreview: ({ jobId, rows, image, frame }) =>
      patch(jobId, (job) => {
        // Previews are decoded while tokens keep coming: a late one must not replace a newer one.
        const at = (p: { rows: number; frame?: number }) => [p.frame ?? 0, p.rows] as const;
        const [oldFrame, oldRows] = job.preview ? at(job.preview) : [-1, 0];
        const [newFrame, newRows] = at({ rows, frame });
        if (newFrame < oldFrame || (newFrame === oldFrame && newRows <= oldRows)) return {};
        if (frame === undefined) return { preview: { rows, image } };
        const framePreviews = [...(job.framePreviews ?? [])];
        framePreviews[frame] = image;
        return { preview: { rows, image, frame }, framePreviews };
      }),
    jobFinished: ({ jobId, image, width, height, seconds, itemId, record, media }) =>
      patch(jobId, () => ({
        status: 'finished',
        itemId,
        result: { image, width, height, seconds, seed: record.seed, ...(media ? { media } : {}) },
      })),
    jobReplayed: (data) => patch(data.jobId, () => ({ status: 'finished', replay: data })),
    jobFailed: ({ jobId, error }) => patch(jobId, () => ({ status: 'failed', error })),
    jobCancelled: (jobId) => patch(jobId, () => ({ status: 'cancelled' })),
    jobsReordered: (queued) =>
      set((state) => {
        const rank = new Map(queued.map((id, i) => [id, i]));
        const slots = state.jobOrder.filter((id) => rank.has(id));
        const inOrder = [...slots].sort((a, b) => rank.get(a)! - rank.get(b)!);
        let next = 0;
        return { jobOrder: state.jobOrder.map((id) => (rank.has(id) ? inOrder[next++]! : id)) };
      }),
    queueStatusChanged: (queueStatus) => set({ queueStatus }),
    clearEndedJobs: () =>
      set((state) => {
        const jobOrder = state.jobOrder.filter((id) => !ended(state.jobs[id]!));
        return { jobOrder, jobs: Object.fromEntries(jobOrder.map((id) => [id, state.jobs[id]!])) };
      }),
  };
};

/** Drops the oldest ended jobs beyond KEEP_ENDED. */
function trim(state: Pick<JobsSlice, 'jobs' | 'jobOrder'>): Pick<JobsSlice, 'jobs' | 'jobOrder'> {
  const endedIds = state.jobOrder.filter((id) => ended(state.jobs[id]!));
  if (endedIds.length <= KEEP_ENDED) return state;
  const drop = new Set(endedIds.slice(0, endedIds.length - KEEP_ENDED));
  const jobOrder = state.jobOrder.filter((id) => !drop.has(id));
  return { jobOrder, jobs: Object.fromEntries(jobOrder.map((id) => [id, state.jobs[id]!])) };
}
