/**
 * The gallery: the query, the pages of items loaded so far (the grid asks for pages as they scroll into
 * view), the selected item with its details, and the verdicts of replays. Library events keep it current:
 * a change that moves an item in or out of the query makes the loaded pages stale, and the grid reloads
 * the ones it shows while still showing the stale ones.
 */
import type { StateCreator } from 'zustand';
import type {
  EventData,
  GenerationMode,
  LibraryItemDetail,
  LibraryItemSummary,
  LibraryPage,
} from '../../../../engine/src/api/index.js';
import type { StudioState } from '../store.js';

export interface GalleryQuery {
  search: string;
  kind: GenerationMode | null;
  model: string | null;
  starredOnly: boolean;
  /** The trash instead of the gallery. */
  trashed: boolean;
}

/** Items per `library.list` call: whole rows for the usual column counts (2–8, 10, 12). */
export const PAGE_SIZE = 120;

export interface GalleryPage {
  /** The `version` it was loaded under; an older one is stale and is reloaded when shown. */
  version: number;
  items: LibraryItemSummary[];
}

export type DetailState =
  | { id: number; status: 'loading' }
  | { id: number; status: 'ready'; item: LibraryItemDetail }
  | { id: number; status: 'failed'; message: string };

export type ReplayState =
  | { status: 'running'; jobId: string }
  | ({ status: 'done' } & Omit<EventData<'job.replayed'>, 'jobId' | 'itemId'>)
  | { status: 'failed'; message: string };

export interface GallerySlice {
  query: GalleryQuery;
  /** Bumped by every change of query or content. */
  version: number;
  /** Items matching the query; null until the first page arrives. */
  total: number | null;
  pages: Record<number, GalleryPage>;
  /** page → the version a request in flight will bring. */
  requested: Record<number, number>;
  selected: { id: number; index: number } | null;
  detail: DetailState | null;
  replays: Record<number, ReplayState>;
  /** Columns the grid shows now: up and down arrows move by this much. */
  columns: number;
  setQuery(patch: Partial<GalleryQuery>): void;
  invalidate(): void;
  pageRequested(page: number, version: number): void;
  pageLoaded(page: number, version: number, result: LibraryPage): void;
  pageFailed(page: number, version: number): void;
  select(id: number, index: number): void;
  clearSelection(): void;
  itemAdded(item: LibraryItemSummary): void;
  itemChanged(item: LibraryItemSummary): void;
  detailLoading(id: number): void;
  detailLoaded(item: LibraryItemDetail): void;
  detailFailed(id: number, message: string): void;
  replayStarted(itemId: number, jobId: string): void;
  replayFinished(data: EventData<'job.replayed'>): void;
  replayFailed(itemId: number, message: string): void;
  setColumns(columns: number): void;
}

export const EMPTY_QUERY: GalleryQuery = {
  search: '',
  kind: null,
  model: null,
  starredOnly: false,
  trashed: false,
};

export const createGallerySlice: StateCreator<StudioState, [], [], GallerySlice> = (set) => ({
  query: EMPTY_QUERY,
  version: 1,
  total: null,
  pages: {},
  requested: {},
  selected: null,
  detail: null,
  replays: {},
  columns: 1,
  setQuery: (patch) =>
    set((state) => ({
      query: { ...state.query, ...patch },
      version: state.version + 1,
      total: null,
      pages: {},
      requested: {},
      selected: null,
      detail: null,
    })),
  invalidate: () => set((state) => ({ version: state.version + 1, requested: {} })),
  pageRequested: (page, version) => set((state) => ({ requested: { ...state.requested, [page]: version } })),
  pageLoaded: (page, version, result) =>
    set((state) => {
      if (version !== state.version) return {};
      const requested = { ...state.requested };
      delete requested[page];
      return {
        pages: { ...state.pages, [page]: { version, items: result.items } },
        total: result.total,
        requested,
      };
    }),
  pageFailed: (page, version) =>
    set((state) => {
      if (state.requested[page] !== version) return {};
      const requested = { ...state.requested };
      delete requested[page];
      return { requested };
    }),
  select: (id, index) =>
    set((state) => ({
      selected: { id, index },
      detail: state.detail?.id === id ? state.detail : null,
    })),
  clearSelection: () => set({ selected: null, detail: null }),
  itemAdded: (item) =>
    set((state) => (matchesQuery(item, state.query) ? { version: state.version + 1, requested: {} } : {})),
  itemChanged: (item) =>
    set((state) => {
      let shown = false;
      const pages = Object.fromEntries(
        Object.entries(state.pages).map(([page, p]) => {
          if (!p.items.some((i) => i.id === item.id)) return [page, p];
          shown = true;
          return [page, { ...p, items: p.items.map((i) => (i.id === item.id ? item : i)) }];
        }),
      );
      const detail =
        state.detail?.status === 'ready' && state.detail.id === item.id
          ? { ...state.detail, item: { ...state.detail.item, ...item } }
          : state.detail;
      // It left the results (unstarred under "starred only", trashed) or joined them (restored): reload.
      const stale = shown !== matchesQuery(item, state.query);
      return { pages, detail, ...(stale ? { version: state.version + 1, requested: {} } : {}) };
    }),
  detailLoading: (id) => set({ detail: { id, status: 'loading' } }),
  detailLoaded: (item) =>
    set((state) =>
      state.selected?.id === item.id ? { detail: { id: item.id, status: 'ready', item } } : {},
    ),
  detailFailed: (id, message) =>
    set((state) => (state.selected?.id === id ? { detail: { id, status: 'failed', message } } : {})),
  replayStarted: (itemId, jobId) =>
    set((state) => ({ replays: { ...state.replays, [itemId]: { status: 'running', jobId } } })),
  replayFinished: ({ jobId: _jobId, itemId, ...verdict }) =>
    set((state) => ({ replays: { ...state.replays, [itemId]: { status: 'done', ...verdict } } })),
  replayFailed: (itemId, message) =>
    set((state) => ({ replays: { ...state.replays, [itemId]: { status: 'failed', message } } })),
  setColumns: (columns) => set((state) => (state.columns === columns ? {} : { columns })),
});

/** Whether an item belongs in the query's results, as `library.list` decides it. */
export function matchesQuery(item: LibraryItemSummary, query: GalleryQuery): boolean {
  if ((item.trashedAt !== null) !== query.trashed) return false;
  if (query.starredOnly && !item.starred) return false;
  if (query.kind !== null && item.kind !== query.kind) return false;
  if (query.model !== null && item.modelId !== query.model) return false;
  const prompt = item.prompt.toLowerCase();
  return query.search
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((term) => prompt.includes(term));
}
