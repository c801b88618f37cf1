/** Gallery commands: loading pages, selecting, starring, trash with undo, replay, and reusing settings. */
import type { RecordSummary } from '../../../engine/src/api/index.js';
import { reportError, type Studio } from '../host/studio.js';
import { indexOfItem, listParams, pagesToLoad, selectItemAt } from '../state/gallery/selectors.js';
import type { GalleryQuery } from '../state/gallery/slice.js';
import { shorten } from './toast-text.js';

/** How long the undo toast of a trashed item stays. */
export const UNDO_MS = 8000;

/** Loads the pages covering items first..last that are missing or stale. */
export function loadRange(studio: Studio, first: number, last: number): void {
  const s = studio.store.getState();
  for (const page of pagesToLoad(s, first, last)) {
    const { version, query } = s;
    s.pageRequested(page, version);
    studio.client.call('library.list', listParams(query, page)).then(
      (result) => studio.store.getState().pageLoaded(page, version, result),
      (error: unknown) => {
        studio.store.getState().pageFailed(page, version);
        reportError(studio, error, 'Gallery');
      },
    );
  }
}

export function setGalleryQuery(studio: Studio, patch: Partial<GalleryQuery>): void {
  studio.store.getState().setQuery(patch);
  loadRange(studio, 0, 0);
}

/** Selects an item and loads everything about it for the detail panel. */
export function openItem(studio: Studio, id: number, index: number): void {
  const s = studio.store.getState();
  s.select(id, index);
  if (s.detail?.id === id && s.detail.status !== 'failed') return;
  s.detailLoading(id);
  studio.client.call('library.get', { id }).then(
    (item) => studio.store.getState().detailLoaded(item),
    (error: unknown) =>
      studio.store.getState().detailFailed(id, error instanceof Error ? error.message : String(error)),
  );
}

/** Arrow keys: moves the selection by `delta` items (±1, or ± a row of columns), loading as needed. */
export function moveSelection(studio: Studio, delta: number): void {
  const s = studio.store.getState();
  if (s.total === null || s.total === 0) return;
  const from = s.selected ? indexOfItem(s, s.selected.id) : -1;
  const index = from < 0 ? 0 : Math.min(s.total - 1, Math.max(0, from + delta));
  const item = selectItemAt(s, index);
  if (item) return openItem(studio, item.id, index);
  // Not loaded yet (a fast key repeat past the loaded pages): load it, then select it.
  loadRange(studio, index, index);
  const stop = studio.store.subscribe((state) => {
    const loaded = selectItemAt(state, index);
    if (!loaded) return;
    stop();
    openItem(studio, loaded.id, index);
  });
}

export function toggleStar(studio: Studio, id: number): void {
  const item = findItem(studio, id);
  studio.client
    .call('library.star', { id, starred: !(item?.starred ?? false) })
    .catch((error: unknown) => reportError(studio, error, 'Star'));
}

/** Moves an item to the trash, selects its neighbour, and offers an undo. */
export async function trashItem(studio: Studio, id: number): Promise<void> {
  const s = studio.store.getState();
  const index = indexOfItem(s, id);
  const next = index >= 0 ? (selectItemAt(s, index + 1) ?? selectItemAt(s, index - 1)) : null;
  try {
    const item = await studio.client.call('library.trash', { id });
    const after = studio.store.getState();
    if (after.selected?.id === id) {
      if (next) openItem(studio, next.id, next.id === selectItemAt(s, index + 1)?.id ? index : index - 1);
      else after.clearSelection();
    }
    after.pushToast({
      tone: 'info',
      message: `Moved “${shorten(item.prompt)}” to the trash.`,
      action: { label: 'Undo', run: () => restoreItem(studio, id) },
      timeoutMs: UNDO_MS,
    });
  } catch (error) {
    reportError(studio, error, 'Trash');
  }
}

export function restoreItem(studio: Studio, id: number): void {
  studio.client
    .call('library.restore', { id })
    .catch((error: unknown) => reportError(studio, error, 'Restore'));
}

export async function emptyTrash(studio: Studio): Promise<void> {
  try {
    const { removed } = await studio.client.call('library.emptyTrash');
    const s = studio.store.getState();
    s.clearSelection();
    s.pushToast({ tone: 'info', message: `Deleted ${removed} item${removed === 1 ? '' : 's'} for good.` });
  } catch (error) {
    reportError(studio, error, 'Empty trash');
  }
}

/** "Regenerate exactly": queues a replay; its verdict arrives as `job.replayed`. */
export async function replayItem(studio: Studio, id: number): Promise<void> {
  try {
    const { jobId } = await studio.client.call('jobs.replay', { itemId: id });
    studio.store.getState().replayStarted(id, jobId);
  } catch (error) {
    studio.store.getState().replayFailed(id, error instanceof Error ? error.message : String(error));
  }
}

/** "Use these settings": the item's record fills the Generate form, and Generate shows. */
export function applyItemSettings(studio: Studio): void {
  const s = studio.store.getState();
  if (s.detail?.status !== 'ready') return;
  takeSettings(
    studio,
    s.detail.item.record,
    `Settings of item #${s.detail.item.id} loaded, seed locked.`,
    s.detail.item.id,
  );
}

/**
 * A record's settings fill the Generate form (seed locked), Generate shows, and a toast says where they came
 * from; with `itemId`, what is generated from them joins that item's lineage.
 */
export function takeSettings(studio: Studio, record: RecordSummary, message: string, itemId?: number): void {
  const s = studio.store.getState();
  s.applyRecord(record, itemId);
  s.showScreen('generate');
  s.pushToast({ tone: 'info', message });
}

function findItem(studio: Studio, id: number) {
  const s = studio.store.getState();
  const index = indexOfItem(s, id);
  if (index >= 0) return selectItemAt(s, index);
  return s.detail?.status === 'ready' && s.detail.id === id ? s.detail.item : null;
}
