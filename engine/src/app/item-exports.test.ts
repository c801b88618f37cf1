/**
 * Exports of gallery items on a real library: an image as its own PNG (the record inside) or as WebP and
 * JPEG copies made by sharp (no record); a video handed to the video library; formats a kind lacks refused.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VideoExportFormat } from '../api/index.js';
import { makeTestRecord, writeTestMedia } from '../library/fixtures.js';
import { Library } from '../library/library.js';
import { readPngRecord, RECORD_KEYWORD, writePngWithRecord } from '../media/png-record.js';
import { createItemExports, type ExportItem } from './item-exports.js';

describe('item exports', () => {
  let dir: string;
  let library: Library;
  let exportItem: ExportItem;
  let imageId: number;
  let videoId: number;
  const videoCalls: [number, VideoExportFormat][] = [];
  const record = makeTestRecord(42, { prompt: 'a red circle' });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'emu3-item-exports-'));
    library = Library.open(join(dir, 'library'));
    const png = join(dir, 'result.png');
    const data = new Uint8Array(16 * 16 * 3).map((_, i) => (i * 29) % 256);
    await writePngWithRecord(png, { width: 16, height: 16, data }, record);
    imageId = (await library.addItem({ record, mediaPath: png })).id;
    const mp4 = writeTestMedia(join(dir, 'result.mp4'), 1, 'mp4');
    videoId = (await library.addItem({ record: makeTestRecord(2, { mode: 'video' }), mediaPath: mp4 })).id;
    const videos = {
      async exportFile(itemId: number, format: VideoExportFormat) {
        videoCalls.push([itemId, format]);
        return { path: mp4, fileName: `emu3-${itemId}.${format}`, contentType: 'video/mp4', bytes: 1 };
      },
    };
    exportItem = createItemExports(library, videos, join(dir, 'exports'));
  });

  afterAll(() => {
    library?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exports an image as the library’s own PNG, record inside, named by id and seed', async () => {
    const file = await exportItem(imageId, 'png');
    const detail = library.get(imageId)!;
    expect(file).toEqual({
      path: library.mediaPath(detail.media.sha256),
      fileName: `emu3-${imageId}-42.png`,
      contentType: 'image/png',
      bytes: statSync(file.path).size,
    });
    expect(await readPngRecord(file.path)).toEqual(record);
  });

  it('exports WebP and JPEG copies without the record, rendered once', async () => {
    for (const [format, type, sharpFormat] of [
      ['webp', 'image/webp', 'webp'],
      ['jpg', 'image/jpeg', 'jpeg'],
    ] as const) {
      const [first, second] = await Promise.all([exportItem(imageId, format), exportItem(imageId, format)]);
      expect(first).toMatchObject({ fileName: `emu3-${imageId}-42.${format}`, contentType: type });
      expect(second.path).toBe(first.path);
      expect(first.path.startsWith(join(dir, 'exports'))).toBe(true);
      const bytes = readFileSync(first.path);
      expect(first.bytes).toBe(bytes.length);
      expect(await sharp(bytes).metadata()).toMatchObject({ format: sharpFormat, width: 16, height: 16 });
      expect(bytes.includes(RECORD_KEYWORD)).toBe(false);
      const written = statSync(first.path).mtimeMs;
      await exportItem(imageId, format);
      expect(statSync(first.path).mtimeMs).toBe(written);
    }
  });

  it('hands a video to the video library, and refuses formats an item’s kind lacks', async () => {
    expect((await exportItem(videoId, 'webp')).fileName).toBe(`emu3-${videoId}.webp`);
    expect(videoCalls).toEqual([[videoId, 'webp']]);
    await expect(exportItem(videoId, 'png')).rejects.toMatchObject({
      code: 'bad_request',
      message: `library item ${videoId} is a video: it exports as .mp4, .gif or .webp`,
    });
    await expect(exportItem(imageId, 'gif')).rejects.toMatchObject({
      code: 'bad_request',
      message: `library item ${imageId} is an image: it exports as .png, .webp or .jpg`,
    });
    await expect(exportItem(999, 'png')).rejects.toMatchObject({ code: 'not_found' });
    expect(videoCalls).toHaveLength(1);
  });
});
