/** The engine service on its own, called in-process as the Electron host will call it: the tiny fixture model. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TINY } from '../model/reference-fixtures.js';
import { createEngineService } from './engine-service.js';
import { nextEvent, useTestEngine } from './engine.testkit.js';

const SMALL = { ratio: '1:1', area: 48 * 48, negativePrompt: 'blurry' } as const;

describe('engine service', () => {
  // Not active: the first test sees an engine with no model.
  const kit = useTestEngine('emu3-service-', { model: 'imported' });

  it('validates method names and params before running anything', async () => {
    const { engine } = kit;
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
      paused: false,
    });
  });

  it('lists nothing in a models folder that does not exist yet', async () => {
    const empty = createEngineService({
      modelsDir: join(kit.modelsDir, 'absent'),
      libraryDir: join(kit.dir, 'library-2'),
      provider: 'cpu',
    });
    await expect(empty.handle('models.list', {})).resolves.toEqual([]);
    await empty.close();
  });

  it('activates by an id prefix, and refuses a reference that is neither an id nor a folder', async () => {
    const { engine, modelsDir, modelId: hfId } = kit;
    expect(await engine.activateModel(hfId.slice(0, 10))).toMatchObject({ id: hfId, active: true });
    expect(await engine.handle('system.status', {})).toMatchObject({ activeModelId: hfId });
    await expect(engine.activateModel(join(modelsDir, 'no-such-model'))).rejects.toMatchObject({
      name: 'EngineError',
    });
    expect(await engine.handle('system.status', {})).toMatchObject({ activeModelId: hfId });
  });

  it('refuses an image size the model cannot make when the job is asked for, not later', async () => {
    const { engine } = kit;
    await expect(
      engine.handle('jobs.generateImage', { prompt: 'a cat', ratio: '1:1000', area: 64 }),
    ).rejects.toThrow(/aspect ratio 1:1000 at area 64 gives a .* token grid; a side is empty/);
    expect(await engine.handle('jobs.list', {})).toEqual([]);
  });

  it('reports a job that fails as job.failed, with the engine error', async () => {
    const { engine } = kit;
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
    const { engine, modelId: hfId } = kit;
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

  it('closes: stops the running job, keeps it and the queued one for the next start, then refuses calls', async () => {
    const { modelsDir, modelId: hfId } = kit;
    const libraryDir = join(kit.dir, 'library-close');
    const closing = createEngineService({ modelsDir, libraryDir, provider: 'cpu', threads: 2 });
    await closing.handle('models.activate', { id: hfId });
    const ended: string[] = [];
    closing.onEvent((event) => {
      if (['job.cancelled', 'job.finished', 'job.failed'].includes(event.event)) ended.push(event.event);
    });
    const started = nextEvent(closing, 'job.progress');
    const running = await closing.handle('jobs.generateImage', { prompt: 'one', ...SMALL, seed: 3 });
    const queued = await closing.handle('jobs.generateImage', { prompt: 'two', ...SMALL, seed: 4 });
    await started;
    await closing.close();
    expect(ended).toEqual([]);
    await expect(closing.handle('system.info', {})).rejects.toMatchObject({ code: 'engine_unavailable' });

    // The next engine on the same library finds both, queued, in order, and runs them on their model.
    const reopened = createEngineService({ modelsDir, libraryDir, provider: 'cpu', threads: 2 });
    try {
      const finished: string[] = [];
      reopened.onEvent((event) => {
        if (event.event === 'job.finished') finished.push(event.data.jobId);
      });
      const jobs = await reopened.handle('jobs.list', {});
      expect(jobs.map((job) => [job.jobId, job.status, job.prompt])).toEqual([
        [running.jobId, 'queued', 'one'],
        [queued.jobId, 'queued', 'two'],
      ]);
      await expect.poll(() => finished, { timeout: 30_000 }).toEqual([running.jobId, queued.jobId]);
      const page = await reopened.handle('library.list', {});
      expect(page.items.map((item) => item.prompt)).toEqual(['two', 'one']);
    } finally {
      await reopened.close();
    }
  }, 60_000);
});
