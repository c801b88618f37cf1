/**
 * The library: every result the user kept, with its media, its record and its tokens, plus Ask conversations.
 * Append-only in spirit: an item's record never changes; only its star and trash marks do, and rows leave only
 * when the user empties the trash.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { EngineError, type GenerationRecord } from '../api/index.js';
import { openDatabase, sqliteError, type Db } from './database.js';
import { MediaStore, isSha256, type MediaExt, type StoredMedia } from './media-store.js';
import {
  SUMMARY,
  joinRecord,
  parseRecord,
  splitRecord,
  summary,
  type ItemParent,
  type ItemRow,
  type LibraryItem,
  type LibraryItemSummary,
  type ListQuery,
  type MediaRef,
  type Message,
  type TokenRow,
} from './rows.js';

export type { ItemParent, LibraryItem, LibraryItemSummary, ListQuery, MediaRef, Message } from './rows.js';

/** Temps and files no row names are swept by emptyTrash once older than this (see MediaStore.sweepSync). */
const ORPHAN_GRACE_MS = 60 * 60 * 1000;

export class Library {
  private readonly statements = new Map<string, Database.Statement<unknown[]>>();

  private constructor(
    /** The connection, for other stores of engine/src/library (e.g. the job queue); not for outside callers. */
    readonly db: Db,
    readonly file: string,
    readonly media: MediaStore,
  ) {}

  /** Opens dir/library.sqlite and dir/media/, creating and migrating them as needed. */
  static open(dir: string): Library {
    const file = join(dir, 'library.sqlite');
    try {
      mkdirSync(join(dir, 'media'), { recursive: true });
    } catch (error) {
      throw new EngineError(
        'invalid_file',
        `${dir}: cannot create the library folder (${(error as Error).message})`,
      );
    }
    return new Library(openDatabase(file), file, new MediaStore(join(dir, 'media')));
  }

  close(): void {
    this.db.close();
  }

  /**
   * Imports `mediaPath` (and a thumbnail) by content and adds the item in one transaction. On any failure the
   * database is unchanged and a file this call brought in that nothing names is removed again.
   */
  async addItem(input: {
    record: GenerationRecord;
    mediaPath: string;
    thumbnailPath?: string;
    /** The item it came from (lineage); not_found when that item is gone. */
    parent?: ItemParent;
  }): Promise<LibraryItem> {
    const record = parseRecord(input.record, 'bad_request', 'record');
    const { json, prompt, negative, output } = splitRecord(record, 'record');
    const imported: StoredMedia[] = [];
    let committed = false;
    try {
      imported.push(await this.media.import(input.mediaPath));
      if (input.thumbnailPath !== undefined) imported.push(await this.media.import(input.thumbnailPath));
      const [media, thumb] = imported as [StoredMedia, StoredMedia | undefined];
      const id = this.write(() => {
        const now = new Date().toISOString();
        for (const m of imported)
          this.sql('INSERT INTO media VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING').run(
            m.sha256,
            m.ext,
            m.bytes,
            now,
          );
        if (input.parent && !this.sql('SELECT 1 FROM items WHERE id = ?').get(input.parent.id))
          throw new EngineError('not_found', `library item ${input.parent.id}: no such item to descend from`);
        const { lastInsertRowid } = this.sql(
          `INSERT INTO items (added_at, created_at, kind, model_id, prompt, seed, media_sha256, thumb_sha256, record, parent_id, relation)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          now,
          record.createdAt,
          record.mode,
          record.model.id,
          record.prompt,
          record.seed,
          media.sha256,
          thumb?.sha256 ?? null,
          json,
          input.parent?.id ?? null,
          input.parent?.relation ?? null,
        );
        this.sql('INSERT INTO item_tokens VALUES (?, ?, ?, ?)').run(
          lastInsertRowid,
          prompt,
          negative,
          output,
        );
        return Number(lastInsertRowid);
      });
      committed = true;
      return this.get(id)!;
    } finally {
      for (const m of imported) {
        this.media.release(m.sha256);
        // A file this call brought in that no row names (the insert failed) goes again.
        if (!committed && !this.media.isPending(m.sha256) && !this.hasMedia(m.sha256))
          this.media.removeSync(m.sha256, m.ext);
      }
    }
  }

  get(id: number): LibraryItem | null {
    const row = this.sql(`${SUMMARY} WHERE i.id = ?`).get(id) as ItemRow | undefined;
    if (!row) return null;
    const tokens = this.sql(
      'SELECT i.record, t.prompt, t.negative, t.output FROM items i JOIN item_tokens t ON t.item_id = i.id WHERE i.id = ?',
    ).get(id) as TokenRow;
    return { ...summary(row), addedAt: row.added_at, record: joinRecord(tokens, `${this.file} item ${id}`)! };
  }

  /** An item without its record: what the gallery shows. */
  summary(id: number): LibraryItemSummary | null {
    const row = this.sql(`${SUMMARY} WHERE i.id = ?`).get(id) as ItemRow | undefined;
    return row ? summary(row) : null;
  }

  list(query: ListQuery): { items: LibraryItemSummary[]; total: number } {
    const { limit, offset = 0 } = query;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000 || !Number.isInteger(offset) || offset < 0)
      throw new EngineError('bad_request', `list: limit must be 1–1000 and offset 0 or more`);
    const where = [query.trashed ? 'i.trashed_at IS NOT NULL' : 'i.trashed_at IS NULL'];
    const params: (string | number)[] = [];
    if (query.starred !== undefined) where.push(`i.starred = ${query.starred ? 1 : 0}`);
    for (const [column, value] of [
      ['model_id', query.model],
      ['kind', query.kind],
    ] as const) {
      if (value === undefined) continue;
      where.push(`i.${column} = ?`);
      params.push(value);
    }
    const terms = (query.search ?? '').split(/\s+/).filter(Boolean).slice(0, 16);
    // Trigram FTS needs 3 characters; shorter words fall back to LIKE on what the index already narrowed.
    const indexed = terms.filter((t) => [...t].length >= 3);
    if (indexed.length > 0) {
      where.push('i.id IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?)');
      params.push(indexed.map((t) => `"${t.replaceAll('"', '""')}"`).join(' AND '));
    }
    for (const t of terms.filter((t) => [...t].length < 3)) {
      where.push("i.prompt LIKE ? ESCAPE '\\'");
      params.push(`%${t.replace(/[\\%_]/g, '\\$&')}%`);
    }
    const clause = where.join(' AND ');
    // The page's ids come from the indexes alone; only those rows are joined to media (an OFFSET over the
    // joined rows would build every skipped row: 9.5 ms instead of ~1 ms at offset 9,000 of 10,000).
    const page = `SELECT i.id FROM items i WHERE ${clause} ORDER BY i.id DESC LIMIT ? OFFSET ?`;
    const rows = this.sql(`${SUMMARY} WHERE i.id IN (${page}) ORDER BY i.id DESC`).all(
      ...params,
      limit,
      offset,
    );
    const { total } = this.sql(`SELECT count(*) AS total FROM items i WHERE ${clause}`).get(...params) as {
      total: number;
    };
    return { items: (rows as ItemRow[]).map(summary), total };
  }

  setStarred(id: number, starred: boolean): void {
    this.change(id, 'UPDATE items SET starred = ? WHERE id = ?', starred ? 1 : 0);
  }

  /** Moves an item to the trash (nothing is deleted until emptyTrash); trashing it again changes nothing. */
  trash(id: number): void {
    this.change(
      id,
      'UPDATE items SET trashed_at = coalesce(trashed_at, ?) WHERE id = ?',
      new Date().toISOString(),
    );
  }

  restore(id: number): void {
    this.change(id, 'UPDATE items SET trashed_at = NULL WHERE id = ?');
  }

  /**
   * Deletes trashed items (their tokens and messages go with them), then media no row names. Rows go first and
   * files after the commit: a crash in between leaves orphan files, never a row without its file. Synchronous,
   * so no import can slip between the reference check and the unlink. Returns the number of items removed.
   */
  emptyTrash(graceMs = ORPHAN_GRACE_MS): number {
    const { removed, unreferenced } = this.write(() => {
      const removed = this.sql('DELETE FROM items WHERE trashed_at IS NOT NULL').run().changes;
      const unused = this.sql(
        `SELECT sha256, ext FROM media m WHERE NOT EXISTS (SELECT 1 FROM items WHERE media_sha256 = m.sha256)
         AND NOT EXISTS (SELECT 1 FROM items WHERE thumb_sha256 = m.sha256)
         AND NOT EXISTS (SELECT 1 FROM uploads WHERE sha256 = m.sha256)`,
      ).all() as MediaRef[];
      const unreferenced = unused.filter((m) => !this.media.isPending(m.sha256));
      for (const m of unreferenced) this.sql('DELETE FROM media WHERE sha256 = ?').run(m.sha256);
      return { removed, unreferenced };
    });
    for (const m of unreferenced) this.media.removeSync(m.sha256, m.ext);
    this.media.sweepSync((sha) => this.hasMedia(sha), graceMs);
    return removed;
  }

  addMessage(
    itemId: number,
    message: { role: 'user' | 'assistant'; text: string; record?: GenerationRecord },
  ): Message {
    if (message.role !== 'user' && message.role !== 'assistant')
      throw new EngineError('bad_request', `message role must be 'user' or 'assistant'`);
    if (typeof message.text !== 'string')
      throw new EngineError('bad_request', 'message text must be a string');
    const record =
      message.record === undefined ? null : parseRecord(message.record, 'bad_request', 'message record');
    const parts = record === null ? null : splitRecord(record, 'message record');
    const id = this.write(() => {
      if (!this.sql('SELECT 1 FROM items WHERE id = ?').get(itemId))
        throw new EngineError('not_found', `library item ${itemId}: no such item`);
      return Number(
        this.sql(
          'INSERT INTO messages (item_id, role, text, created_at, record, prompt_tokens, negative_tokens, output_tokens) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        ).run(
          itemId,
          message.role,
          message.text,
          new Date().toISOString(),
          parts?.json ?? null,
          parts?.prompt ?? null,
          parts?.negative ?? null,
          parts?.output ?? null,
        ).lastInsertRowid,
      );
    });
    return this.messages(itemId).find((m) => m.id === id)!;
  }

  /** The conversation about an item, oldest first. */
  messages(itemId: number): Message[] {
    const rows = this.sql(
      'SELECT id, item_id, role, text, created_at, record, prompt_tokens AS prompt, negative_tokens AS negative, output_tokens AS output FROM messages WHERE item_id = ? ORDER BY id',
    ).all(itemId) as (TokenRow & {
      id: number;
      item_id: number;
      role: Message['role'];
      text: string;
      created_at: string;
    })[];
    return rows.map((r) => ({
      id: r.id,
      itemId: r.item_id,
      role: r.role,
      text: r.text,
      createdAt: r.created_at,
      record: joinRecord(r, `${this.file} message ${r.id}`),
    }));
  }

  /** Where a stored file lies, inside media/ only; bad_request for anything but 64 lowercase hex digits. */
  mediaPath(sha256: string): string {
    if (!isSha256(sha256)) throw new EngineError('bad_request', `${JSON.stringify(sha256)}: not a sha256`);
    const row = this.sql('SELECT ext FROM media WHERE sha256 = ?').get(sha256) as
      { ext: MediaExt } | undefined;
    if (!row) throw new EngineError('not_found', `media ${sha256}: not in the library`);
    return this.media.pathOf(sha256, row.ext);
  }

  private hasMedia(sha256: string): boolean {
    return this.sql('SELECT 1 FROM media WHERE sha256 = ?').get(sha256) !== undefined;
  }

  private change(id: number, sql: string, ...values: (string | number)[]): void {
    const { changes } = this.write(() => this.sql(sql).run(...values, id));
    if (changes === 0) throw new EngineError('not_found', `library item ${id}: no such item`);
  }

  /** One immediate transaction (takes the write lock up front, so busy waits happen before any work). */
  private write<T>(body: () => T): T {
    try {
      return this.db.transaction(body).immediate();
    } catch (error) {
      throw sqliteError(error, this.file);
    }
  }

  /** Statements are cached by their text: list builds a handful of shapes, each prepared once. */
  private sql(text: string): Database.Statement<unknown[]> {
    let statement = this.statements.get(text);
    if (!statement) this.statements.set(text, (statement = this.db.prepare(text)));
    return statement;
  }
}
