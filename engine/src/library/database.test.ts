import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineError } from '../api/index.js';
import { APPLICATION_ID, MIGRATIONS, tokenIdsFromBlob, tokenIdsToBlob, openDatabase } from './database.js';
import { Library } from './library.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'emu3-db-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function thrown(run: () => unknown): EngineError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(EngineError);
    return error as EngineError;
  }
  throw new Error('expected an EngineError');
}

describe('openDatabase', () => {
  it('migrates an empty file to the latest schema, in WAL with foreign keys on, and re-opens it unchanged', () => {
    const file = join(dir, 'library.sqlite');
    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all();
    expect(tables).toEqual(
      expect.arrayContaining(['media', 'items', 'item_tokens', 'messages', 'items_fts']),
    );
    db.prepare("INSERT INTO media VALUES (?, 'png', 1, 'now')").run('a'.repeat(64));
    db.close();

    const again = openDatabase(file);
    expect(again.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(again.prepare('SELECT count(*) FROM media').pluck().get()).toBe(1);
    again.close();
  });

  it('runs a migration appended later on an existing database, keeping its data', () => {
    const file = join(dir, 'library.sqlite');
    openDatabase(file).close();
    const withJobs = [
      ...MIGRATIONS,
      {
        version: MIGRATIONS.length + 1,
        up: (db: Database.Database) => db.exec('CREATE TABLE later_things (id INTEGER PRIMARY KEY)'),
      },
    ];
    const db = openDatabase(file, withJobs);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length + 1);
    db.prepare('INSERT INTO later_things DEFAULT VALUES').run();
    db.close();
  });

  it('rolls back a migration that fails halfway: the version and tables stay as they were', () => {
    const file = join(dir, 'library.sqlite');
    openDatabase(file).close();
    const broken = [
      ...MIGRATIONS,
      {
        version: MIGRATIONS.length + 1,
        up: (db: Database.Database) =>
          db.exec('CREATE TABLE later_things (id INTEGER); SELECT no_such_function();'),
      },
    ];
    expect(() => openDatabase(file, broken)).toThrow(/no_such_function/);
    const raw = new Database(file);
    expect(raw.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(raw.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'later_things'").pluck().get()).toBe(
      0,
    );
    raw.close();
  });

  it('refuses a database from a newer schema with one line naming the file, and leaves it untouched', () => {
    Library.open(dir).close();
    const file = join(dir, 'library.sqlite');
    const raw = new Database(file);
    raw.pragma(`user_version = ${MIGRATIONS.length + 5}`);
    raw.close();

    const error = thrown(() => Library.open(dir));
    expect(error.code).toBe('unsupported');
    expect(error.message).toContain(file);
    expect(error.message).toMatch(/newer Emu3 Studio/);
    expect(error.message).not.toContain('\n');
    const after = new Database(file);
    expect(after.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length + 5);
    after.close();
  });

  it("refuses another program's SQLite file and a file that is no database", () => {
    const other = join(dir, 'other.sqlite');
    const raw = new Database(other);
    raw.exec('CREATE TABLE notes (text TEXT)');
    raw.close();
    expect(thrown(() => openDatabase(other)).code).toBe('invalid_file');

    const junk = join(dir, 'junk.sqlite');
    writeFileSync(junk, 'this is not a database, just some text that is long enough to look like a header');
    const error = thrown(() => openDatabase(junk));
    expect(error.code).toBe('invalid_file');
    expect(error.message).toContain(junk);
  });
});

describe('token blobs', () => {
  it('round-trip int32 ids exactly, including ids above 65535 and the int32 extremes', () => {
    const ids = [0, 1, -1, 65535, 65536, 151849, 184621, 2 ** 31 - 1, -(2 ** 31)];
    const blob = tokenIdsToBlob(ids, 'test');
    expect(blob.byteLength).toBe(ids.length * 4);
    expect(blob.readInt32LE(4 * 4)).toBe(65536);
    // An unaligned view, as SQLite may hand back.
    const unaligned = Buffer.concat([Buffer.from([9]), blob]).subarray(1);
    expect(tokenIdsFromBlob(unaligned, 'test')).toEqual(ids);
  });

  it('refuses ids outside int32 and blobs that are not whole int32s', () => {
    expect(thrown(() => tokenIdsToBlob([2 ** 31], 'prompt')).code).toBe('bad_request');
    expect(thrown(() => tokenIdsToBlob([1.5], 'prompt')).code).toBe('bad_request');
    expect(thrown(() => tokenIdsFromBlob(Buffer.alloc(6), 'item 1')).code).toBe('invalid_file');
  });
});
