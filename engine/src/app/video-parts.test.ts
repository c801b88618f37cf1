/** The pure parts of video in the engine: crops, filmstrip picks, download names, and the upload folder. */
import { mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { evenly, slug } from './video-library.js';
import { fitSource, roundFps, sourceFits } from './video-sources.js';
import { cleanName, createUploadStore } from './upload-store.js';

const NANO = { imageArea: 128 * 128, vision: { spatialFactor: 8 } } as Parameters<typeof fitSource>[3];

describe('fitting a source to the model', () => {
  it('crops the centre to the ratio and sizes it by the model’s area', () => {
    expect(fitSource(320, 240, '1:1', NANO)).toEqual({
      ratio: '1:1',
      crop: { x: 40, y: 0, width: 240, height: 240 },
      width: 128,
      height: 128,
    });
    expect(fitSource(1920, 1080, '16:9', NANO)).toEqual({
      ratio: '16:9',
      // 21×12 tokens is 1.75:1, a little narrower than 16:9: 15 columns go on each side.
      crop: { x: 15, y: 0, width: 1890, height: 1080 },
      width: 168,
      height: 96,
    });
    expect(fitSource(100, 300, '4:3', NANO).crop).toEqual({ x: 0, y: 111, width: 100, height: 78 });
  });

  it('offers a gallery video its own shape first, an upload the model’s square', () => {
    const info = { width: 1280, height: 720, fps: 30 };
    const item = sourceFits({ source: { kind: 'item', itemId: 1 }, info }, NANO).map((f) => f.ratio);
    const upload = sourceFits({ source: { kind: 'upload', uploadId: 'x' }, info }, NANO).map((f) => f.ratio);
    expect(item).toEqual(['16:9', '1:1', '4:3', '3:4', '9:16']);
    expect(upload).toEqual(['1:1', '4:3', '3:4', '16:9', '9:16']);
  });

  it('writes rates with two decimals at most', () => {
    expect([roundFps(30000 / 1001), roundFps(8), roundFps(0.001)]).toEqual([29.97, 8, 0.01]);
  });
});

describe('filmstrips and downloads', () => {
  it('picks frames evenly, first and last included', () => {
    expect(evenly(16, 4)).toEqual([0, 5, 10, 15]);
    expect(evenly(3, 12)).toEqual([0, 1, 2]);
    expect(evenly(10, 1)).toEqual([0]);
    expect(evenly(0, 4)).toEqual([]);
  });

  it('names a download by a few words of its prompt', () => {
    expect(slug('A Red Cube, moving LEFT over the wooden table!')).toBe('a-red-cube-moving-left-over');
    expect(slug('日本語')).toBe('video');
  });
});

describe('the upload store', () => {
  const dirs: string[] = [];
  const folder = () => {
    const dir = mkdtempSync(join(tmpdir(), 'emu3-uploads-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('keeps a body under a name of its own, hashed, and finds it again after a restart', async () => {
    const dir = folder();
    const uploads = createUploadStore(dir);
    const upload = await uploads.receive(
      Readable.from([Buffer.from('abc'), Buffer.from('def')]),
      '../x/clip.mkv',
    );
    expect(upload).toMatchObject({ name: 'clip.mkv', bytes: 6, kind: 'video' });
    expect(upload.sha256).toBe('bef57ec7f53a6d40beb640a780a639c83bc29ac8a9816f1fc6c5c6dcd93c4721');
    // After a restart it is found on disk, before or after the sweep.
    const again = createUploadStore(dir);
    expect(again.get(upload.uploadId).path).toBe(upload.path);
    await again.sweep();
    expect(again.get(upload.uploadId).name).toBe('clip.mkv');
    expect(() => again.get('0b3f6d2e-54a1-4c6e-9a8f-1d2e3f4a5b6c')).toThrow(/not here/);
    await again.discard(upload.uploadId);
    expect(readdirSync(dir)).toEqual([]);
    // The kind of media is the table's for the name, or what the caller says, and comes back after a restart.
    const image = await again.receive(Readable.from([Buffer.from('png')]), 'shot.PNG');
    const said = await again.receive(Readable.from([Buffer.from('?')]), 'no-extension', 8, 'image');
    expect([image.kind, said.kind]).toEqual(['image', 'image']);
    expect(createUploadStore(dir).get(image.uploadId).kind).toBe('image');
  });

  it('refuses a body over the limit or empty, leaving nothing, and sweeps old uploads', async () => {
    const dir = folder();
    const uploads = createUploadStore(dir);
    await expect(uploads.receive(Readable.from([Buffer.alloc(10)]), 'big.mp4', 8)).rejects.toThrow(
      /^big\.mp4: larger than the 0 MiB a video upload may be$/,
    );
    await expect(uploads.receive(Readable.from([]), 'empty.mp4')).rejects.toThrow(
      'empty.mp4: the file is empty',
    );
    expect(readdirSync(dir)).toEqual([]);
    const kept = await uploads.receive(Readable.from([Buffer.from('x')]), 'old.mp4');
    const old = new Date(Date.now() - 2 * 24 * 3600 * 1000);
    for (const file of readdirSync(dir)) utimesSync(join(dir, file), old, old);
    expect(await uploads.sweep()).toBe(2);
    expect(() => uploads.get(kept.uploadId)).toThrow(/not here/);
  });

  it('labels a file by its last name part, without control characters', () => {
    expect(cleanName('C:\\Users\\me\\clip\u0007.mov')).toBe('clip.mov');
    expect(cleanName('')).toBe('video');
  });
});
