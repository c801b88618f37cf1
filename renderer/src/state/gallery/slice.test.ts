import { describe, expect, it } from 'vitest';
import type { LibraryItemDetail, LibraryItemSummary } from '../../../../engine/src/api/index.js';
import { createStudioStore } from '../store.js';
import { indexOfItem, listParams, pagesToLoad, selectItemAt } from './selectors.js';
import { EMPTY_QUERY, matchesQuery, PAGE_SIZE } from './slice.js';

const item = (id: number, over: Partial<LibraryItemSummary> = {}): LibraryItemSummary => ({
  id,
  kind: 'image',
  modelId: 'm1',
  prompt: `A Red cube number ${id}`,
  createdAt: '2026-01-01T00:00:00.000Z',
  starred: false,
  trashedAt: null,
  media: { sha256: String(id).padStart(64, '0'), ext: 'png' },
  thumbnail: null,
  ...over,
});
const page = (first: number, count: number, total: number) => ({
  items: Array.from({ length: count }, (_, i) => item(total - first - i)),
  total,
});

describe('gallery slice', () => {
  it('loads pages on demand, once per version, and finds items in them', () => {
    const store = createStudioStore();
    const s = () => store.getState();
    expect(pagesToLoad(s(), 0, 50)).toEqual([0]);
    s().pageRequested(0, s().version);
    expect(pagesToLoad(s(), 0, 50)).toEqual([]);
    s().pageLoaded(0, s().version, page(0, PAGE_SIZE, 300));
    expect(s().total).toBe(300);
    expect(pagesToLoad(s(), 100, 299)).toEqual([1, 2]);
    expect(pagesToLoad(s(), 100, 5000)).toEqual([1, 2]);
    expect(selectItemAt(s(), 5)?.id).toBe(295);
    expect(selectItemAt(s(), 200)).toBeNull();
    expect(indexOfItem(s(), 295)).toBe(5);
    expect(indexOfItem(s(), 1)).toBe(-1);
  });

  it('ignores a page that arrives for an older version, and retries a failed one', () => {
    const store = createStudioStore();
    const s = () => store.getState();
    const old = s().version;
    s().pageRequested(0, old);
    s().setQuery({ search: 'cube' });
    s().pageLoaded(0, old, page(0, 10, 10));
    expect(s().total).toBeNull();
    expect(s().pages).toEqual({});
    s().pageRequested(0, s().version);
    s().pageFailed(0, s().version);
    expect(pagesToLoad(s(), 0, 0)).toEqual([0]);
  });

  it('keeps stale pages on screen after an invalidation, and reloads them', () => {
    const store = createStudioStore();
    const s = () => store.getState();
    s().pageLoaded(0, s().version, page(0, 10, 10));
    s().itemAdded(item(11));
    expect(selectItemAt(s(), 0)?.id).toBe(10);
    expect(pagesToLoad(s(), 0, 9)).toEqual([0]);
    // An empty result is asked again after a change: the item may be back.
    s().pageLoaded(0, s().version, { items: [], total: 0 });
    s().invalidate();
    expect(pagesToLoad(s(), 0, 0)).toEqual([0]);
    // An item the query does not show changes nothing.
    const version = s().version;
    s().itemAdded(item(12, { trashedAt: '2026-01-02T00:00:00.000Z' }));
    s().setQuery({ kind: 'image' });
    s().itemAdded(item(13, { kind: 'video' }));
    expect(s().version).toBe(version + 1);
  });

  it('updates a changed item in place, and goes stale when it leaves the query', () => {
    const store = createStudioStore();
    const s = () => store.getState();
    s().pageLoaded(0, s().version, page(0, 10, 10));
    s().select(7, 3);
    s().detailLoaded({ ...item(7), addedAt: 'x', width: 48, height: 48 } as LibraryItemDetail);
    const version = s().version;
    s().itemChanged(item(7, { starred: true }));
    expect(selectItemAt(s(), 3)).toMatchObject({ id: 7, starred: true });
    expect(s().detail).toMatchObject({ status: 'ready', item: { starred: true, width: 48 } });
    expect(s().version).toBe(version);
    s().itemChanged(item(7, { trashedAt: '2026-01-02T00:00:00.000Z' }));
    expect(s().version).toBe(version + 1);
    // A restored item that no loaded page shows joins the results: stale again.
    s().pageLoaded(0, s().version, page(0, 9, 9));
    s().itemChanged(item(42));
    expect(s().version).toBe(version + 2);
  });

  it('drops a detail that arrives for an item no longer selected; records replay verdicts', () => {
    const store = createStudioStore();
    const s = () => store.getState();
    s().select(1, 0);
    s().detailLoading(1);
    s().select(2, 1);
    s().detailLoaded({ ...item(1), addedAt: 'x', width: 1, height: 1 } as LibraryItemDetail);
    expect(s().detail).toBeNull();
    s().replayStarted(2, 'j');
    expect(s().replays[2]).toEqual({ status: 'running', jobId: 'j' });
    s().replayFinished({
      jobId: 'j',
      itemId: 2,
      verdict: 'identical',
      tokens: 9,
      firstDifference: null,
      seconds: 1,
    });
    expect(s().replays[2]).toEqual({
      status: 'done',
      verdict: 'identical',
      tokens: 9,
      firstDifference: null,
      seconds: 1,
    });
  });
});

describe('matchesQuery and listParams', () => {
  it('decides as library.list does: trash, star, kind, model, and every search word ignoring case', () => {
    expect(matchesQuery(item(1), EMPTY_QUERY)).toBe(true);
    expect(matchesQuery(item(1), { ...EMPTY_QUERY, search: 'red  CUBE' })).toBe(true);
    expect(matchesQuery(item(1), { ...EMPTY_QUERY, search: 'red sphere' })).toBe(false);
    expect(matchesQuery(item(1), { ...EMPTY_QUERY, starredOnly: true })).toBe(false);
    expect(matchesQuery(item(1), { ...EMPTY_QUERY, trashed: true })).toBe(false);
    expect(matchesQuery(item(1, { trashedAt: 'x' }), { ...EMPTY_QUERY, trashed: true })).toBe(true);
    expect(matchesQuery(item(1), { ...EMPTY_QUERY, kind: 'video' })).toBe(false);
    expect(matchesQuery(item(1), { ...EMPTY_QUERY, model: 'm2' })).toBe(false);
  });

  it('sends only what the query sets', () => {
    expect(listParams(EMPTY_QUERY, 2)).toEqual({ limit: PAGE_SIZE, offset: 2 * PAGE_SIZE });
    expect(
      listParams({ search: ' cat ', kind: 'image', model: 'm', starredOnly: true, trashed: true }, 0),
    ).toEqual({
      search: 'cat',
      kind: 'image',
      model: 'm',
      starred: true,
      trashed: true,
      limit: PAGE_SIZE,
      offset: 0,
    });
  });
});
