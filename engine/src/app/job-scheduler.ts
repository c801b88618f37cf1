/**
 * The engine's one job queue. Everything that runs on a model (images, videos, extensions, replays, ask
 * turns; next votes and training runs) is a job of some kind, and here it waits, runs one at a time on the
 * model it was queued on, is cancelled, and reports progress. A kind (`JobKindHandler`) says how to run one
 * job and how to report it; ordering, the model lease, aborting, the ended-promise, progress throttling and
 * (for kinds that can be restored) persistence are the queue's.
 */
import {
  CancelledError,
  EngineError,
  PROGRESS_INTERVAL_MS,
  InternalError,
  serializeError,
  type JobStatus,
  type SerializedError,
} from '../api/index.js';
import { throttle, type GenerationProgress } from '../generate/progress.js';
import type { ModelHandle } from '../runtime/open-model.js';
import {
  createMemoryJobQueue,
  type JobEntry,
  type JobPatch,
  type JobQueue,
  type JobRestorers,
} from './job-queue.js';
import type { ModelLease, ModelRegistry } from './model-registry.js';

/** What a kind's `run` gets: the model, the signal that cancels, and the queue's hooks for the job. */
export interface RunningJob {
  readonly model: ModelHandle;
  readonly signal: AbortSignal;
  /** `performance.now()` when the job started, for the seconds it reports. */
  readonly started: number;
  /** Records progress and reports it (the kind's `progress`) at most every PROGRESS_INTERVAL_MS, and always the first and last step. */
  progress(progress: GenerationProgress): void;
  /** Marks the job finished in the queue; call it before reporting the end, as listeners may look at the queue. */
  finish(patch?: Pick<JobPatch, 'itemId'>): void;
}

/** One kind of job: how to run one, and how to tell the clients what became of it. */
export interface JobKindHandler<E extends JobEntry = JobEntry> {
  /**
   * Short, and someone is waiting on it (an ask turn): it runs next once the model is free, ahead of the
   * jobs waiting in the queue and also while the queue is paused; it is not one of the jobs the queue
   * lists, counts or moves, and is forgotten once it ends.
   */
  interactive?: boolean;
  /**
   * Reads a stored job of this kind back (checking its request again); a kind with one is persisted, so its
   * jobs outlive a restart and a job stopped by shutting down stays queued. Without one, jobs live in memory.
   */
  restore?: (base: Omit<E, 'kind' | 'params'>, request: unknown) => E | null;
  /** Runs the job to its end: resolves once it called `job.finish` and reported it; throws to fail. */
  run(entry: E, job: RunningJob): Promise<void>;
  queued?(entry: E): void;
  started(entry: E): void;
  progress?(entry: E, progress: GenerationProgress): void;
  cancelled(entry: E): void;
  failed(entry: E, error: SerializedError): void;
}

export type JobKinds = Partial<{
  [K in JobEntry['kind']]: JobKindHandler<Extract<JobEntry, { kind: K }>>;
}>;

export interface JobSchedulerOptions {
  kinds: JobKinds;
  /** Where listed jobs are kept (default: in memory); a persisted one restores them with `restorersOf(kinds)`. */
  queue?: JobQueue;
  models: Pick<ModelRegistry, 'leaseById'>;
  /** Called whenever what the queue's status shows (running job, queued count, paused) may have changed. */
  onStatus?: () => void;
}

export interface JobScheduler {
  /** Queues a job; on success the queue owns `lease` (null: the job leases its model when it starts). */
  add(entry: JobEntry, lease: ModelLease | null): void;
  /** A job that is queued or running, or a listed one that ended. */
  get(jobId: string): JobEntry | undefined;
  /** The listed jobs, in queue order: ended and running ones where they were, queued ones as they will run. */
  list(): JobEntry[];
  /** The interactive jobs waiting or running. */
  interactive(): JobEntry[];
  /** Takes a queued job out, or stops a running one and waits for it to end; answers how it ended. */
  cancel(jobId: string): Promise<JobStatus>;
  /** Moves a queued listed job to `index` among the queued ones; answers the queued ids in order. */
  move(jobId: string, index: number): string[];
  /** A paused queue lets the running job finish and starts no listed job until resumed. */
  setPaused(paused: boolean): void;
  readonly paused: boolean;
  /** The listed job running now. */
  readonly runningJobId: string | null;
  queuedCount(): number;
  /** Starts running jobs (jobs restored from an earlier run wait for this). */
  start(): void;
  /**
   * Stops the running job; jobs of persisted kinds stay queued (the running one too) for the next start,
   * the others end cancelled.
   */
  close(): Promise<void>;
}

interface LiveJob {
  controller: AbortController;
  /** Taken when queued on the active model, so retiring that model does not close it under the job. */
  lease: ModelLease | null;
  /** Settles when the job has left the model, with its status then. */
  ended: Promise<JobStatus>;
  end(status: JobStatus): void;
}

/** The restorers of the kinds that have one, for a persisted queue. */
export function restorersOf(kinds: JobKinds): JobRestorers {
  const restorers: Record<string, unknown> = {};
  for (const [name, kind] of Object.entries(kinds)) if (kind?.restore) restorers[name] = kind.restore;
  return restorers as JobRestorers;
}

export function createJobScheduler(options: JobSchedulerOptions): JobScheduler {
  const { models } = options;
  const queue = options.queue ?? createMemoryJobQueue();
  // Interactive jobs are kept apart: nothing lists them, and they are dropped as soon as they end.
  const interactive = createMemoryJobQueue(0);
  const live = new Map<string, LiveJob>();
  let running: JobEntry | null = null;
  let paused = false;
  let started = false;
  let closed = false;

  function kindOf(entry: JobEntry): JobKindHandler {
    const kind = options.kinds[entry.kind] as JobKindHandler | undefined;
    if (!kind) throw new InternalError(`no job kind ${entry.kind} is registered`);
    return kind;
  }
  const storeOf = (entry: JobEntry) => (kindOf(entry).interactive ? interactive : queue);
  const statusChanged = (entry: JobEntry) => {
    if (!kindOf(entry).interactive) options.onStatus?.();
  };

  function liveJob(jobId: string, lease: ModelLease | null): LiveJob {
    let end!: (status: JobStatus) => void;
    const ended = new Promise<JobStatus>((resolve) => (end = resolve));
    const job = { controller: new AbortController(), lease, ended, end };
    live.set(jobId, job);
    return job;
  }

  /** Lets go of a job that will not run now: its lease, its live part, and anyone waiting on its end. */
  function drop(jobId: string, status: JobStatus): void {
    const job = live.get(jobId);
    if (!job) return;
    job.lease?.release();
    live.delete(jobId);
    job.end(status);
  }

  function pump(): void {
    if (running !== null || closed || !started) return;
    const entry = interactive.nextQueued() ?? (paused ? undefined : queue.nextQueued());
    if (!entry) return;
    running = entry;
    void runJob(entry).finally(() => {
      running = null;
      statusChanged(entry);
      pump();
    });
  }

  async function runJob(entry: JobEntry): Promise<void> {
    const { jobId } = entry;
    const kind = kindOf(entry);
    const store = storeOf(entry);
    // A job restored from an earlier run has no live part yet: it gets one, and its model, now.
    const job = live.get(jobId) ?? liveJob(jobId, null);
    const { signal } = job.controller;
    let status: JobStatus = 'running';
    const end = (patch: Pick<JobPatch, 'status' | 'error' | 'itemId'> & { status: JobStatus }) => {
      status = patch.status;
      // An interactive job leaves its store as it ends; a second end (a report that threw) only counts.
      if (store.get(jobId)) store.update(jobId, { ...patch, endedAt: new Date().toISOString() });
    };
    store.update(jobId, { status: 'running', startedAt: new Date().toISOString() });
    const startedAt = performance.now();
    try {
      // Inside: a report that throws fails this job, not the queue.
      kind.started(entry);
      statusChanged(entry);
      job.lease ??= await models.leaseById(entry.modelId);
      if (signal.aborted) throw new CancelledError();
      const progressDue = throttle(PROGRESS_INTERVAL_MS);
      await kind.run(entry, {
        model: job.lease.model,
        signal,
        started: startedAt,
        progress(progress) {
          if (!progressDue(progress.done === 1 || progress.done === progress.total)) return;
          store.update(jobId, { progress });
          kind.progress?.(entry, progress);
        },
        finish: (patch) => end({ ...patch, status: 'finished' }),
      });
      if (status === 'running') {
        // A kind that returned without finishing was stopped part way, or forgot to say it finished.
        if (signal.aborted) throw new CancelledError();
        end({ status: 'finished' });
      }
    } catch (error) {
      if (closed && signal.aborted && kind.restore) {
        // Shutting down: not a cancellation by the user. It stays queued for the next start.
        status = 'queued';
        store.update(jobId, { status: 'queued' });
      } else if (error instanceof CancelledError || signal.aborted) {
        end({ status: 'cancelled' });
        kind.cancelled(entry);
      } else {
        const serialized = serializeError(error);
        end({ status: 'failed', error: serialized });
        kind.failed(entry, serialized);
      }
    } finally {
      drop(jobId, status);
    }
  }

  function find(jobId: string): JobEntry | undefined {
    return interactive.get(jobId) ?? queue.get(jobId);
  }

  async function cancel(jobId: string): Promise<JobStatus> {
    const entry = find(jobId);
    if (!entry) throw new EngineError('not_found', `no job ${jobId}`);
    if (entry.status === 'queued') {
      storeOf(entry).remove(jobId);
      drop(jobId, 'cancelled');
      kindOf(entry).cancelled(entry);
      statusChanged(entry);
      return 'cancelled';
    }
    const job = live.get(jobId);
    if (entry.status === 'running' && job) {
      job.controller.abort();
      return job.ended;
    }
    return entry.status;
  }

  function move(jobId: string, index: number): string[] {
    const entry = queue.get(jobId);
    if (!entry) throw new EngineError('not_found', `no job ${jobId}`);
    if (entry.status !== 'queued')
      throw new EngineError('bad_request', `job ${jobId} is ${entry.status}; only queued jobs move`);
    return queue.move(jobId, index);
  }

  return {
    add(entry, lease) {
      if (closed) throw new EngineError('engine_unavailable', 'the engine is shutting down');
      const kind = kindOf(entry);
      storeOf(entry).add(entry);
      liveJob(entry.jobId, lease);
      try {
        kind.queued?.(entry);
      } catch (error) {
        // Not queued after all: the caller keeps the lease, and the job is gone again.
        storeOf(entry).remove(entry.jobId);
        live.delete(entry.jobId);
        throw error;
      }
      statusChanged(entry);
      // After the call that queued it has answered, so the caller knows the job's id before its events.
      setImmediate(pump);
    },
    get: find,
    list: () => queue.list(),
    interactive: () => interactive.list(),
    cancel,
    move,
    setPaused(value) {
      paused = value;
      options.onStatus?.();
      pump();
    },
    get paused() {
      return paused;
    },
    get runningJobId() {
      return running && !kindOf(running).interactive ? running.jobId : null;
    },
    queuedCount: () => queue.list().filter((entry) => entry.status === 'queued').length,
    start() {
      started = true;
      pump();
    },
    async close() {
      closed = true;
      const runningJob = running === null ? undefined : live.get(running.jobId);
      for (const entry of interactive.list())
        if (entry.status === 'queued') {
          interactive.remove(entry.jobId);
          drop(entry.jobId, 'cancelled');
        }
      for (const jobId of live.keys()) if (jobId !== running?.jobId) drop(jobId, 'queued');
      runningJob?.controller.abort();
      await runningJob?.ended;
    },
  };
}
