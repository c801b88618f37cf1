/**
 * Where the jobs of the engine's one queue (app/job-scheduler.ts) are kept, behind a small interface: in
 * memory (ask turns, tests, throwaway engines), or persisted in the library database so queued jobs of the
 * kinds that can be restored survive a restart of the app, as queued.
 */
import {
  InternalError,
  type AskSubject,
  type ExtendParams,
  type GenerateImageParams,
  type GenerateVideoParams,
  type JobProgress,
  type JobStatus,
  type SerializedError,
} from '../api/index.js';
import type { JobStore, StoredJob } from '../library/job-store.js';

/** One question about a subject, answered on the model (`ask.question`). */
export interface AskTurn {
  subject: AskSubject;
  question: string;
  maxTokens: number;
}

/** What a job asks for, by kind. */
export type JobRequest =
  | { kind: 'image'; params: GenerateImageParams }
  | { kind: 'replay'; params: { itemId: number } }
  | { kind: 'video'; params: GenerateVideoParams }
  | { kind: 'extend'; params: ExtendParams }
  | { kind: 'ask'; params: AskTurn };

/** What the queue keeps of a job: plain data, so the persisted queue can store it as it is. */
export type JobEntry = JobRequest & {
  jobId: string;
  status: JobStatus;
  modelId: string;
  /** What the queue shows: the image's prompt, the replayed item's, or an ask turn's question. */
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

/** Where jobs wait and what became of them, in queue order. */
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

/** What a stored job comes back as before its kind reads its request: queued, with what the queue shows. */
export type RestoredJob = Omit<JobEntry, 'kind' | 'params'>;

/**
 * How each persisted kind reads its stored request back (checking it again: it may be from an older
 * version); null when it no longer reads. A kind without one is not written to the database.
 */
export type JobRestorers = Partial<{
  [K in JobEntry['kind']]: (base: RestoredJob, request: unknown) => Extract<JobEntry, { kind: K }> | null;
}>;

/**
 * The memory queue, with every job of a kind in `restorers` that has not ended also written to the
 * library's `jobs` table. At creation the stored jobs come back queued (one that was running when the app
 * stopped starts over), in their order; rows whose request no longer reads (an older, incompatible
 * version, or a kind this engine does not restore) are dropped.
 */
export function createPersistedJobQueue(store: JobStore, restorers: JobRestorers, keepEnded = 200): JobQueue {
  const memory = createMemoryJobQueue(keepEnded);
  const persists = (entry: JobEntry) => restorers[entry.kind] !== undefined;
  for (const stored of store.all()) {
    const entry = restore(stored, restorers);
    if (entry) memory.add(entry);
    else store.remove(stored.id);
  }
  const saveOrder = () =>
    store.setOrder(
      memory
        .list()
        .filter((e) => !isEnded(e) && persists(e))
        .map((e) => e.jobId),
    );
  return {
    ...memory,
    add(entry) {
      memory.add(entry);
      if (!persists(entry)) return;
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

function restore(stored: StoredJob, restorers: JobRestorers): JobEntry | null {
  const data = stored.params as { request?: unknown; prompt?: unknown; grid?: unknown } | null;
  if (typeof data?.prompt !== 'string') return null;
  const base: RestoredJob = {
    jobId: stored.id,
    status: 'queued' as const,
    modelId: stored.modelId,
    prompt: data.prompt,
    createdAt: stored.createdAt,
    ...(isGrid(data.grid) ? { grid: data.grid } : {}),
  };
  const read = restorers[stored.kind as JobEntry['kind']] as
    ((base: RestoredJob, request: unknown) => JobEntry | null) | undefined;
  return read ? read(base, data.request) : null;
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
