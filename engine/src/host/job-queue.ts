/**
 * The engine's job queue behind a small interface: the in-memory queue today, a persisted one (jobs that
 * survive a restart) later, without the service changing.
 */
import {
  InternalError,
  type GenerateImageParams,
  type JobProgress,
  type JobStatus,
  type SerializedError,
} from '../api/index.js';

/** What the queue keeps of a job: plain data, so a persisted queue can store it as it is. */
export interface JobEntry {
  jobId: string;
  kind: 'image';
  status: JobStatus;
  modelId: string;
  params: GenerateImageParams;
  createdAt: string;
  startedAt?: string;
  endedAt?: string;
  progress?: JobProgress;
  error?: SerializedError;
}

/** Where jobs wait and what became of them. The service runs one job at a time, oldest queued first. */
export interface JobQueue {
  add(entry: JobEntry): void;
  /** The oldest job with status `queued`. */
  nextQueued(): JobEntry | undefined;
  get(jobId: string): JobEntry | undefined;
  update(jobId: string, patch: Partial<Omit<JobEntry, 'jobId'>>): void;
  /** Takes a job out entirely (a cancelled queued job); false when there was none. */
  remove(jobId: string): boolean;
  /** Oldest first. */
  list(): JobEntry[];
}

/** The queue until the library's persisted one: in memory, keeping the last `keepEnded` ended jobs. */
export function createMemoryJobQueue(keepEnded = 200): JobQueue {
  const entries = new Map<string, JobEntry>();
  const ended = (entry: JobEntry) => entry.status !== 'queued' && entry.status !== 'running';
  return {
    add(entry) {
      entries.set(entry.jobId, { ...entry });
    },
    nextQueued() {
      for (const entry of entries.values()) if (entry.status === 'queued') return { ...entry };
      return undefined;
    },
    get(jobId) {
      const entry = entries.get(jobId);
      return entry && { ...entry };
    },
    update(jobId, patch) {
      const entry = entries.get(jobId);
      if (!entry) throw new InternalError(`job ${jobId} is not in the queue`);
      Object.assign(entry, patch);
      if (!ended(entry)) return;
      const endedIds = [...entries.values()].filter(ended).map((e) => e.jobId);
      for (const id of endedIds.slice(0, Math.max(0, endedIds.length - keepEnded))) entries.delete(id);
    },
    remove(jobId) {
      return entries.delete(jobId);
    },
    list() {
      return [...entries.values()].map((entry) => ({ ...entry }));
    },
  };
}
