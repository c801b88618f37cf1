/**
 * Gallery items as files to download (`GET /api/export/<id>.<format>`, host/video-routes.ts): a video as MP4,
 * GIF or WebP (video-library.ts); an image as its own PNG, which carries its generation record, or as a WebP
 * or JPEG copy, which does not. A copy is made once and kept in the exports folder, named by its content.
 */
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError, ImageExportFormat, VideoExportFormat, type ExportFormat } from '../api/index.js';
import { mediaKindOf } from '../library/ask-store.js';
import type { Library } from '../library/library.js';
import { writeImageCopy } from '../media/image-export.js';
import type { ExportedFile, VideoLibrary } from './video-library.js';

export const IMAGE_EXPORT_TYPES: Record<ImageExportFormat, string> = {
  png: 'image/png',
  webp: 'image/webp',
  jpg: 'image/jpeg',
};

/** The file to download for an item; bad_request for a format its kind does not export as. */
export type ExportItem = (itemId: number, format: ExportFormat) => Promise<ExportedFile>;

export function createItemExports(
  library: Library,
  videos: Pick<VideoLibrary, 'exportFile'>,
  exportsDir: string,
): ExportItem {
  const rendering = new Map<string, Promise<void>>();

  /** One render per file however many downloads ask at once. */
  function renderOnce(out: string, render: () => Promise<void>): Promise<void> {
    let running = rendering.get(out);
    if (!running) {
      running = mkdir(exportsDir, { recursive: true })
        .then(render)
        .finally(() => rendering.delete(out));
      rendering.set(out, running);
    }
    return running;
  }

  return async (itemId, format) => {
    const item = library.get(itemId);
    if (!item) throw new EngineError('not_found', `library item ${itemId}: no such item`);
    if (mediaKindOf(item.media.ext) === 'video') {
      const video = VideoExportFormat.safeParse(format);
      if (!video.success)
        throw new EngineError(
          'bad_request',
          `library item ${itemId} is a video: it exports as .mp4, .gif or .webp`,
        );
      return videos.exportFile(itemId, video.data);
    }
    const image = ImageExportFormat.safeParse(format);
    if (!image.success)
      throw new EngineError(
        'bad_request',
        `library item ${itemId} is an image: it exports as .png, .webp or .jpg`,
      );
    const source = library.mediaPath(item.media.sha256);
    // The seed tells two downloads of one prompt apart, and is what a user re-types to make it again.
    const fileName = `emu3-${itemId}-${item.record.seed}.${image.data}`;
    const contentType = IMAGE_EXPORT_TYPES[image.data];
    // The library's own PNG is the export: the record travels inside it, byte for byte as stored.
    if (image.data === 'png' && item.media.ext === 'png')
      return { path: source, fileName, contentType, bytes: (await stat(source)).size };
    const out = join(exportsDir, `${item.media.sha256}.${image.data}`);
    if (!(await stat(out).catch(() => null)))
      await renderOnce(out, () => writeImageCopy(source, out, image.data));
    return { path: out, fileName, contentType, bytes: (await stat(out)).size };
  };
}
