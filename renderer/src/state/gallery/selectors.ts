/** Reading the gallery's pages: an item by index, pages to load, list params. */
import type { LibraryListParams } from '../../../../engine/src/api/index.js';
import type { StudioState } from '../store.js';
import { PAGE_SIZE, type GalleryQuery } from './slice.js';

export function selectItemAt(state: StudioState, index: number) {
  return state.pages[Math.floor(index / PAGE_SIZE)]?.items[index % PAGE_SIZE] ?? null;
}

/** The pages covering items first..last that are missing or stale and not already on their way. */
export function pagesToLoad(state: StudioState, first: number, last: number): number[] {
  const pages: number[] = [];
  // Until a page says how many there are (or while there are none), the first page is the one to ask.
  const lastItem = !state.total ? Math.max(first, 0) : Math.min(last, state.total - 1);
  for (
    let page = Math.floor(Math.max(first, 0) / PAGE_SIZE);
    page <= Math.floor(lastItem / PAGE_SIZE);
    page++
  ) {
    if (state.pages[page]?.version === state.version) continue;
    if (state.requested[page] === state.version) continue;
    pages.push(page);
  }
  return pages;
}

/** Where an item is among the loaded pages, or -1. */
export function indexOfItem(state: StudioState, id: number): number {
  for (const [page, { items }] of Object.entries(state.pages)) {
    const at = items.findIndex((item) => item.id === id);
    if (at >= 0) return Number(page) * PAGE_SIZE + at;
  }
  return -1;
}

export function listParams(query: GalleryQuery, page: number): LibraryListParams {
  const search = query.search.trim();
  return {
    ...(search ? { search } : {}),
    ...(query.kind ? { kind: query.kind } : {}),
    ...(query.model ? { model: query.model } : {}),
    ...(query.starredOnly ? { starred: true } : {}),
    ...(query.trashed ? { trashed: true } : {}),
    limit: PAGE_SIZE,
    offset: page * PAGE_SIZE,
  };
}
