/**
 * The engine's one queue, with job kinds of the test's own that wait for the test to let them end, on the
 * tiny fixture model: order, one job at a time, cancelling, pause and resume, reordering, an interactive
 * ask turn ahead of queued jobs, shutting down, and progress throttling.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../api/index.js';
import type { JobEntry } from './job-queue.js';
import { createModelRegistry, type ModelRegistry } from './model-registry.js';
import { importModel } from '../model/import-model.js';
import { TINY } from '../model/reference-fixtures.js';
import { createJobScheduler, type JobKindHandler, type JobScheduler } from './job-scheduler.js';

let dir: string;
let models: ModelRegistry;
let modelId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'emu3-scheduler-'));
  modelId = (await importModel(TINY.hf, { modelsDir: join(dir, 'models') })).manifest.id;
  models = createModelRegistry({ modelsDir: join(dir, 'models'), provider: 'cpu', onActivated: () => {} });
  await models.activateById(modelId);
}, 60_000);

afterAll(() => {
  models.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A queue whose jobs run until the test calls `release(id)` (or they are cancelled), and a log of what
 * the kinds reported, in order. `concurrent` is the most jobs that were ever running at once.
 */
function gatedQueue() {
  const log: string[] = [];
  const gates = new Map<string, () => void>();
  let runningNow = 0;
  let concurrent = 0;
  const kind = (interactive: boolean): JobKindHandler => ({
    interactive,
    ...(interactive
      ? {}
      : { restore: (base) => ({ ...base, kind: 'image', params: { prompt: '', ratio: '1:1' } }) }),
    async run(entry, job) {
      concurrent = Math.max(concurrent, ++runningNow);
      try {
        expect(job.model.manifest.id).toBe(modelId);
        await new Promise<void>((resolve, reject) => {
          gates.set(entry.jobId, resolve);
          job.signal.addEventListener('abort', () => reject(new CancelledError()));
        });
        job.finish();
        log.push(`finished ${entry.jobId}`);
      } finally {
        runningNow--;
      }
    },
    queued: (entry) => log.push(`queued ${entry.jobId}`),
    started: (entry) => log.push(`started ${entry.jobId}`),
    cancelled: (entry) => log.push(`cancelled ${entry.jobId}`),
    failed: (entry, error) => log.push(`failed ${entry.jobId}: ${error.message}`),
  });
  const statuses: (string | null)[] = [];
  const jobs: JobScheduler = createJobScheduler({
    kinds: { image: kind(false), ask: kind(true) } as never,
    models,
    onStatus: () => statuses.push(jobs.runningJobId),
  });
  const add = (jobId: string, kind: 'image' | 'ask' = 'image') =>
    jobs.add(entry(jobId, kind), models.leaseActive());
  /** Waits until job `id` is running (its gate is set). */
  const runs = async (id: string) => {
    for (let i = 0; i < 200 && !gates.has(id); i++) await new Promise((r) => setTimeout(r, 5));
    if (!gates.has(id)) throw new Error(`job ${id} never started; log: ${log.join(', ')}`);
  };
  const release = async (id: string) => {
    await runs(id);
    gates.get(id)!();
    gates.delete(id);
    await settle();
  };
  return { jobs, log, add, runs, release, statuses, concurrent: () => concurrent };
}

function entry(jobId: string, kind: 'image' | 'ask'): JobEntry {
  const base = {
    jobId,
    status: 'queued' as const,
    modelId,
    prompt: jobId,
    createdAt: new Date().toISOString(),
  };
  return kind === 'ask'
    ? { ...base, kind, params: { subject: { kind: 'item', itemId: 1 }, question: jobId, maxTokens: 4 } }
    : { ...base, kind, params: { prompt: jobId, ratio: '1:1' } };
}

/** Lets the queue take its next step (it starts jobs on the next turn of the event loop). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 10));
const ids = (entries: JobEntry[]) => entries.map((e) => `${e.jobId}:${e.status}`);

describe('the job queue', () => {
  it('runs jobs one at a time, first queued first, only once started', async () => {
    const q = gatedQueue();
    for (const id of ['a', 'b', 'c']) q.add(id);
    await settle();
    expect(q.log).toEqual(['queued a', 'queued b', 'queued c']);
    q.jobs.start();
    await q.runs('a');
    expect(q.jobs.runningJobId).toBe('a');
    expect(q.jobs.queuedCount()).toBe(2);
    await q.release('a');
    await q.release('b');
    await q.release('c');
    expect(q.log.slice(3)).toEqual([
      'started a',
      'finished a',
      'started b',
      'finished b',
      'started c',
      'finished c',
    ]);
    expect(q.concurrent()).toBe(1);
    expect(ids(q.jobs.list())).toEqual(['a:finished', 'b:finished', 'c:finished']);
    expect(q.jobs.runningJobId).toBeNull();
  });

  it('cancels a queued job at once and a running one by its signal; the next job then runs', async () => {
    const q = gatedQueue();
    q.jobs.start();
    for (const id of ['a', 'b', 'c']) q.add(id);
    await q.runs('a');
    await expect(q.jobs.cancel('b')).resolves.toBe('cancelled');
    expect(ids(q.jobs.list())).toEqual(['a:running', 'c:queued']);
    await expect(q.jobs.cancel('a')).resolves.toBe('cancelled');
    await q.release('c');
    expect(q.log.slice(3)).toEqual(['started a', 'cancelled b', 'cancelled a', 'started c', 'finished c']);
    expect(ids(q.jobs.list())).toEqual(['a:cancelled', 'c:finished']);
    await expect(q.jobs.cancel('c')).resolves.toBe('finished');
    await expect(q.jobs.cancel('nope')).rejects.toThrow('no job nope');
  });

  it('pauses after the running job, resumes in order, and moves queued jobs only', async () => {
    const q = gatedQueue();
    q.jobs.start();
    for (const id of ['a', 'b', 'c', 'd']) q.add(id);
    await q.runs('a');
    q.jobs.setPaused(true);
    expect(q.jobs.move('d', 0)).toEqual(['d', 'b', 'c']);
    expect(() => q.jobs.move('a', 1)).toThrow('job a is running; only queued jobs move');
    await q.release('a');
    await settle();
    expect(q.log.at(-1)).toBe('finished a');
    expect(q.jobs.runningJobId).toBeNull();
    q.jobs.setPaused(false);
    await q.release('d');
    await q.release('b');
    await q.release('c');
    expect(q.log.filter((line) => line.startsWith('started'))).toEqual([
      'started a',
      'started d',
      'started b',
      'started c',
    ]);
  });

  it('runs an ask turn once the job on the model ends, ahead of queued jobs and while paused', async () => {
    const q = gatedQueue();
    q.jobs.start();
    q.add('image 1');
    q.add('image 2');
    await q.runs('image 1');
    q.add('question', 'ask');
    q.jobs.setPaused(true);
    await settle();
    // Waiting: the model is busy with the image, and a waiting turn is not one of the listed jobs.
    expect(q.jobs.interactive().map((e) => `${e.jobId}:${e.status}`)).toEqual(['question:queued']);
    expect(ids(q.jobs.list())).toEqual(['image 1:running', 'image 2:queued']);
    expect(q.log).not.toContain('started question');
    await q.release('image 1');
    await q.runs('question');
    expect(q.jobs.runningJobId).toBeNull();
    await q.release('question');
    await settle();
    expect(q.log).not.toContain('started image 2');
    expect(q.jobs.interactive()).toEqual([]);
    q.jobs.setPaused(false);
    await q.release('image 2');
    expect(q.log.filter((line) => !line.startsWith('queued'))).toEqual([
      'started image 1',
      'finished image 1',
      'started question',
      'finished question',
      'started image 2',
      'finished image 2',
    ]);
    expect(q.concurrent()).toBe(1);
  });

  it('on closing, keeps a stopped job of a persisted kind queued and cancels an ask turn', async () => {
    const q = gatedQueue();
    q.jobs.start();
    q.add('image');
    await q.runs('image');
    q.add('question', 'ask');
    await q.jobs.close();
    expect(ids(q.jobs.list())).toEqual(['image:queued']);
    expect(q.jobs.interactive()).toEqual([]);
    expect(q.log).not.toContain('cancelled image');
    expect(() => q.add('late')).toThrow('the engine is shutting down');

    const asking = gatedQueue();
    asking.jobs.start();
    asking.add('question', 'ask');
    await asking.runs('question');
    await asking.jobs.close();
    expect(asking.log.at(-1)).toBe('cancelled question');
  });

  it('records and reports progress at most every 100 ms, and always the first and last step', async () => {
    const reported: number[] = [];
    const jobs = createJobScheduler({
      kinds: {
        image: {
          async run(_entry, job) {
            for (let done = 1; done <= 50; done++) {
              job.progress({ done, total: 50, tokensPerSecond: 1, secondsLeft: null });
              await new Promise((resolve) => setTimeout(resolve, 5));
            }
            job.finish();
          },
          started: () => {},
          progress: (_entry, progress) => reported.push(progress.done),
          cancelled: () => {},
          failed: () => {},
        },
      },
      models,
    });
    jobs.start();
    jobs.add(entry('p', 'image'), models.leaseActive());
    while (jobs.get('p')?.status !== 'finished') await settle();
    expect(reported[0]).toBe(1);
    expect(reported.at(-1)).toBe(50);
    expect(reported.length).toBeGreaterThan(2);
    expect(reported.length).toBeLessThan(10);
    expect(jobs.get('p')?.progress?.done).toBe(50);
  });
});
