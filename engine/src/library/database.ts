/**
 * The library database: opening library.sqlite safely and its versioned schema.
 *
 * The schema version is SQLite's `user_version`; `application_id` marks the file as ours, so a stray SQLite
 * file is refused rather than migrated. To change the schema, append a migration to MIGRATIONS with the next
 * version number: never edit a shipped one, users' databases already ran it.
 */
import Database from 'better-sqlite3';
import { EngineError } from '../api/index.js';

export type Db = Database.Database;

/** 'EMU3' in ASCII: written into the file header so other programs' databases are told apart. */
export const APPLICATION_ID = 0x454d5533;

export interface Migration {
  version: number;
  /**
   * Runs inside the migration's transaction. Foreign keys stay on, so a table rebuild must follow SQLite's
   * "12-step" procedure with `PRAGMA defer_foreign_keys = ON` (foreign_keys cannot change in a transaction).
   */
  up: (db: Db) => void;
}

const V1 = `
-- Media files, content-addressed: media/<first two hex>/<sha256>.<ext>. A row exists only for a file on disk
-- (the file is written and synced before the row that names it commits). Open-ended values (ext, kind) are
-- checked in TypeScript, not by CHECK: SQLite cannot alter a CHECK without rebuilding the table, and a new
-- media type or generation mode should not need a migration.
CREATE TABLE media (
  sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
  ext TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  added_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- One generated result. What the gallery filters on are real columns; the rest of the record is JSON
-- (tokens live in item_tokens so listing never reads them). AUTOINCREMENT: ids of emptied items are never
-- reused, so a stale id from the UI cannot land on a different item.
CREATE TABLE items (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  added_at TEXT NOT NULL,
  created_at TEXT NOT NULL,
  kind TEXT NOT NULL,
  model_id TEXT NOT NULL,
  prompt TEXT NOT NULL,
  seed INTEGER NOT NULL,
  media_sha256 TEXT NOT NULL REFERENCES media (sha256),
  thumb_sha256 TEXT REFERENCES media (sha256),
  starred INTEGER NOT NULL DEFAULT 0 CHECK (starred IN (0, 1)),
  trashed_at TEXT,
  record TEXT NOT NULL
) STRICT;
CREATE INDEX items_by_trash ON items (trashed_at, id);
CREATE INDEX items_by_model ON items (model_id, trashed_at, id);
CREATE INDEX items_by_kind ON items (kind, trashed_at, id);
CREATE INDEX items_starred ON items (trashed_at, id) WHERE starred = 1;
CREATE INDEX items_by_media ON items (media_sha256);
CREATE INDEX items_by_thumb ON items (thumb_sha256) WHERE thumb_sha256 IS NOT NULL;

-- Token ids as little-endian int32 blobs: 4 bytes a token instead of ~7 in JSON, read back exactly.
CREATE TABLE item_tokens (
  item_id INTEGER PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
  prompt BLOB NOT NULL,
  negative BLOB,
  output BLOB NOT NULL
) STRICT;

-- Ask: a conversation about an item. An answer may carry its own record (tokens as blobs again).
CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  role TEXT NOT NULL,
  text TEXT NOT NULL,
  created_at TEXT NOT NULL,
  record TEXT,
  prompt_tokens BLOB,
  negative_tokens BLOB,
  output_tokens BLOB
) STRICT;
CREATE INDEX messages_by_item ON messages (item_id, id);

-- Prompt search: trigram FTS5 gives case-insensitive substring search that stays index-fast as the library
-- grows (a LIKE scan is linear); kept in step with items by triggers inside the same transaction.
CREATE VIRTUAL TABLE items_fts USING fts5 (prompt, content = 'items', content_rowid = 'id', tokenize = 'trigram');
CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
  INSERT INTO items_fts (rowid, prompt) VALUES (new.id, new.prompt);
END;
CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
  INSERT INTO items_fts (items_fts, rowid, prompt) VALUES ('delete', old.id, old.prompt);
END;
CREATE TRIGGER items_fts_update AFTER UPDATE OF prompt ON items BEGIN
  INSERT INTO items_fts (items_fts, rowid, prompt) VALUES ('delete', old.id, old.prompt);
  INSERT INTO items_fts (rowid, prompt) VALUES (new.id, new.prompt);
END;
`;

const V2 = `
-- The engine's job queue: the jobs that have not ended, so they survive a restart (a job that was running
-- comes back queued). A row leaves when its job ends; what ended lives on in the library. Params are the
-- request as JSON, validated again when read back.
CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  position INTEGER NOT NULL,
  kind TEXT NOT NULL,
  model_id TEXT NOT NULL,
  params TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX jobs_by_position ON jobs (position);
`;

const V3 = `
-- Ask about a file: files the user uploaded to ask questions about (kept in media/ by content), and their
-- conversations, shaped like messages (an answer may carry its record, tokens as blobs).
CREATE TABLE uploads (
  sha256 TEXT PRIMARY KEY REFERENCES media (sha256),
  name TEXT NOT NULL,
  added_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX uploads_by_time ON uploads (added_at);
CREATE TABLE upload_messages (
  id INTEGER PRIMARY KEY,
  upload_sha256 TEXT NOT NULL REFERENCES uploads (sha256) ON DELETE CASCADE,
  role TEXT NOT NULL,
  text TEXT NOT NULL,
  created_at TEXT NOT NULL,
  record TEXT,
  prompt_tokens BLOB,
  negative_tokens BLOB,
  output_tokens BLOB
) STRICT;
CREATE INDEX upload_messages_by_upload ON upload_messages (upload_sha256, id);

-- The studio's settings (execution provider, threads, the model active last time) as JSON values by key.
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT, WITHOUT ROWID;
`;

const V4 = `
-- Lineage: the item an item came from (an extension of a video, a regeneration with the same seed, a variation
-- with a new one). Emptying the trash of a parent leaves its children without one.
ALTER TABLE items ADD COLUMN parent_id INTEGER REFERENCES items (id) ON DELETE SET NULL;
ALTER TABLE items ADD COLUMN relation TEXT;
CREATE INDEX items_by_parent ON items (parent_id, id) WHERE parent_id IS NOT NULL;
`;

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, up: (db) => db.exec(V1) },
  { version: 2, up: (db) => db.exec(V2) },
  { version: 3, up: (db) => db.exec(V3) },
  { version: 4, up: (db) => db.exec(V4) },
];

/** Opens (creating if needed) and migrates a library database; one-line EngineErrors name the file. */
export function openDatabase(file: string, migrations: readonly Migration[] = MIGRATIONS): Db {
  let db: Db;
  try {
    // timeout = busy timeout: a second process (the CLI beside the app) waits for the lock instead of failing.
    db = new Database(file, { timeout: 5000 });
  } catch (error) {
    throw sqliteError(error, file);
  }
  try {
    const latest = migrations.at(-1)?.version ?? 0;
    checkOwnership(db, file, latest); // before anything writes: a newer or foreign file is left untouched
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal')
      throw new EngineError('unsupported', `${file}: cannot use WAL mode here (got ${mode})`);
    // NORMAL in WAL: a killed process loses nothing committed and nothing is ever corrupted; only a power cut
    // can drop the last commits (their media files stay behind as orphans that emptyTrash sweeps).
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations, latest);
    return db;
  } catch (error) {
    db.close();
    throw sqliteError(error, file);
  }
}

function checkOwnership(db: Db, file: string, latest: number): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  const appId = db.pragma('application_id', { simple: true }) as number;
  const tables = db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'").get() as {
    n: number;
  };
  if ((appId !== 0 && appId !== APPLICATION_ID) || (appId === 0 && tables.n > 0))
    throw new EngineError('invalid_file', `${file}: not an Emu3 Studio library database`);
  if (version > latest)
    throw new EngineError(
      'unsupported',
      `${file}: written by a newer Emu3 Studio (library schema ${version}; this version reads up to ${latest})`,
    );
}

function migrate(db: Db, migrations: readonly Migration[], latest: number): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`library migrations must be numbered 1, 2, 3...: found ${m.version}`);
  });
  const run = db.transaction(() => {
    // Read again under the write lock: another process may have migrated since we looked.
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current >= latest) return;
    for (const m of migrations) if (m.version > current) m.up(db);
    db.pragma(`user_version = ${latest}`);
    db.pragma(`application_id = ${APPLICATION_ID}`);
  });
  run.immediate(); // all pending migrations commit together or not at all
}

/** SQLite's failures the user can act on, as one-line EngineErrors naming the file; others pass through. */
export function sqliteError(error: unknown, file: string): unknown {
  const code = (error as { code?: unknown }).code;
  if (error instanceof EngineError || typeof code !== 'string' || !code.startsWith('SQLITE_')) return error;
  const why = (error as Error).message.split('\n')[0];
  if (code === 'SQLITE_FULL') return new EngineError('disk_full', `${file}: the disk is full`);
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT'))
    return new EngineError(
      'invalid_file',
      `${file}: not an Emu3 Studio library database, or damaged (${why})`,
    );
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY'))
    return new EngineError('invalid_file', `${file}: cannot open for writing (${why})`);
  return error;
}

/** Token ids as a little-endian int32 blob; bad_request for ids outside int32. */
export function tokenIdsToBlob(ids: readonly number[], what: string): Buffer {
  const blob = Buffer.alloc(ids.length * 4);
  ids.forEach((id, i) => {
    if (!Number.isInteger(id) || id < -0x80000000 || id > 0x7fffffff)
      throw new EngineError('bad_request', `${what}: token id ${id} at ${i} is not a 32-bit integer`);
    blob.writeInt32LE(id, i * 4);
  });
  return blob;
}

/** The token ids of a little-endian int32 blob written by `tokenIdsToBlob`; invalid_file for a torn blob. */
export function tokenIdsFromBlob(blob: Uint8Array, what: string): number[] {
  if (blob.byteLength % 4 !== 0)
    throw new EngineError('invalid_file', `${what}: token blob of ${blob.byteLength} bytes is not int32s`);
  // DataView: the blob's byte offset need not be 4-aligned, which an Int32Array view would require.
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const ids = new Array<number>(blob.byteLength / 4);
  for (let i = 0; i < ids.length; i++) ids[i] = view.getInt32(i * 4, true);
  return ids;
}
