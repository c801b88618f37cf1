/**
 * The engine's job queue behind a small interface: in memory (tests, throwaway engines), or persisted in the
 * library database so queued jobs survive a restart of the app, as queued.
 */
import {
  ExtendParams,
  GenerateImageParams,
  GenerateVideoParams,
  InternalError,
  ReplayParams,
  type JobProgress,
  type JobStatus,
  type SerializedError,
} from '../api/index.js';
import type { JobStore } from '../library/job-store.js';

/** What a job asks for, by kind. */
export type JobRequest =
  | { kind: 'image'; params: GenerateImageParams }
  | { kind: 'replay'; params: { itemId: number } }
  | { kind: 'video'; params: GenerateVideoParams }
  | { kind: 'extend'; params: ExtendParams };

/** What the queue keeps of a job: plain data, so the persisted queue can store it as it is. */
export type JobEntry = JobRequest & {
  jobId: string;
  status: JobStatus;
  modelId: string;
  /** What the queue shows: the image's prompt, or the replayed item's. */
  prompt: string;
  createdAt: string;
  grid?: { height: number; width: number; frames?: number; fps?: number };
  /** A replay's item; for a finished job, the item it was saved as. */
  itemId?: number;
  startedAt?: string;
  endedAt?: string;
  progress?: JobProgress;
  error?: SerializedError;
};

export type JobPatch = Partial<Omit<JobEntry, 'jobId' | 'kind' | 'params'>>;

/** Where jobs wait and what became of them. The service runs one job at a time, first queued first. */
export interface JobQueue {
  add(entry: JobEntry): void;
  /** The first job with status `queued`. */
  nextQueued(): JobEntry | undefined;
  get(jobId: string): JobEntry | undefined;
  update(jobId: string, patch: JobPatch): void;
  /** Takes a job out entirely (a cancelled queued job); false when there was none. */
  remove(jobId: string): boolean;
  /** Moves a queued job to `index` among the queued ones (clamped); answers the queued ids in order. */
  move(jobId: string, index: number): string[];
  /** In queue order: ended and running jobs where they were, queued ones in the order they will run. */
  list(): JobEntry[];
}

const isEnded = (entry: JobEntry) => entry.status !== 'queued' && entry.status !== 'running';

/** In memory, keeping the last `keepEnded` ended jobs. */
export function createMemoryJobQueue(keepEnded = 200): JobQueue {
  let entries = new Map<string, JobEntry>();
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
      if (!isEnded(entry)) return;
      const endedIds = [...entries.values()].filter(isEnded).map((e) => e.jobId);
      for (const id of endedIds.slice(0, Math.max(0, endedIds.length - keepEnded))) entries.delete(id);
    },
    remove(jobId) {
      return entries.delete(jobId);
    },
    move(jobId, index) {
      const all = [...entries.values()];
      const queued = all.filter((e) => e.status === 'queued');
      const from = queued.findIndex((e) => e.jobId === jobId);
      if (from < 0) throw new InternalError(`job ${jobId} is not queued`);
      const [moved] = queued.splice(from, 1);
      queued.splice(Math.min(index, queued.length), 0, moved!);
      // Queued jobs take the queued slots in their new order; the others stay where they were.
      let next = 0;
      entries = new Map(
        all.map((e) => (e.status === 'queued' ? queued[next++]! : e)).map((e) => [e.jobId, e]),
      );
      return queued.map((e) => e.jobId);
    },
    list() {
      return [...entries.values()].map((entry) => ({ ...entry }));
    },
  };
}

/**
 * The memory queue, with every job that has not ended also written to the library's `jobs` table. At
 * creation the stored jobs come back queued (one that was running when the app stopped starts over), in
 * their order; rows whose request no longer reads (an older, incompatible version) are dropped.
 */
export function createPersistedJobQueue(store: JobStore, keepEnded = 200): JobQueue {
  const memory = createMemoryJobQueue(keepEnded);
  for (const stored of store.all()) {
    const entry = restore(stored);
    if (entry) memory.add(entry);
    else store.remove(stored.id);
  }
  const saveOrder = () =>
    store.setOrder(
      memory
        .list()
        .filter((e) => !isEnded(e))
        .map((e) => e.jobId),
    );
  return {
    ...memory,
    add(entry) {
      memory.add(entry);
      store.add({
        id: entry.jobId,
        kind: entry.kind,
        modelId: entry.modelId,
        params: { request: entry.params, prompt: entry.prompt, grid: entry.grid },
        createdAt: entry.createdAt,
      });
    },
    update(jobId, patch) {
      memory.update(jobId, patch);
      // Progress changes ten times a second and means nothing after a restart: only an end is written.
      if (patch.status !== undefined && patch.status !== 'queued' && patch.status !== 'running')
        store.remove(jobId);
    },
    remove(jobId) {
      store.remove(jobId);
      return memory.remove(jobId);
    },
    move(jobId, index) {
      const queued = memory.move(jobId, index);
      saveOrder();
      return queued;
    },
  };
}

function restore(stored: ReturnType<JobStore['all']>[number]): JobEntry | null {
  const data = stored.params as { request?: unknown; prompt?: unknown; grid?: unknown } | null;
  if (typeof data?.prompt !== 'string') return null;
  const base = {
    jobId: stored.id,
    status: 'queued' as const,
    modelId: stored.modelId,
    prompt: data.prompt,
    createdAt: stored.createdAt,
    ...(isGrid(data.grid) ? { grid: data.grid } : {}),
  };
  if (stored.kind === 'image') {
    const params = GenerateImageParams.safeParse(data.request);
    return params.success ? { ...base, kind: 'image', params: params.data } : null;
  }
  if (stored.kind === 'video') {
    const params = GenerateVideoParams.safeParse(data.request);
    return params.success ? { ...base, kind: 'video', params: params.data } : null;
  }
  if (stored.kind === 'extend') {
    const params = ExtendParams.safeParse(data.request);
    return params.success ? { ...base, kind: 'extend', params: params.data } : null;
  }
  if (stored.kind === 'replay') {
    const params = ReplayParams.safeParse(data.request);
    return params.success
      ? { ...base, kind: 'replay', params: params.data, itemId: params.data.itemId }
      : null;
  }
  return null;
}

function isGrid(value: unknown): value is NonNullable<JobEntry['grid']> {
  const grid = value as { height?: unknown; width?: unknown; frames?: unknown; fps?: unknown } | null;
  return (
    Number.isInteger(grid?.height) &&
    Number.isInteger(grid?.width) &&
    (grid?.frames === undefined || Number.isInteger(grid.frames)) &&
    (grid?.fps === undefined || typeof grid.fps === 'number')
  );
}
