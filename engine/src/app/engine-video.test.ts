/**
 * Video in the engine, on the tiny fixture model: a text-to-video job becomes an MP4 item with a poster and
 * per-frame previews; extensions of it chain into a lineage; an uploaded file (any container ffmpeg reads)
 * is cropped to the model's size and extended; a corrupt one is refused in one line; exports and filmstrips.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { MethodParams, VideoSourceInfo } from '../api/index.js';
import { readMp4Comment, probeVideo } from '../media/video.js';
import { useTestEngine } from './engine.testkit.js';

const VIDEO: MethodParams<'jobs.generateVideo'> = {
  prompt: 'a red cube moving left',
  ratio: '1:1',
  frames: 2,
  fps: 4,
  seed: 3,
};

describe('engine video', () => {
  const kit = useTestEngine('emu3-engine-video-');
  const { seen } = kit;
  const finished = async (jobId: string) => {
    await expect
      .poll(
        () =>
          seen('job.finished').find((e) => e.jobId === jobId) ??
          seen('job.failed').find((e) => e.jobId === jobId),
        {
          timeout: 60_000,
        },
      )
      .toBeDefined();
    const failed = seen('job.failed').find((e) => e.jobId === jobId);
    if (failed) throw new Error(failed.error.message);
    return seen('job.finished').find((e) => e.jobId === jobId)!;
  };
  const upload = (bytes: Buffer, name: string) =>
    kit.engine.video.acceptUpload(Readable.from([bytes]), name) as Promise<VideoSourceInfo>;

  it('generates a video: previews per latent frame, an MP4 item with its record and a poster', async () => {
    const { engine } = kit;
    const { jobId } = await engine.handle('jobs.generateVideo', VIDEO);
    const job = (await engine.handle('jobs.list', {})).find((j) => j.jobId === jobId);
    expect(job).toMatchObject({ kind: 'video', grid: { height: 6, width: 6, frames: 2, fps: 4 } });
    const done = await finished(jobId);
    expect(done.media?.ext).toBe('mp4');
    const previews = seen('job.preview').filter((e) => e.jobId === jobId);
    // Both latent frames were previewed whole once they were complete (the last may race the end).
    expect(previews.some((p) => p.frame === 0 && p.rows === 6)).toBe(true);
    expect(new Set(previews.map((p) => p.frame))).toContain(1);

    const item = await engine.handle('library.get', { id: done.itemId });
    expect(item).toMatchObject({ kind: 'video', width: 24, height: 24, thumbnail: { ext: 'png' } });
    expect(item.parent).toBeUndefined();
    const path = engine.mediaFile(item.media.sha256, 'mp4').path;
    expect(await probeVideo(path)).toMatchObject({ width: 24, height: 24, fps: 4, frames: 8 });
    expect(JSON.parse((await readMp4Comment(path))!)).toMatchObject({ mode: 'video', seed: 3 });

    // A variation (the same settings, another seed) joins the lineage of the item it varies.
    const variation = await engine.handle('jobs.generateVideo', {
      ...VIDEO,
      seed: 4,
      parent: { itemId: done.itemId, relation: 'variation' },
    });
    const varied = await finished(variation.jobId);
    expect((await engine.handle('library.get', { id: varied.itemId })).parent).toEqual({
      id: done.itemId,
      relation: 'variation',
    });
    await engine.handle('library.trash', { id: varied.itemId });
    await engine.handle('library.emptyTrash', {});
  }, 90_000);

  it('extends it twice: each extension is a new item joined to its parent, a lineage of three', async () => {
    const { engine } = kit;
    const [video] = (await engine.handle('library.list', { kind: 'video' })).items;
    const info = await engine.handle('videos.source', { source: { kind: 'item', itemId: video!.id } });
    expect(info).toMatchObject({ width: 24, height: 24, fps: 4, frames: 8, prompt: VIDEO.prompt });
    expect(info.fits[0]).toEqual({
      ratio: '1:1',
      crop: { x: 0, y: 0, width: 24, height: 24 },
      width: 24,
      height: 24,
    });

    let parent = video!.id;
    for (const frames of [8 + 4, 12 + 4]) {
      const { jobId } = await engine.handle('jobs.extend', {
        source: { kind: 'item', itemId: parent },
        frames: 1,
        context: 1,
        seed: 5,
      });
      const done = await finished(jobId);
      const item = await engine.handle('library.get', { id: done.itemId });
      expect(item).toMatchObject({ kind: 'extend', parent: { id: parent, relation: 'extension' } });
      expect(item.record).toMatchObject({
        prompt: VIDEO.prompt,
        grid: { frames: 2, fps: 4 },
        source: { frames: 4 },
      });
      expect((await probeVideo(engine.mediaFile(item.media.sha256, 'mp4').path)).frames).toBe(frames);
      parent = item.id;
    }
    // An extension replays token for token from its record, context frames and all.
    const replay = await engine.handle('jobs.replay', { itemId: parent });
    await expect
      .poll(() => seen('job.replayed').find((e) => e.jobId === replay.jobId), { timeout: 60_000 })
      .toMatchObject({ verdict: 'identical', firstDifference: null });

    const lineage = await engine.handle('library.lineage', { id: video!.id });
    expect(lineage.chain.map((i) => i.kind)).toEqual(['video', 'extend', 'extend']);
    expect(lineage.index).toBe(0);
    expect(lineage.children).toHaveLength(1);
    const fromEnd = await engine.handle('library.lineage', { id: parent });
    expect(fromEnd.chain.map((i) => i.id)).toEqual(lineage.chain.map((i) => i.id));
    expect(fromEnd.index).toBe(2);

    await expect(
      engine.handle('jobs.extend', { source: { kind: 'item', itemId: video!.id }, frames: 1, context: 3 }),
    ).rejects.toThrow(/8 frames at 4 fps, fewer than the 12 that 3 latent frames of context need/);
  }, 120_000);

  it('takes any video file ffmpeg reads, crops it to the model, and extends it; refuses a corrupt one', async () => {
    const { engine } = kit;
    const file = join(kit.dir, 'clip.mkv');
    const made = spawnSync('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=10:duration=2',
      '-c:v', 'mpeg4', '-y', file,
    ]); // prettier-ignore
    expect(made.status, made.stderr.toString()).toBe(0);
    const info = await upload(readFileSync(file), 'clip.mkv');
    expect(info).toMatchObject({ name: 'clip.mkv', width: 64, height: 48, fps: 8, frames: 16 });
    expect(info.fits[0]).toEqual({
      ratio: '1:1',
      crop: { x: 8, y: 0, width: 48, height: 48 },
      width: 24,
      height: 24,
    });
    expect(info.lastFrame).toMatch(/^data:image\/png;base64,/);
    const before = (await engine.handle('library.list', {})).total;
    const source = info.source;
    const { jobId } = await engine.handle('jobs.extend', { source, frames: 1, context: 2, prompt: 'more' });
    const done = await finished(jobId);
    const item = await engine.handle('library.get', { id: done.itemId });
    expect(item.parent).toBeUndefined();
    expect(item.record.source).toMatchObject({ path: 'clip.mkv', frames: 8 });
    expect(await probeVideo(engine.mediaFile(item.media.sha256, 'mp4').path)).toMatchObject({
      width: 24,
      height: 24,
      fps: 8,
      frames: 16 + 4,
    });
    expect((await engine.handle('library.list', {})).total).toBe(before + 1);

    writeFileSync(
      join(kit.dir, 'broken.mp4'),
      Buffer.concat([readFileSync(file).subarray(0, 16), Buffer.alloc(4000, 7)]),
    );
    await expect(upload(readFileSync(join(kit.dir, 'broken.mp4')), 'broken.mp4')).rejects.toMatchObject({
      name: 'EngineError',
      code: 'invalid_file',
      message: expect.stringMatching(/^broken\.mp4: [^\n]+$/),
    });
    await expect(upload(Buffer.from('just some text'), 'notes.txt')).rejects.toThrow(/^notes\.txt: /);
    expect((await engine.handle('library.list', {})).total).toBe(before + 1);
  }, 120_000);

  it('exports a video as MP4, GIF and WebP, and makes its filmstrip', async () => {
    const { engine } = kit;
    const [video] = (await engine.handle('library.list', { kind: 'video' })).items;
    const gif = await engine.video.exportFile(video!.id, 'gif');
    expect(readFileSync(gif.path).subarray(0, 6).toString()).toBe('GIF89a');
    expect(gif.fileName).toBe(`emu3-${video!.id}-a-red-cube-moving-left.gif`);
    const webp = await engine.video.exportFile(video!.id, 'webp');
    const head = readFileSync(webp.path);
    expect([head.subarray(0, 4).toString(), head.subarray(8, 12).toString()]).toEqual(['RIFF', 'WEBP']);
    expect((await engine.video.exportFile(video!.id, 'mp4')).contentType).toBe('video/mp4');

    const strip = await engine.handle('videos.filmstrip', { itemId: video!.id, count: 4 });
    expect(strip).toMatchObject({ total: 8, fps: 4 });
    expect(strip.frames.map((f) => f.index)).toEqual([0, 2, 5, 7]);
  }, 60_000);
});
