/** How library items and messages map to rows: the public shapes, and records split into JSON + token blobs. */
import {
  EngineError,
  GenerationRecord,
  type GenerationMode,
  type LibraryItemSummary,
  type Relation,
} from '../api/index.js';
import { tokenIdsFromBlob, tokenIdsToBlob } from './database.js';
import type { MediaExt } from './media-store.js';

// The public shapes are the protocol's own; the library fills them and adds what only it keeps.
export type { ItemParent, LibraryItemSummary, MediaRef } from '../api/index.js';

export interface LibraryItem extends LibraryItemSummary {
  addedAt: string;
  /** The full record, tokens included: enough to export or replay the item. */
  record: GenerationRecord;
}

export interface ListQuery {
  /** Words that must all appear in the prompt, as substrings, ignoring case. */
  search?: string;
  starred?: boolean;
  model?: string;
  kind?: GenerationMode;
  /** true lists the trash; the default lists the gallery. */
  trashed?: boolean;
  limit: number;
  offset?: number;
}

export interface Message {
  id: number;
  itemId: number;
  role: 'user' | 'assistant';
  text: string;
  createdAt: string;
  /** An answer's generation record, when it has one. */
  record: GenerationRecord | null;
}

const RecordWithoutTokens = GenerationRecord.omit({ tokens: true });

export interface ItemRow {
  id: number;
  kind: GenerationMode;
  model_id: string;
  prompt: string;
  created_at: string;
  added_at: string;
  starred: number;
  trashed_at: string | null;
  media_sha256: string;
  media_ext: MediaExt;
  thumb_sha256: string | null;
  thumb_ext: MediaExt | null;
  parent_id: number | null;
  relation: Relation | null;
}
export interface TokenRow {
  record: string | null;
  prompt: Uint8Array | null;
  negative: Uint8Array | null;
  output: Uint8Array | null;
}

export const SUMMARY = `SELECT i.id, i.kind, i.model_id, i.prompt, i.created_at, i.added_at, i.starred, i.trashed_at,
  i.media_sha256, m.ext AS media_ext, i.thumb_sha256, t.ext AS thumb_ext, i.parent_id, i.relation
  FROM items i JOIN media m ON m.sha256 = i.media_sha256 LEFT JOIN media t ON t.sha256 = i.thumb_sha256`;

export function summary(row: ItemRow): LibraryItemSummary {
  return {
    id: row.id,
    kind: row.kind,
    modelId: row.model_id,
    prompt: row.prompt,
    createdAt: row.created_at,
    starred: row.starred === 1,
    trashedAt: row.trashed_at,
    media: { sha256: row.media_sha256, ext: row.media_ext },
    thumbnail: row.thumb_sha256 && row.thumb_ext ? { sha256: row.thumb_sha256, ext: row.thumb_ext } : null,
    ...(row.parent_id !== null && row.relation !== null
      ? { parent: { id: row.parent_id, relation: row.relation } }
      : {}),
  };
}

export function parseRecord(
  data: unknown,
  code: 'bad_request' | 'invalid_file',
  where: string,
): GenerationRecord {
  const parsed = GenerationRecord.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new EngineError(
    code,
    `${where}: not an Emu3 Studio record (${issue?.path.join('.') || 'record'}: ${issue?.message})`,
  );
}

/** The record's JSON without its tokens (they are stored as int32 blobs beside it, not twice). */
export function splitRecord(record: GenerationRecord, what: string) {
  const { tokens, ...rest } = record;
  return {
    json: JSON.stringify(rest),
    prompt: tokenIdsToBlob(tokens.prompt, `${what} prompt tokens`),
    negative:
      tokens.negative === undefined ? null : tokenIdsToBlob(tokens.negative, `${what} negative tokens`),
    output: tokenIdsToBlob(tokens.output, `${what} output tokens`),
  };
}

export function joinRecord(row: TokenRow, where: string): GenerationRecord | null {
  if (row.record === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(row.record);
  } catch {
    throw new EngineError('invalid_file', `${where}: damaged record JSON`);
  }
  const rest = RecordWithoutTokens.safeParse(json);
  if (!rest.success || !row.prompt || !row.output)
    throw new EngineError('invalid_file', `${where}: damaged record`);
  const tokens: GenerationRecord['tokens'] = {
    prompt: tokenIdsFromBlob(row.prompt, where),
    output: tokenIdsFromBlob(row.output, where),
  };
  if (row.negative) tokens.negative = tokenIdsFromBlob(row.negative, where);
  return { ...rest.data, tokens };
}
