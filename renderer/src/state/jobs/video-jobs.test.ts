import { describe, expect, it } from 'vitest';
import type { JobSummary } from '../../../../engine/src/api/index.js';
import { createStudioStore } from '../store.js';
import { framesDone, selectPreviewJob } from './selectors.js';

const job: JobSummary = {
  jobId: 'v1',
  kind: 'video',
  status: 'queued',
  modelId: 'a'.repeat(64),
  prompt: 'a ring moving left',
  grid: { height: 16, width: 16, frames: 4, fps: 8 },
  createdAt: '2026-01-01T00:00:00.000Z',
};
const png = (n: number) => `data:image/png;base64,${n}`;

describe('video jobs', () => {
  it('keeps the newest preview of each latent frame, and never goes back to an older one', () => {
    const store = createStudioStore();
    store.getState().jobQueued(job);
    store.getState().jobStarted('v1');
    const s = () => store.getState();
    s().jobPreview({ jobId: 'v1', rows: 5, image: png(1), frame: 0 });
    s().jobPreview({ jobId: 'v1', rows: 16, image: png(2), frame: 0 });
    s().jobPreview({ jobId: 'v1', rows: 3, image: png(3), frame: 1 });
    s().jobPreview({ jobId: 'v1', rows: 12, image: png(4), frame: 0 }); // late: ignored
    expect(s().jobs.v1!.preview).toEqual({ rows: 3, image: png(3), frame: 1 });
    expect(s().jobs.v1!.framePreviews).toEqual([png(2), png(3)]);
    expect(selectPreviewJob(s())?.jobId).toBe('v1');
  });

  it('counts latent frames done from the tokens done', () => {
    const store = createStudioStore();
    store.getState().jobQueued(job);
    const perFrame = 16 * 17 + 1;
    store.getState().jobProgress({
      jobId: 'v1',
      done: 2 * perFrame + 10,
      total: 4 * perFrame + 2,
      tokensPerSecond: 40,
      secondsLeft: 12,
    });
    expect(framesDone(store.getState().jobs.v1!)).toEqual({ done: 2, total: 4 });
    expect(framesDone({ ...job, kind: 'image' })).toBeNull();
  });

  it('keeps the MP4 of a finished video beside its poster', () => {
    const store = createStudioStore();
    store.getState().jobQueued(job);
    const media = { sha256: 'b'.repeat(64), ext: 'mp4' as const };
    store.getState().jobFinished({
      jobId: 'v1',
      record: {} as never,
      image: png(9),
      width: 128,
      height: 128,
      seconds: 25,
      itemId: 3,
      media,
    });
    expect(store.getState().jobs.v1!.result?.media).toEqual(media);
  });
});
