/**
 * media/: files named by the sha256 of their bytes, media/<first two hex>/<sha256>.<ext>.
 * A file is copied in (never moved: the user's file stays where it was) to media/tmp/, hashed and synced on the
 * way, then renamed into place, so a crash leaves either the whole file or a temp that `sweep` removes later.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, readdirSync, rmSync, statSync } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { EngineError, MediaExt } from '../api/index.js';

export type { MediaExt } from '../api/index.js';
/** The protocol's list, so what the store keeps and what hosts serve cannot drift apart. */
export const MEDIA_EXTS: readonly MediaExt[] = MediaExt.options;

export interface StoredMedia {
  sha256: string;
  ext: MediaExt;
  bytes: number;
}

const SHA256 = /^[0-9a-f]{64}$/;
const STORED_NAME = /^([0-9a-f]{64})\.[a-z0-9]+$/;

export function isSha256(value: unknown): value is string {
  return typeof value === 'string' && SHA256.test(value);
}

/**
 * The extension comes from the bytes, not the name the user gave: the same content always lands at the same
 * path, and a file that is no image or video is refused at the door.
 */
export function sniffExt(head: Buffer): MediaExt | null {
  const ascii = (from: number, to: number): string => head.toString('latin1', from, to);
  if (head.length >= 8 && head.readUInt32BE(0) === 0x89504e47) return 'png';
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpg';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  if (ascii(0, 4) === 'GIF8') return 'gif';
  if (ascii(4, 8) === 'ftyp') return ascii(8, 12) === 'qt  ' ? 'mov' : 'mp4';
  if (head.length >= 4 && head.readUInt32BE(0) === 0x1a45dfa3) return 'webm';
  return null;
}

/**
 * Filesystem failures the user can act on, as one-line EngineErrors; others pass through. A full disk names
 * `disk` (the folder the library writes to), not the file being read, which would mislead the user.
 */
export function fsError(error: unknown, where: string, disk: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  const path = (error as NodeJS.ErrnoException).path ?? where;
  if (code === 'ENOSPC' || code === 'EDQUOT')
    return new EngineError('disk_full', `${disk}: the disk is full`);
  if (code === 'ENOENT') return new EngineError('not_found', `${path}: no such file`);
  if (code === 'EISDIR' || code === 'EACCES' || code === 'EPERM')
    return new EngineError('invalid_file', `${path}: cannot read or write (${code})`);
  return error;
}

export class MediaStore {
  /** sha256 → imports in flight. The library skips these when it removes unreferenced files. */
  private readonly pending = new Map<string, number>();

  constructor(readonly dir: string) {}

  /** Validates the hex before it becomes part of a path: no caller can reach outside media/. */
  pathOf(sha256: string, ext: string): string {
    if (!isSha256(sha256)) throw new EngineError('bad_request', `${JSON.stringify(sha256)}: not a sha256`);
    if (!(MEDIA_EXTS as readonly string[]).includes(ext))
      throw new EngineError('bad_request', `${JSON.stringify(ext)}: not a media type the library stores`);
    return join(this.dir, sha256.slice(0, 2), `${sha256}.${ext}`);
  }

  isPending(sha256: string): boolean {
    return this.pending.has(sha256);
  }

  /** Ends the hold `import` took; call once the row naming the file committed (or failed). */
  release(sha256: string): void {
    const n = (this.pending.get(sha256) ?? 1) - 1;
    if (n > 0) this.pending.set(sha256, n);
    else this.pending.delete(sha256);
  }

  /** Copies `source` in; the result's sha256 stays pending until `release`. */
  async import(source: string): Promise<StoredMedia> {
    const tmp = join(this.dir, 'tmp', `${process.pid}-${randomUUID()}`);
    const hash = createHash('sha256');
    const head: Buffer[] = [];
    let bytes = 0;
    try {
      await mkdir(dirname(tmp), { recursive: true });
      const out = await open(tmp, 'wx');
      try {
        for await (const chunk of createReadStream(source) as AsyncIterable<Buffer>) {
          hash.update(chunk);
          if (bytes < 16) head.push(chunk.subarray(0, 16));
          bytes += chunk.length;
          await out.write(chunk);
        }
        // Synced before the rename and before any row names it: a row never points at a half-written file.
        await out.sync();
      } finally {
        await out.close();
      }
    } catch (error) {
      await rm(tmp, { force: true });
      throw fsError(error, source, this.dir);
    }
    const ext = sniffExt(Buffer.concat(head));
    if (ext === null) {
      await rm(tmp, { force: true });
      throw new EngineError('invalid_file', `${source}: not a PNG, JPEG, WebP, GIF, MP4, MOV or WebM file`);
    }
    const sha256 = hash.digest('hex');
    // Held before touching the final path, so emptyTrash cannot remove the file between here and the commit.
    this.pending.set(sha256, (this.pending.get(sha256) ?? 0) + 1);
    const target = this.pathOf(sha256, ext);
    try {
      await mkdir(dirname(target), { recursive: true });
      // Same content is already there: keep it (renaming over a file a reader has open fails on Windows).
      const existing = await stat(target).catch(() => null);
      if (existing?.size === bytes) await rm(tmp, { force: true });
      else await rename(tmp, target);
    } catch (error) {
      this.release(sha256);
      await rm(tmp, { force: true });
      throw fsError(error, target, this.dir);
    }
    return { sha256, ext, bytes };
  }

  /** Removes one stored file; synchronous so no import can interleave with the check that preceded it. */
  removeSync(sha256: string, ext: string): void {
    rmSync(this.pathOf(sha256, ext), { force: true });
  }

  /**
   * Removes files no row names (`keep` says false) and leftover temps, both older than `graceMs`: the grace
   * spares another process's import that has landed its file but not yet committed its row. Returns a count.
   */
  sweepSync(keep: (sha256: string) => boolean, graceMs: number): number {
    const cutoff = Date.now() - graceMs;
    let removed = 0;
    const removeIfOld = (path: string): void => {
      const info = statSync(path, { throwIfNoEntry: false });
      if (info?.isFile() && info.mtimeMs <= cutoff) {
        rmSync(path, { force: true });
        removed++;
      }
    };
    for (const dir of readdirSync(this.dir, { withFileTypes: true })) {
      if (!dir.isDirectory()) continue;
      const sub = join(this.dir, dir.name);
      for (const name of readdirSync(sub)) {
        if (dir.name === 'tmp') removeIfOld(join(sub, name));
        else if (/^[0-9a-f]{2}$/.test(dir.name)) {
          const sha = STORED_NAME.exec(name)?.[1];
          if (sha && !this.pending.has(sha) && !keep(sha)) removeIfOld(join(sub, name));
        }
      }
    }
    return removed;
  }
}
