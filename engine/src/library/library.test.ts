import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineError, type GenerationRecord } from '../api/index.js';
import { readPngRecord, writePngWithRecord } from '../media/png-record.js';
import { makeTestRecord, writeTestMedia } from './fixtures.js';
import { Library } from './library.js';

let root: string;
let src: string;
let lib: Library;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'emu3-lib-'));
  src = join(root, 'user-files');
  mkdirSync(src);
  lib = Library.open(join(root, 'library'));
});
afterEach(() => {
  lib.close();
  rmSync(root, { recursive: true, force: true });
});

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
const count = (): number => lib.db.prepare('SELECT count(*) FROM items').pluck().get() as number;
const mediaFiles = (): string[] =>
  readdirSync(lib.media.dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name);

async function add(i: number, over: Parameters<typeof makeTestRecord>[1] = {}, content: number = i) {
  return lib.addItem({
    record: makeTestRecord(i, over),
    mediaPath: writeTestMedia(join(src, `${i}.png`), content),
  });
}

async function rejection(promise: Promise<unknown>): Promise<EngineError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EngineError);
  return error as EngineError;
}

describe('Library', () => {
  it('adds an item: record and int32 tokens round-trip exactly, media is copied by sha256, the source stays', async () => {
    const record = makeTestRecord(1, { output: [151852, 65535, 65536, 184621, 2 ** 31 - 1] });
    const source = writeTestMedia(join(src, 'result.png'), 1);
    const item = await lib.addItem({ record, mediaPath: source });

    expect(item.record).toEqual(record);
    expect(lib.get(item.id)?.record.tokens.output).toEqual([151852, 65535, 65536, 184621, 2 ** 31 - 1]);
    expect(item).toMatchObject({ kind: 'image', modelId: 'sha256-model-a', starred: false, trashedAt: null });
    expect(item.media).toEqual({ sha256: sha256(source), ext: 'png' });
    const stored = lib.mediaPath(item.media.sha256);
    expect(stored).toBe(join(lib.media.dir, item.media.sha256.slice(0, 2), `${item.media.sha256}.png`));
    expect(readFileSync(stored)).toEqual(readFileSync(source));
    expect(existsSync(source)).toBe(true);
    expect(lib.get(9999)).toBeNull();
  });

  it('keeps a real result PNG whole: its embedded record reads back from the library copy', async () => {
    const record = makeTestRecord(2);
    const png = join(src, 'real.png');
    await writePngWithRecord(
      png,
      { width: 2, height: 1, data: new Uint8Array([255, 0, 0, 0, 255, 0]) },
      record,
    );
    const item = await lib.addItem({
      record,
      mediaPath: png,
      thumbnailPath: writeTestMedia(join(src, 't.mp4'), 9, 'mp4'),
    });
    expect(await readPngRecord(lib.mediaPath(item.media.sha256))).toEqual(record);
    expect(item.thumbnail?.ext).toBe('mp4');
  });

  it('stores identical content once and refuses bad input leaving no row and no file behind', async () => {
    const a = await add(1, {}, 42);
    const b = await add(2, {}, 42);
    expect(b.media).toEqual(a.media);
    expect(mediaFiles()).toHaveLength(1);

    const text = join(src, 'notes.txt');
    writeFileSync(text, 'hello');
    expect((await rejection(lib.addItem({ record: makeTestRecord(3), mediaPath: text }))).code).toBe(
      'invalid_file',
    );
    const missing = lib.addItem({ record: makeTestRecord(3), mediaPath: join(src, 'gone.png') });
    expect((await rejection(missing)).code).toBe('not_found');
    const bad = { ...makeTestRecord(3), seed: -1 } as GenerationRecord;
    expect(
      (await rejection(lib.addItem({ record: bad, mediaPath: writeTestMedia(join(src, 'x.png'), 7) }))).code,
    ).toBe('bad_request');
    const huge = makeTestRecord(3, { output: [2 ** 31] });
    expect((await rejection(lib.addItem({ record: huge, mediaPath: join(src, 'x.png') }))).code).toBe(
      'bad_request',
    );
    expect(count()).toBe(2);
    expect(mediaFiles()).toHaveLength(1);
  });

  it('turns a full database into disk_full, leaves it unchanged and removes the media it had copied in', async () => {
    await add(1);
    const pages = lib.db.pragma('page_count', { simple: true }) as number;
    // A real SQLITE_FULL: the connection may not grow the file past its current size.
    lib.db.pragma(`max_page_count = ${pages}`);
    const long = 'x'.repeat(200_000);
    const error = await rejection(add(2, { prompt: long }));
    expect(error.code).toBe('disk_full');
    expect(error.message).toBe(`${lib.file}: the disk is full`);
    expect(count()).toBe(1);
    expect(mediaFiles()).toHaveLength(1);
  });

  it('lists newest first and searches, filters, stars, trashes and restores', async () => {
    await add(1, { prompt: 'A red Dragon over the castle' });
    await add(2, { prompt: 'a blue cat', mode: 'video', model: 'sha256-model-b' });
    await add(3, { prompt: 'Ein Drache über dem Schloß' });
    const four = await add(4, { prompt: 'red cat on a mat', model: 'sha256-model-b' });

    const ids = (q: Omit<Parameters<Library['list']>[0], 'limit'>) =>
      lib.list({ limit: 50, ...q }).items.map((i) => i.id);
    expect(ids({})).toEqual([4, 3, 2, 1]);
    expect(lib.list({ limit: 2, offset: 1 })).toMatchObject({ total: 4, items: [{ id: 3 }, { id: 2 }] });
    expect(ids({ search: 'dragon' })).toEqual([1]);
    expect(ids({ search: 'ÜBER' })).toEqual([3]);
    expect(ids({ search: 'cat red' })).toEqual([4]);
    expect(ids({ search: 'a' })).toEqual([4, 3, 2, 1]);
    expect(ids({ search: 'on' })).toEqual([4, 1]); // substrings: 'Dragon'
    expect(ids({ search: 'on MAT' })).toEqual([4]);
    expect(ids({ search: '100% "quoted' })).toEqual([]);
    expect(ids({ model: 'sha256-model-b' })).toEqual([4, 2]);
    expect(ids({ kind: 'video' })).toEqual([2]);

    lib.setStarred(four.id, true);
    expect(ids({ starred: true })).toEqual([4]);
    expect(ids({ starred: false })).toEqual([3, 2, 1]);
    lib.trash(four.id);
    lib.trash(four.id);
    expect(ids({ search: 'cat' })).toEqual([2]);
    expect(lib.list({ trashed: true, limit: 10 })).toMatchObject({
      total: 1,
      items: [{ id: 4, starred: true }],
    });
    lib.restore(four.id);
    expect(ids({ search: 'cat' })).toEqual([4, 2]);
    expect(() => lib.trash(77)).toThrow(EngineError);
    expect(() => lib.list({ limit: 0 })).toThrow(/limit/);
  });

  it('empties the trash: rows, tokens and messages go; a media file goes only when no row names it', async () => {
    const shared1 = await add(1, {}, 42);
    const shared2 = await add(2, {}, 42);
    const alone = await add(3);
    lib.addMessage(alone.id, { role: 'user', text: 'What is this?' });
    lib.trash(shared1.id);
    lib.trash(alone.id);

    expect(lib.emptyTrash()).toBe(2);
    expect(lib.get(alone.id)).toBeNull();
    expect(lib.messages(alone.id)).toEqual([]);
    expect(lib.db.prepare('SELECT count(*) FROM item_tokens').pluck().get()).toBe(1);
    expect(existsSync(lib.mediaPath(shared2.media.sha256))).toBe(true);
    expect(() => lib.mediaPath(alone.media.sha256)).toThrow(/not in the library/);
    expect(mediaFiles()).toEqual([`${shared2.media.sha256}.png`]);
    expect(lib.list({ search: 'number', limit: 10 }).items.map((i) => i.id)).toEqual([shared2.id]);

    const next = await add(4);
    expect(next.id).toBe(4); // ids are never reused
  });

  it('sweeps leftover temps and files no row names once they are older than the grace period', async () => {
    const kept = await add(1);
    const orphan = join(lib.media.dir, 'ab', `${'ab'.repeat(32)}.png`);
    const temp = join(lib.media.dir, 'tmp', '123-partial');
    mkdirSync(join(lib.media.dir, 'ab'), { recursive: true });
    writeFileSync(orphan, 'x');
    writeFileSync(temp, 'x');
    lib.emptyTrash();
    expect(existsSync(orphan) && existsSync(temp)).toBe(true); // young: maybe another process's import
    const old = new Date(Date.now() - 2 * 3600_000);
    utimesSync(orphan, old, old);
    utimesSync(temp, old, old);
    lib.emptyTrash();
    expect(existsSync(orphan) || existsSync(temp)).toBe(false);
    expect(existsSync(lib.mediaPath(kept.media.sha256))).toBe(true);
  });

  it('keeps a conversation per item, answers with their records', async () => {
    const item = await add(1);
    const answer = makeTestRecord(5, { mode: 'understand', output: [70000, 12, 151850] });
    lib.addMessage(item.id, { role: 'user', text: 'What is in the picture?' });
    lib.addMessage(item.id, { role: 'assistant', text: 'A dragon.', record: answer });
    const messages = lib.messages(item.id);
    expect(messages.map((m) => [m.role, m.text])).toEqual([
      ['user', 'What is in the picture?'],
      ['assistant', 'A dragon.'],
    ]);
    expect(messages[0]?.record).toBeNull();
    expect(messages[1]?.record).toEqual(answer);
    expect(() => lib.addMessage(999, { role: 'user', text: 'hi' })).toThrow(/no such item/);
  });

  it('builds media paths only from a known, well-formed sha256', async () => {
    const item = await add(1);
    for (const bad of ['../../etc/passwd', item.media.sha256.toUpperCase(), `${item.media.sha256}/..`, ''])
      expect(() => lib.mediaPath(bad)).toThrow(/not a sha256/);
    expect(() => lib.mediaPath('0'.repeat(64))).toThrow(/not in the library/);
  });
});
