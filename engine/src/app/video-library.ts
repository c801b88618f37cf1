/**
 * Videos in the library: saving a result (an MP4 carrying its record, with a poster PNG as its grid
 * thumbnail), filmstrips for the detail view, exports as MP4, GIF or WebP, and lineage.
 */
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EngineError,
  type VideoExportFormat,
  type Filmstrip,
  type GenerationRecord,
  type ItemParent,
  type LibraryItemSummary,
  type Lineage,
  type RgbFrame,
} from '../api/index.js';
import { lineage } from '../library/lineage.js';
import type { Library } from '../library/library.js';
import { pngDataUrl, writePng } from '../media/images.js';
import { writeResult } from '../media/result-files.js';
import { writeAnimation } from '../media/video-export.js';
import { probeVideo, readVideoFrames } from '../media/video.js';
import type { Emit } from './method-impls.js';

/** Filmstrip frames are this many pixels high (twice the strip's CSS height, for sharp screens). */
const FILMSTRIP_HEIGHT = 96;
const FILMSTRIP_CACHE = 24;

export const EXPORT_TYPES: Record<VideoExportFormat, string> = {
  mp4: 'video/mp4',
  gif: 'image/gif',
  webp: 'image/webp',
};

export interface ExportedFile {
  path: string;
  /** What the download is called: `emu3-<id>-<prompt words>.<format>` (an image's: `emu3-<id>-<seed>.<format>`). */
  fileName: string;
  contentType: string;
  bytes: number;
}

export interface VideoLibrary {
  /** Saves frames as a new item: the MP4 with `record` inside, `poster` as its thumbnail, joined to `parent`. */
  saveVideo(
    frames: readonly RgbFrame[],
    record: GenerationRecord,
    options: { fps: number; poster: RgbFrame; parent?: ItemParent; signal?: AbortSignal },
  ): Promise<LibraryItemSummary>;
  filmstrip(itemId: number, count: number): Promise<Filmstrip>;
  /** The file to download; a GIF or WebP is rendered once and kept in the exports folder. */
  exportFile(itemId: number, format: VideoExportFormat): Promise<ExportedFile>;
  lineage(itemId: number): Lineage;
}

export function createVideoLibrary(library: Library, emit: Emit, exportsDir: string): VideoLibrary {
  const strips = new Map<string, Promise<Omit<Filmstrip, 'itemId'>>>();
  const exporting = new Map<string, Promise<void>>();

  function videoItem(itemId: number) {
    const item = library.get(itemId);
    if (!item) throw new EngineError('not_found', `library item ${itemId}: no such item`);
    if (item.media.ext !== 'mp4')
      throw new EngineError('bad_request', `library item ${itemId} is not a video`);
    return { item, path: library.mediaPath(item.media.sha256) };
  }

  async function makeStrip(path: string, count: number): Promise<Omit<Filmstrip, 'itemId'>> {
    const info = await probeVideo(path);
    const height = Math.min(FILMSTRIP_HEIGHT, info.height);
    const width = Math.max(2, Math.round((info.width * height) / info.height));
    const { frames } = await readVideoFrames(path, { size: { width, height } });
    const picks = evenly(frames.length, count);
    return {
      total: frames.length,
      fps: info.fps,
      frames: await Promise.all(
        picks.map(async (index) => ({
          index,
          seconds: index / info.fps,
          image: await pngDataUrl(frames[index]!),
        })),
      ),
    };
  }

  return {
    async saveVideo(frames, record, options) {
      const dir = await mkdtemp(join(tmpdir(), 'emu3-video-'));
      try {
        const mediaPath = join(dir, 'result.mp4');
        const thumbnailPath = join(dir, 'poster.png');
        await writeResult(mediaPath, frames, record, {
          fps: options.fps,
          ...(options.signal ? { signal: options.signal } : {}),
        });
        await writePng(thumbnailPath, options.poster);
        const added = await library.addItem({
          record,
          mediaPath,
          thumbnailPath,
          ...(options.parent ? { parent: options.parent } : {}),
        });
        const item = library.summary(added.id)!;
        emit('library.itemAdded', { item });
        return item;
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    async filmstrip(itemId, count) {
      const { item, path } = videoItem(itemId);
      const key = `${item.media.sha256}:${count}`;
      let strip = strips.get(key);
      if (!strip) {
        strip = makeStrip(path, count);
        strips.set(key, strip);
        strip.catch(() => strips.delete(key));
        if (strips.size > FILMSTRIP_CACHE) strips.delete(strips.keys().next().value!);
      }
      return { itemId, ...(await strip) };
    },
    async exportFile(itemId, format) {
      const { item, path } = videoItem(itemId);
      const fileName = `emu3-${itemId}-${slug(item.prompt)}.${format}`;
      const contentType = EXPORT_TYPES[format];
      if (format === 'mp4') return { path, fileName, contentType, bytes: (await stat(path)).size };
      const out = join(exportsDir, `${item.media.sha256}.${format}`);
      if (!(await stat(out).catch(() => null))) {
        // One render per file however many downloads ask at once.
        let running = exporting.get(out);
        if (!running) {
          running = mkdir(exportsDir, { recursive: true })
            .then(() => writeAnimation(path, out, format))
            .finally(() => exporting.delete(out));
          exporting.set(out, running);
        }
        await running;
      }
      return { path: out, fileName, contentType, bytes: (await stat(out)).size };
    },
    lineage: (itemId) => lineage(library, itemId),
  };
}

/** `count` indexes spread evenly over `total`, the first and the last included. */
export function evenly(total: number, count: number): number[] {
  if (total <= 0) return [];
  if (count >= total) return Array.from({ length: total }, (_, i) => i);
  if (count === 1) return [0];
  return Array.from({ length: count }, (_, i) => Math.round((i * (total - 1)) / (count - 1)));
}

/** A few words of a prompt for a file name: lowercase letters, digits and dashes. */
export function slug(text: string): string {
  const words = text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter(Boolean)
    .slice(0, 6);
  return words.join('-').slice(0, 48) || 'video';
}
