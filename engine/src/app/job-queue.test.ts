/** The job queues: in memory, and persisted in a real library database across reopening it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JobStore } from '../library/job-store.js';
import { Library } from '../library/library.js';
import { createMemoryJobQueue, createPersistedJobQueue, type JobEntry } from './job-queue.js';
import { generationRestorers } from './job-runner.js';

const entry = (jobId: string): JobEntry => ({
  jobId,
  kind: 'image',
  status: 'queued',
  modelId: 'a'.repeat(64),
  params: { prompt: jobId, ratio: '1:1', seed: 1 },
  prompt: jobId,
  grid: { height: 2, width: 3 },
  createdAt: new Date(0).toISOString(),
});
const ids = (entries: JobEntry[]) => entries.map((e) => e.jobId);

describe('memory job queue', () => {
  it('hands out the first queued job, removes, and keeps only the last ended jobs', () => {
    const queue = createMemoryJobQueue(2);
    for (const id of ['a', 'b', 'c', 'd']) queue.add(entry(id));
    expect(queue.nextQueued()?.jobId).toBe('a');
    expect(queue.remove('b')).toBe(true);
    expect(queue.remove('b')).toBe(false);
    queue.update('a', { status: 'finished' });
    expect(queue.nextQueued()?.jobId).toBe('c');
    queue.update('c', { status: 'failed' });
    queue.update('d', { status: 'cancelled' });
    expect(ids(queue.list())).toEqual(['c', 'd']);
    expect(() => queue.update('a', { status: 'running' })).toThrow('job a is not in the queue');
  });

  it('moves a queued job among the queued ones; running and ended jobs stay put', () => {
    const queue = createMemoryJobQueue();
    for (const id of ['a', 'b', 'c', 'd', 'e']) queue.add(entry(id));
    queue.update('a', { status: 'finished' });
    queue.update('b', { status: 'running' });
    expect(queue.move('e', 0)).toEqual(['e', 'c', 'd']);
    expect(ids(queue.list())).toEqual(['a', 'b', 'e', 'c', 'd']);
    expect(queue.nextQueued()?.jobId).toBe('e');
    expect(queue.move('e', 99)).toEqual(['c', 'd', 'e']);
    expect(() => queue.move('a', 0)).toThrow('job a is not queued');
  });
});

describe('persisted job queue', () => {
  let dir: string;
  let library: Library;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'emu3-queue-'));
    library = Library.open(dir);
  });
  afterEach(() => {
    library.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const reopen = () => {
    library.close();
    library = Library.open(dir);
    return createPersistedJobQueue(new JobStore(library), generationRestorers);
  };

  it('brings unfinished jobs back queued, in their order, with their requests; ended ones are gone', () => {
    const queue = createPersistedJobQueue(new JobStore(library), generationRestorers);
    for (const id of ['a', 'b', 'c', 'd']) queue.add(entry(id));
    queue.update('a', {
      status: 'running',
      progress: { done: 1, total: 9, tokensPerSecond: 1, secondsLeft: 8 },
    });
    queue.update('b', { status: 'finished' });
    queue.remove('c');
    queue.add({ ...entry('r'), kind: 'replay', params: { itemId: 7 }, itemId: 7 });
    queue.move('r', 0);

    const again = reopen();
    expect(again.list()).toEqual([
      { ...entry('a') },
      { ...entry('r'), kind: 'replay', params: { itemId: 7 }, itemId: 7 },
      { ...entry('d') },
    ]);
    expect(again.nextQueued()?.jobId).toBe('a');
  });

  it('writes only the kinds it can restore: an ask turn lives in memory alone', () => {
    const queue = createPersistedJobQueue(new JobStore(library), generationRestorers);
    queue.add(entry('image'));
    queue.add({
      ...entry('turn'),
      kind: 'ask',
      params: { subject: { kind: 'item', itemId: 1 }, question: 'Why?', maxTokens: 4 },
    });
    expect(ids(queue.list())).toEqual(['image', 'turn']);
    queue.move('turn', 0);
    expect(library.db.prepare('SELECT id FROM jobs').pluck().all()).toEqual(['image']);
    expect(ids(reopen().list())).toEqual(['image']);
  });

  it('drops a stored job whose request no longer reads, and keeps the rest', () => {
    const queue = createPersistedJobQueue(new JobStore(library), generationRestorers);
    queue.add(entry('good'));
    library.db
      .prepare("INSERT INTO jobs VALUES ('bad', 99, 'image', ?, ?, '1970-01-01T00:00:00.000Z')")
      .run('a'.repeat(64), JSON.stringify({ request: { prompt: 5 }, prompt: 'x' }));
    library.db
      .prepare("INSERT INTO jobs VALUES ('junk', 100, 'image', ?, 'not json', '1970-01-01T00:00:00.000Z')")
      .run('a'.repeat(64));
    expect(ids(reopen().list())).toEqual(['good']);
    expect(library.db.prepare('SELECT id FROM jobs').pluck().all()).toEqual(['good']);
  });
});
