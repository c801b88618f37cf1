/**
 * Videos uploaded to be extended: the bytes as they came (any container ffmpeg reads), in the library's
 * `video-uploads/` folder under a name the engine chose, with a small JSON beside each (the user's file
 * name, the hash). They outlive a restart, so a queued extension of one still runs, and are swept a day
 * after they arrived.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, readFileSync, statSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { EngineError, MAX_VIDEO_UPLOAD_BYTES, UploadId } from '../api/index.js';

/** Uploads older than this are removed when the engine starts. */
export const UPLOAD_LIFETIME_MS = 24 * 60 * 60 * 1000;

const Sidecar = z.object({ name: z.string(), sha256: z.string(), bytes: z.number(), addedAt: z.string() });

export interface VideoUpload {
  uploadId: string;
  path: string;
  name: string;
  sha256: string;
  bytes: number;
}

export interface VideoUploads {
  /** Stores a body of at most `maxBytes`; bad_request (too large) leaves nothing behind. */
  receive(body: AsyncIterable<Uint8Array>, name: string, maxBytes?: number): Promise<VideoUpload>;
  /** not_found when there is no such upload (never uploaded, discarded or swept). */
  get(uploadId: string): VideoUpload;
  discard(uploadId: string): Promise<void>;
  /** Removes uploads older than `olderThanMs` and unfinished ones; finds the others again after a restart. */
  sweep(olderThanMs?: number): Promise<number>;
}

export function createVideoUploads(dir: string): VideoUploads {
  const known = new Map<string, VideoUpload>();
  const paths = (uploadId: string) => ({
    data: join(dir, `${uploadId}.video`),
    sidecar: join(dir, `${uploadId}.json`),
  });

  return {
    async receive(body, name, maxBytes = MAX_VIDEO_UPLOAD_BYTES) {
      await mkdir(dir, { recursive: true });
      const uploadId = randomUUID();
      const { data, sidecar } = paths(uploadId);
      const partial = `${data}.part`;
      const hash = createHash('sha256');
      let bytes = 0;
      const label = cleanName(name);
      try {
        await pipeline(
          body,
          async function* (chunks: AsyncIterable<Uint8Array>) {
            for await (const chunk of chunks) {
              bytes += chunk.byteLength;
              if (bytes > maxBytes)
                throw new EngineError(
                  'bad_request',
                  `${label}: larger than the ${Math.round(maxBytes / 2 ** 20)} MiB a video upload may be`,
                );
              hash.update(chunk);
              yield chunk;
            }
          },
          createWriteStream(partial),
        );
        if (bytes === 0) throw new EngineError('invalid_file', `${label}: the file is empty`);
        const upload = { uploadId, path: data, name: label, sha256: hash.digest('hex'), bytes };
        await writeFile(
          sidecar,
          JSON.stringify({ name: label, sha256: upload.sha256, bytes, addedAt: new Date().toISOString() }),
        );
        await rename(partial, data);
        known.set(uploadId, upload);
        return upload;
      } catch (error) {
        await Promise.all([rm(partial, { force: true }), rm(sidecar, { force: true })]);
        throw error;
      }
    },
    get(uploadId) {
      // Read from disk when not known yet: a queued extension may run before the sweep at start is done.
      const upload =
        known.get(uploadId) ??
        (UploadId.safeParse(uploadId).success
          ? restore(uploadId, paths(uploadId).sidecar, paths(uploadId).data)
          : null);
      if (upload) {
        known.set(uploadId, upload);
        return upload;
      }
      throw new EngineError(
        'not_found',
        `video upload ${uploadId}: not here (discarded, or older than a day)`,
      );
    },
    async discard(uploadId) {
      if (!UploadId.safeParse(uploadId).success) return;
      known.delete(uploadId);
      const { data, sidecar } = paths(uploadId);
      await Promise.all([rm(data, { force: true }), rm(sidecar, { force: true })]);
    },
    async sweep(olderThanMs = UPLOAD_LIFETIME_MS) {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch {
        return 0;
      }
      let removed = 0;
      const now = Date.now();
      for (const file of names) {
        const path = join(dir, file);
        const uploadId = file.replace(/\.(video|json|video\.part)$/, '');
        const info = await stat(path).catch(() => null);
        if (!info) continue;
        const old = now - info.mtimeMs > olderThanMs;
        if (file.endsWith('.part') || old) {
          await rm(path, { force: true });
          known.delete(uploadId);
          removed++;
        } else if (file.endsWith('.json') && !known.has(uploadId)) {
          const restored = restore(uploadId, path, paths(uploadId).data);
          if (restored) known.set(uploadId, restored);
        }
      }
      return removed;
    },
  };
}

/** An upload from its files (small: a JSON and a stat), or null when either is missing or unreadable. */
function restore(uploadId: string, sidecar: string, data: string): VideoUpload | null {
  try {
    const meta = Sidecar.parse(JSON.parse(readFileSync(sidecar, 'utf8')));
    if (!statSync(data).isFile()) return null;
    return { uploadId, path: data, name: meta.name, sha256: meta.sha256, bytes: meta.bytes };
  } catch {
    return null;
  }
}

/** A file name as a label: its last part, without control characters, at most 200 characters. */
export function cleanName(name: string): string {
  const visible = [...name.replace(/\\/g, '/')].filter((c) => c >= ' ' && c !== '\u007f').join('');
  const base = basename(visible).trim();
  return (base || 'video').slice(0, 200);
}
