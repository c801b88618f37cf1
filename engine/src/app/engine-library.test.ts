/**
 * The engine with its library, on the tiny fixture model: finished images become items, the `library.*`
 * methods and events, token-exact replay, and the queue's pause, resume and reordering.
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { EventData, EventName } from '../api/index.js';
import { readPngRecord } from '../media/png-record.js';
import { useTestEngine } from './engine.testkit.js';

const SMALL = { ratio: '1:1', area: 48 * 48, negativePrompt: 'blurry' } as const;

describe('engine library', () => {
  const kit = useTestEngine('emu3-engine-library-');
  const { events, seen } = kit;
  const until = <E extends EventName>(name: E, where: (data: EventData<E>) => boolean) =>
    expect.poll(() => seen(name).find(where), { timeout: 30_000 }).toBeDefined();

  it('saves a finished image as a library item: a PNG carrying its record, served by hash', async () => {
    const { engine } = kit;
    const { jobId } = await engine.handle('jobs.generateImage', { prompt: 'a red cube', ...SMALL, seed: 7 });
    await until('job.finished', (e) => e.jobId === jobId);
    const finished = seen('job.finished').find((e) => e.jobId === jobId)!;
    const [added] = seen('library.itemAdded');
    expect(added!.item).toMatchObject({
      id: finished.itemId,
      kind: 'image',
      prompt: 'a red cube',
      starred: false,
    });
    expect(events.findIndex((e) => e.event === 'library.itemAdded')).toBeLessThan(
      events.findIndex((e) => e.event === 'job.finished'),
    );
    const jobs = await engine.handle('jobs.list', {});
    expect(jobs.find((job) => job.jobId === jobId)).toMatchObject({
      status: 'finished',
      itemId: finished.itemId,
      grid: { height: 12, width: 12 },
    });

    const detail = await engine.handle('library.get', { id: finished.itemId });
    expect(detail).toMatchObject({
      width: 48,
      height: 48,
      thumbnail: null,
      record: { prompt: 'a red cube', negativePrompt: 'blurry', seed: 7, outputTokens: 159, ratio: '1:1' },
    });
    const file = engine.mediaFile(detail.media.sha256, 'png');
    expect(await sharp(readFileSync(file.path)).metadata()).toMatchObject({ width: 48, height: 48 });
    expect(await readPngRecord(file.path)).toMatchObject({ seed: 7, tokens: { output: expect.any(Array) } });
    expect(() => engine.mediaFile(detail.media.sha256, 'jpg')).toThrow(/not in the library/);
    expect(() => engine.mediaFile('../../etc/passwd', 'png')).toThrow(/not a sha256/);
    expect(() => engine.mediaFile('0'.repeat(64), 'png')).toThrow(/not in the library/);
  }, 60_000);

  it('lists, searches and filters; stars, trashes and restores with events; empties the trash', async () => {
    const { engine } = kit;
    const { jobId } = await engine.handle('jobs.generateImage', {
      prompt: 'a blue sphere',
      ...SMALL,
      seed: 8,
    });
    await until('job.finished', (e) => e.jobId === jobId);
    const all = await engine.handle('library.list', {});
    expect(all.total).toBe(2);
    expect(all.items.map((i) => i.prompt)).toEqual(['a blue sphere', 'a red cube']);
    const [sphere, cube] = all.items as [(typeof all.items)[0], (typeof all.items)[0]];
    expect((await engine.handle('library.list', { search: 'SPHER' })).items.map((i) => i.id)).toEqual([
      sphere.id,
    ]);
    expect(await engine.handle('library.list', { kind: 'video' })).toEqual({ items: [], total: 0 });
    expect((await engine.handle('library.list', { limit: 1, offset: 1 })).items.map((i) => i.id)).toEqual([
      cube.id,
    ]);

    expect(await engine.handle('library.star', { id: cube.id, starred: true })).toMatchObject({
      starred: true,
    });
    expect(seen('library.itemChanged').at(-1)?.item).toMatchObject({ id: cube.id, starred: true });
    expect((await engine.handle('library.list', { starred: true })).items.map((i) => i.id)).toEqual([
      cube.id,
    ]);

    const trashed = await engine.handle('library.trash', { id: sphere.id });
    expect(trashed.trashedAt).toEqual(expect.any(String));
    expect((await engine.handle('library.list', {})).total).toBe(1);
    expect((await engine.handle('library.list', { trashed: true })).items.map((i) => i.id)).toEqual([
      sphere.id,
    ]);
    expect(await engine.handle('library.restore', { id: sphere.id })).toMatchObject({ trashedAt: null });
    expect((await engine.handle('library.list', {})).total).toBe(2);

    await engine.handle('library.trash', { id: sphere.id });
    expect(await engine.handle('library.emptyTrash', {})).toEqual({ removed: 1 });
    expect(seen('library.trashEmptied')).toEqual([{ removed: 1 }]);
    await expect(engine.handle('library.get', { id: sphere.id })).rejects.toMatchObject({
      code: 'not_found',
      message: `library item ${sphere.id}: no such item`,
    });
    await expect(engine.handle('library.list', { limit: 0 })).rejects.toThrow(
      /^library\.list: params\.limit: Too small/,
    );
  }, 60_000);

  it('replays an item token for token and says it is identical', async () => {
    const { engine } = kit;
    const [item] = (await engine.handle('library.list', {})).items;
    const { jobId } = await engine.handle('jobs.replay', { itemId: item!.id });
    await until('job.replayed', (e) => e.jobId === jobId);
    expect(seen('job.replayed').find((e) => e.jobId === jobId)).toMatchObject({
      itemId: item!.id,
      verdict: 'identical',
      tokens: 159,
      firstDifference: null,
    });
    const job = (await engine.handle('jobs.list', {})).find((j) => j.jobId === jobId);
    expect(job).toMatchObject({ kind: 'replay', status: 'finished', prompt: 'a red cube', itemId: item!.id });
    await expect(engine.handle('jobs.replay', { itemId: 9999 })).rejects.toMatchObject({ code: 'not_found' });
  }, 60_000);

  it('pauses the queue, reorders what waits, and runs it in the new order on resume', async () => {
    const { engine } = kit;
    expect(await engine.handle('jobs.pause', {})).toMatchObject({ paused: true });
    const a = await engine.handle('jobs.generateImage', { prompt: 'first', ...SMALL });
    const b = await engine.handle('jobs.generateImage', { prompt: 'second', ...SMALL });
    const c = await engine.handle('jobs.generateImage', { prompt: 'third', ...SMALL });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen('job.started').filter((e) => [a.jobId, b.jobId, c.jobId].includes(e.jobId))).toEqual([]);
    expect(await engine.handle('jobs.move', { jobId: c.jobId, index: 0 })).toEqual({
      queued: [c.jobId, a.jobId, b.jobId],
    });
    expect(seen('jobs.reordered').at(-1)).toEqual({ queued: [c.jobId, a.jobId, b.jobId] });
    expect(await engine.handle('jobs.resume', {})).toMatchObject({ paused: false });
    await until('job.finished', (e) => e.jobId === b.jobId);
    const order = seen('job.started')
      .map((e) => e.jobId)
      .filter((id) => [a.jobId, b.jobId, c.jobId].includes(id));
    expect(order).toEqual([c.jobId, a.jobId, b.jobId]);
    await expect(engine.handle('jobs.move', { jobId: a.jobId, index: 0 })).rejects.toThrow(
      `job ${a.jobId} is finished; only queued jobs move`,
    );
  }, 60_000);
});
