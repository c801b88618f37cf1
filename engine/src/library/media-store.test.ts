import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineError } from '../api/index.js';
import { makeTestRecord, randomTestMedia, writeTestMedia } from './fixtures.js';
import { Library } from './library.js';
import { MediaStore, sniffExt } from './media-store.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'emu3-media-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('MediaStore', () => {
  it('names files by the sha256 of their bytes and the type their first bytes show', async () => {
    const store = new MediaStore(join(root, 'media'));
    const source = randomTestMedia(root, 'big.png', 3 * 1024 * 1024);
    const stored = await store.import(source);
    expect(stored.sha256).toBe(createHash('sha256').update(readFileSync(source)).digest('hex'));
    expect(stored).toMatchObject({ ext: 'png', bytes: 3 * 1024 * 1024 + 8 });
    expect(store.isPending(stored.sha256)).toBe(true);
    store.release(stored.sha256);
    expect(store.isPending(stored.sha256)).toBe(false);
    expect(readFileSync(store.pathOf(stored.sha256, 'png')).equals(readFileSync(source))).toBe(true); // not toEqual: byte by byte deep-equal is slow
    expect(readdirSync(join(root, 'media', 'tmp'))).toEqual([]);
  });

  it('sniffs the stored types and nothing else', () => {
    const b = (...parts: (string | number[])[]) =>
      Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
    expect(sniffExt(b([0x89], 'PNG\r\n\x1a\n'))).toBe('png');
    expect(sniffExt(b([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpg');
    expect(sniffExt(b('RIFF', [1, 2, 3, 4], 'WEBPVP8 '))).toBe('webp');
    expect(sniffExt(b('GIF89a'))).toBe('gif');
    expect(sniffExt(b([0, 0, 0, 0x20], 'ftypisom'))).toBe('mp4');
    expect(sniffExt(b([0, 0, 0, 0x14], 'ftypqt  '))).toBe('mov');
    expect(sniffExt(b([0x1a, 0x45, 0xdf, 0xa3]))).toBe('webm');
    expect(sniffExt(b('{"json": true}'))).toBeNull();
    expect(sniffExt(Buffer.alloc(0))).toBeNull();
  });

  it('refuses paths built from anything but a sha256 and a stored type', () => {
    const store = new MediaStore(join(root, 'media'));
    expect(() => store.pathOf('../x', 'png')).toThrow(EngineError);
    expect(() => store.pathOf('a'.repeat(64), '../png')).toThrow(EngineError);
  });
});

/** A real full disk needs a small filesystem: a tmpfs, which only root on Linux may mount. */
function mountTmpfs(dir: string, size: string): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('Library on a full disk', () => {
  it('reports disk_full naming the library, leaves the database unchanged and recovers once space is back', async (ctx) => {
    const dir = join(root, 'small-disk');
    mkdirSync(dir);
    if (!mountTmpfs(dir, '2m')) return ctx.skip('needs root on Linux to mount a 2 MiB tmpfs');
    // Unmounted in the finally below, before afterEach removes the folder (onTestFinished runs too late).
    let lib: Library | undefined;
    try {
      const library = (lib = Library.open(join(dir, 'library')));
      const count = () => library.db.prepare('SELECT count(*) FROM items').pluck().get();
      await library.addItem({ record: makeTestRecord(1), mediaPath: writeTestMedia(join(root, '1.png'), 1) });

      // The media copy runs out of space.
      const big = randomTestMedia(root, 'big.png', 4 * 1024 * 1024);
      const error = await library
        .addItem({ record: makeTestRecord(2), mediaPath: big })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EngineError);
      expect(error).toMatchObject({ code: 'disk_full', message: `${library.media.dir}: the disk is full` });
      expect(count()).toBe(1);
      expect(readdirSync(join(library.media.dir, 'tmp'))).toEqual([]);

      // Nothing left at all: whichever write fails first (media or database), the answer is the same.
      const filler = join(dir, 'filler');
      try {
        writeFileSync(filler, Buffer.alloc(4 * 1024 * 1024));
      } catch {
        // ENOSPC: the filler took what there was.
      }
      const small = writeTestMedia(join(root, '3.png'), 3);
      const again = await lib
        .addItem({ record: makeTestRecord(3), mediaPath: small })
        .catch((e: unknown) => e);
      expect(again).toMatchObject({ code: 'disk_full' });
      expect(count()).toBe(1);
      expect(library.db.pragma('integrity_check', { simple: true })).toBe('ok');

      rmSync(filler);
      await library.addItem({ record: makeTestRecord(3), mediaPath: small });
      expect(count()).toBe(2);
    } finally {
      lib?.close();
      execFileSync('umount', [dir]);
    }
  });
});
