/** The engine service on its own, called in-process as the Electron host will call it: the tiny fixture model. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent, EventData, EventName } from '../api/index.js';
import { importModel } from '../model/import-model.js';
import { TINY } from '../model/reference-fixtures.js';
import { createEngineService, type EngineService } from './engine-service.js';
import { createMemoryJobQueue, type JobEntry } from './job-queue.js';

const SMALL = { ratio: '1:1', area: 48 * 48, negativePrompt: 'blurry' } as const;

/** Resolves with the first event named `name` for which `where` holds. */
function nextEvent<E extends EventName>(
  engine: EngineService,
  name: E,
  where: (data: EventData<E>) => boolean = () => true,
): Promise<EventData<E>> {
  return new Promise((resolve) => {
    const stop = engine.onEvent((event: EngineEvent) => {
      if (event.event === name && where(event.data as EventData<E>)) {
        stop();
        resolve(event.data as EventData<E>);
      }
    });
  });
}

describe('engine service', () => {
  let modelsDir: string;
  let hfId: string;
  let engine: EngineService;

  beforeAll(async () => {
    modelsDir = mkdtempSync(join(tmpdir(), 'emu3-service-'));
    hfId = (await importModel(TINY.hf, { modelsDir })).manifest.id;
    engine = createEngineService({ modelsDir, provider: 'cpu', threads: 2 });
  }, 60_000);

  afterAll(async () => {
    await engine?.close();
    rmSync(modelsDir, { recursive: true, force: true });
  });

  it('validates method names and params before running anything', async () => {
    await expect(engine.handle('system.reboot', {})).rejects.toMatchObject({
      name: 'EngineError',
      code: 'bad_request',
      message: 'unknown method "system.reboot"',
    });
    await expect(engine.handle('toString', {})).rejects.toThrow('unknown method "toString"');
    await expect(engine.handle('models.activate', { id: 'abc' })).rejects.toThrow(
      'models.activate: params.id: expected a model id (64 hex digits)',
    );
    await expect(engine.handle('models.list', { all: true })).rejects.toThrow(
      'models.list: params: Unrecognized key: "all"',
    );
    // Params may be left out of a method that takes none.
    await expect(engine.handle('system.status', undefined)).resolves.toEqual({
      activeModelId: null,
      runningJobId: null,
      queuedJobs: 0,
    });
  });

  it('lists nothing in a models folder that does not exist yet', async () => {
    const empty = createEngineService({ modelsDir: join(modelsDir, 'absent'), provider: 'cpu' });
    await expect(empty.handle('models.list', {})).resolves.toEqual([]);
    await empty.close();
  });

  it('activates by an id prefix, and refuses a reference that is neither an id nor a folder', async () => {
    expect(await engine.activateModel(hfId.slice(0, 10))).toMatchObject({ id: hfId, active: true });
    expect(await engine.handle('system.status', {})).toMatchObject({ activeModelId: hfId });
    await expect(engine.activateModel(join(modelsDir, 'no-such-model'))).rejects.toMatchObject({
      name: 'EngineError',
    });
    expect(await engine.handle('system.status', {})).toMatchObject({ activeModelId: hfId });
  });

  it('refuses an image size the model cannot make when the job is asked for, not later', async () => {
    await expect(
      engine.handle('jobs.generateImage', { prompt: 'a cat', ratio: '1:1000', area: 64 }),
    ).rejects.toThrow(/aspect ratio 1:1000 at area 64 gives a .* token grid; a side is empty/);
    expect(await engine.handle('jobs.list', {})).toEqual([]);
  });

  it('reports a job that fails as job.failed, with the engine error', async () => {
    // The reference negative prompt is long: with a 12×12 grid it overflows the tiny model's 256 positions.
    const failed = nextEvent(engine, 'job.failed');
    const { jobId } = await engine.handle('jobs.generateImage', {
      prompt: 'a cat',
      ratio: '1:1',
      area: 48 * 48,
    });
    expect(await failed).toEqual({
      jobId,
      error: {
        name: 'EngineError',
        code: 'bad_request',
        message: expect.stringMatching(/prompt tokens \+ 159 new tokens exceed the model's 256 positions$/),
      },
    });
    const [job] = await engine.handle('jobs.list', {});
    expect(job).toMatchObject({ jobId, status: 'failed', error: { code: 'bad_request' } });
  });

  it('runs a queued job on the model it was queued on, after another is activated', async () => {
    const finished = nextEvent(engine, 'job.finished');
    const { jobId } = await engine.handle('jobs.generateImage', { prompt: 'a red cube', ...SMALL, seed: 1 });
    // A checkpoint folder is imported into the models folder on the way.
    const baai = await engine.activateModel(TINY.originalDecoder);
    expect(baai).toMatchObject({ layout: 'baai', active: true });
    expect(baai.id).not.toBe(hfId);
    const result = await finished;
    expect(result).toMatchObject({ jobId, record: { model: { id: hfId } } });
    const listed = await engine.handle('models.list', {});
    expect(listed.map((model) => [model.id, model.active]).sort()).toEqual(
      [
        [hfId, false],
        [baai.id, true],
      ].sort(),
    );
    await engine.handle('models.activate', { id: hfId });
  }, 60_000);

  it('closes: cancels what is queued and running, then refuses calls', async () => {
    const closing = createEngineService({ modelsDir, provider: 'cpu', threads: 2 });
    await closing.handle('models.activate', { id: hfId });
    const cancelled: string[] = [];
    closing.onEvent((event) => {
      if (event.event === 'job.cancelled') cancelled.push(event.data.jobId);
    });
    const started = nextEvent(closing, 'job.progress');
    const running = await closing.handle('jobs.generateImage', { prompt: 'one', ...SMALL });
    const queued = await closing.handle('jobs.generateImage', { prompt: 'two', ...SMALL });
    await started;
    await closing.close();
    expect(cancelled.sort()).toEqual([running.jobId, queued.jobId].sort());
    await expect(closing.handle('system.info', {})).rejects.toMatchObject({ code: 'engine_unavailable' });
  }, 60_000);
});

describe('memory job queue', () => {
  const entry = (jobId: string): JobEntry => ({
    jobId,
    kind: 'image',
    status: 'queued',
    modelId: 'a'.repeat(64),
    params: { prompt: jobId, ratio: '1:1' },
    createdAt: new Date(0).toISOString(),
  });

  it('hands out the oldest queued job, removes, and keeps only the last ended jobs', () => {
    const queue = createMemoryJobQueue(2);
    for (const id of ['a', 'b', 'c', 'd']) queue.add(entry(id));
    expect(queue.nextQueued()?.jobId).toBe('a');
    expect(queue.remove('b')).toBe(true);
    expect(queue.remove('b')).toBe(false);
    queue.update('a', { status: 'finished' });
    expect(queue.nextQueued()?.jobId).toBe('c');
    queue.update('c', { status: 'failed' });
    queue.update('d', { status: 'cancelled' });
    expect(queue.list().map((job) => job.jobId)).toEqual(['c', 'd']);
    expect(() => queue.update('a', { status: 'running' })).toThrow('job a is not in the queue');
  });
});
