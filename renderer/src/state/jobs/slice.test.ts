import { describe, expect, it } from 'vitest';
import type { JobSummary, RecordSummary } from '../../../../engine/src/api/index.js';
import { createStudioStore } from '../store.js';
import {
  formatDuration,
  selectActiveJobs,
  selectEndedJobs,
  selectPreviewJob,
  selectRunningJob,
} from './selectors.js';
import { KEEP_ENDED } from './slice.js';

const job = (jobId: string, over: Partial<JobSummary> = {}): JobSummary => ({
  jobId,
  kind: 'image',
  status: 'queued',
  modelId: 'a'.repeat(64),
  prompt: `prompt ${jobId}`,
  createdAt: '2026-01-01T00:00:00.000Z',
  grid: { height: 12, width: 12 },
  ...over,
});
const record = { seed: 5 } as RecordSummary;
const finished = (jobId: string) => ({
  jobId,
  record,
  image: 'data:image/png;base64,AA',
  width: 48,
  height: 48,
  seconds: 1.5,
  itemId: 3,
});

describe('jobs slice', () => {
  it('follows a job from queued to finished through its events', () => {
    const store = createStudioStore();
    const s = () => store.getState();
    s().jobQueued(job('a'));
    s().jobQueued(job('a')); // the event and the response may both announce it
    s().jobQueued(job('b'));
    expect(selectActiveJobs(s()).map((j) => j.jobId)).toEqual(['a', 'b']);
    s().jobStarted('a');
    s().jobProgress({ jobId: 'a', done: 10, total: 159, tokensPerSecond: 100, secondsLeft: 1.5 });
    s().jobPreview({ jobId: 'a', rows: 4, image: 'data:image/png;base64,BB' });
    s().jobPreview({ jobId: 'a', rows: 2, image: 'data:image/png;base64,late' });
    expect(selectRunningJob(s())).toMatchObject({ jobId: 'a', progress: { done: 10 }, preview: { rows: 4 } });
    expect(selectPreviewJob(s())?.preview?.image).toBe('data:image/png;base64,BB');
    s().jobFinished(finished('a'));
    expect(s().jobs.a).toMatchObject({ status: 'finished', itemId: 3, result: { seed: 5, seconds: 1.5 } });
    expect(selectPreviewJob(s())?.jobId).toBe('a');
    s().jobStarted('b');
    expect(selectPreviewJob(s())?.jobId).toBe('b');
    s().jobCancelled('b');
    expect(selectEndedJobs(s()).map((j) => [j.jobId, j.status])).toEqual([
      ['b', 'cancelled'],
      ['a', 'finished'],
    ]);
    s().jobFailed({ jobId: 'nope', error: { name: 'EngineError', message: 'x' } });
    expect(s().jobs.nope).toBeUndefined();
  });

  it('keeps event-only details when the list is reloaded, and reorders queued jobs in their slots', () => {
    const store = createStudioStore();
    const s = () => store.getState();
    ['a', 'b', 'c', 'd'].forEach((id) => s().jobQueued(job(id)));
    s().jobStarted('a');
    s().jobPreview({ jobId: 'a', rows: 1, image: 'data:image/png;base64,CC' });
    s().jobsLoaded([job('a', { status: 'running' }), job('b'), job('c'), job('d')]);
    expect(s().jobs.a?.preview?.rows).toBe(1);
    s().jobsReordered(['d', 'b', 'c']);
    expect(s().jobOrder).toEqual(['a', 'd', 'b', 'c']);
    expect(selectActiveJobs(s()).map((j) => j.jobId)).toEqual(['a', 'd', 'b', 'c']);
  });

  it('keeps only the last ended jobs, and clears them on request', () => {
    const store = createStudioStore();
    const s = () => store.getState();
    for (let i = 0; i < KEEP_ENDED + 5; i++) {
      s().jobQueued(job(`j${i}`));
      s().jobCancelled(`j${i}`);
    }
    s().jobQueued(job('waiting'));
    expect(selectEndedJobs(s())).toHaveLength(KEEP_ENDED);
    expect(selectEndedJobs(s()).at(-1)?.jobId).toBe('j5');
    s().clearEndedJobs();
    expect(s().jobOrder).toEqual(['waiting']);
  });

  it('formats durations for queue rows', () => {
    expect([0.04, 9.94, 12, 185, 3725].map(formatDuration)).toEqual([
      '0.0 s',
      '9.9 s',
      '12 s',
      '3 min 5 s',
      '1 h 02 min',
    ]);
  });
});
