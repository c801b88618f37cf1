/**
 * The library behind the protocol: saving finished images as items, the `library.*` methods, and the media
 * files hosts serve. Every change is announced as a `library.*` event so every window stays in step.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EngineError,
  summarizeRecord,
  type EventData,
  type EventName,
  type GenerationRecord,
  type ItemParent,
  type LibraryItemDetail,
  type LibraryItemSummary,
  type MediaExt,
  type MethodResult,
  type RgbFrame,
} from '../api/index.js';
import type { Library, LibraryItem } from '../library/library.js';
import { frameImage, imageSize } from '../media/images.js';
import { writePngWithRecord } from '../media/png-record.js';

/** Grid cells are at most this many CSS pixels; a larger image gets a WebP copy of this size for the grid. */
export const THUMBNAIL_SIZE = 320;

type Emit = <E extends EventName>(event: E, data: EventData<E>) => void;

export interface LibraryMethods {
  /**
   * Saves an image result (a PNG carrying its record, plus a thumbnail when it is large) as a new item,
   * joined to `parent` when it remakes one.
   */
  saveImage(frame: RgbFrame, record: GenerationRecord, parent?: ItemParent): Promise<LibraryItemSummary>;
  /** A full item, tokens included, for a replay; not_found when it is not there. */
  item(id: number): LibraryItem;
  list: (params: Parameters<Library['list']>[0]) => MethodResult<'library.list'>;
  get(id: number): Promise<LibraryItemDetail>;
  star(id: number, starred: boolean): LibraryItemSummary;
  trash(id: number): LibraryItemSummary;
  restore(id: number): LibraryItemSummary;
  emptyTrash(): { removed: number };
  /** The file of a stored media, checked: the hash must be in the library and the extension its own. */
  mediaFile(sha256: string, ext: string): { path: string; ext: MediaExt };
}

export function createLibraryMethods(library: Library, emit: Emit): LibraryMethods {
  function summaryOf(id: number): LibraryItemSummary {
    const item = library.summary(id);
    if (!item) throw new EngineError('not_found', `library item ${id}: no such item`);
    return item;
  }

  function changed(id: number): LibraryItemSummary {
    const item = summaryOf(id);
    emit('library.itemChanged', { item });
    return item;
  }

  return {
    async saveImage(frame, record, parent) {
      const dir = await mkdtemp(join(tmpdir(), 'emu3-result-'));
      try {
        const mediaPath = join(dir, 'result.png');
        await writePngWithRecord(mediaPath, frame, record);
        let thumbnailPath: string | undefined;
        if (Math.max(frame.width, frame.height) > THUMBNAIL_SIZE) {
          thumbnailPath = join(dir, 'thumbnail.webp');
          await frameImage(frame)
            .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside' })
            .webp({ quality: 82 })
            .toFile(thumbnailPath);
        }
        const added = await library.addItem({
          record,
          mediaPath,
          ...(thumbnailPath ? { thumbnailPath } : {}),
          ...(parent ? { parent } : {}),
        });
        const item = summaryOf(added.id);
        emit('library.itemAdded', { item });
        return item;
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    item(id) {
      const item = library.get(id);
      if (!item) throw new EngineError('not_found', `library item ${id}: no such item`);
      return item;
    },
    list: (params) => library.list(params),
    async get(id) {
      const item = library.get(id);
      if (!item) throw new EngineError('not_found', `library item ${id}: no such item`);
      const { record, addedAt, ...rest } = item;
      // The pixel size is read from the file (cheap: the header only), a video's from its poster; a damaged
      // file shows no size.
      const picture = item.media.ext === 'mp4' && item.thumbnail ? item.thumbnail : item.media;
      const size = await imageSize(library.mediaPath(picture.sha256)).catch(() => ({
        width: null,
        height: null,
      }));
      return { ...rest, addedAt, record: summarizeRecord(record), ...size };
    },
    star(id, starred) {
      library.setStarred(id, starred);
      return changed(id);
    },
    trash(id) {
      library.trash(id);
      return changed(id);
    },
    restore(id) {
      library.restore(id);
      return changed(id);
    },
    emptyTrash() {
      const removed = library.emptyTrash();
      emit('library.trashEmptied', { removed });
      return { removed };
    },
    mediaFile(sha256, ext) {
      const path = library.mediaPath(sha256);
      if (!path.endsWith(`.${ext}`))
        throw new EngineError('not_found', `media ${sha256}.${ext}: not in the library`);
      return { path, ext: ext as MediaExt };
    },
  };
}
