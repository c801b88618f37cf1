/**
 * The library as the protocol shows it: gallery items (a result's media, its record and its marks), pages of
 * them, and what a token-exact replay concludes. The library's own types (engine/src/library/rows.ts) are
 * checked against these when the engine validates its results.
 */
import { z } from 'zod';
import { GenerationMode, RecordSummary } from './generation.js';

export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256 (64 lowercase hex digits)');

/** What the media store keeps; the extension comes from the file's bytes, never from a name. */
export const MediaExt = z.enum(['png', 'jpg', 'webp', 'gif', 'mp4', 'mov', 'webm']);
export type MediaExt = z.infer<typeof MediaExt>;

/** A stored file: hosts serve it by hash (the web host at `/api/media/<sha256>.<ext>`). */
export const MediaRef = z.object({ sha256: Sha256, ext: MediaExt });
export type MediaRef = z.infer<typeof MediaRef>;

export const ItemId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** How an item came from its parent: continued, made again with the same seed, or with a new seed. */
export const Relation = z.enum(['extension', 'regeneration', 'variation']);
export type Relation = z.infer<typeof Relation>;

/** The item another one came from (lineage). */
export const ItemParent = z.object({ id: ItemId, relation: Relation });
export type ItemParent = z.infer<typeof ItemParent>;

export const LibraryItemSummary = z.object({
  id: ItemId,
  kind: GenerationMode,
  modelId: z.string(),
  prompt: z.string(),
  createdAt: z.string(),
  starred: z.boolean(),
  /** ISO time it went to the trash; null while it is in the gallery. */
  trashedAt: z.string().nullable(),
  media: MediaRef,
  /** A small copy for grids (a video's poster frame); null when the media is small enough to be its own. */
  thumbnail: MediaRef.nullable(),
  /** The item it came from; absent for an item made from a prompt alone. */
  parent: ItemParent.optional(),
});
export type LibraryItemSummary = z.infer<typeof LibraryItemSummary>;

/** One item with its whole record (token counts, not the tokens) and its pixel size. */
export const LibraryItemDetail = LibraryItemSummary.extend({
  addedAt: z.string(),
  record: RecordSummary,
  width: z.number().int().positive().nullable(),
  height: z.number().int().positive().nullable(),
});
export type LibraryItemDetail = z.infer<typeof LibraryItemDetail>;

export const MAX_PAGE_SIZE = 500;

export const LibraryListParams = z.strictObject({
  /** Words that must all appear in the prompt, as substrings, ignoring case. */
  search: z.string().max(500).optional(),
  kind: GenerationMode.optional(),
  /** A model id as records carry it. */
  model: z.string().min(1).max(128).optional(),
  starred: z.boolean().optional(),
  /** true lists the trash; the default lists the gallery. */
  trashed: z.boolean().optional(),
  limit: z.number().int().min(1).max(MAX_PAGE_SIZE).default(100),
  offset: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).default(0),
});
export type LibraryListParams = z.input<typeof LibraryListParams>;

/** Newest first. */
export const LibraryPage = z.object({
  items: z.array(LibraryItemSummary),
  /** How many items match the query in all. */
  total: z.number().int().nonnegative(),
});
export type LibraryPage = z.infer<typeof LibraryPage>;

/** `identical`: every output token came out the same; `different`: the first that did not is named. */
export const ReplayVerdict = z.enum(['identical', 'different']);
export type ReplayVerdict = z.infer<typeof ReplayVerdict>;
