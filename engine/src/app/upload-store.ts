/**
 * The engine's one store of uploaded files, whatever they are for: the bytes as they came (a video to
 * extend may be any container ffmpeg reads), in the library's `uploads/` folder under a name the engine
 * chose, with a small JSON beside each (the user's file name, the hash, the kind of media). A file to ask
 * about is taken from here into the library's media at once; a video to extend stays, outlives a restart
 * (so a queued extension of it still runs), and is swept a day after it arrived.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, readFileSync, statSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { EngineError, MAX_VIDEO_UPLOAD_BYTES, MediaKind, UPLOAD_FILE_TYPES, UploadId } from '../api/index.js';

/** Uploads older than this are removed when the engine starts. */
export const UPLOAD_LIFETIME_MS = 24 * 60 * 60 * 1000;

const Sidecar = z.object({
  name: z.string(),
  sha256: z.string(),
  bytes: z.number(),
  addedAt: z.string(),
  // Older uploads were all videos to extend.
  kind: MediaKind.default('video'),
});

export interface Upload {
  uploadId: string;
  path: string;
  name: string;
  sha256: string;
  bytes: number;
  /** What the file is, by its name (UPLOAD_FILE_TYPES), or as the caller said; a container the table does not know is a video. */
  kind: MediaKind;
}

export interface UploadStore {
  /** Stores a body of at most `maxBytes`; bad_request (too large) leaves nothing behind. */
  receive(
    body: AsyncIterable<Uint8Array>,
    name: string,
    maxBytes?: number,
    kind?: MediaKind,
  ): Promise<Upload>;
  /** not_found when there is no such upload (never uploaded, discarded or swept). */
  get(uploadId: string): Upload;
  discard(uploadId: string): Promise<void>;
  /** Removes uploads older than `olderThanMs` and unfinished ones; finds the others again after a restart. */
  sweep(olderThanMs?: number): Promise<number>;
}

export function createUploadStore(dir: string): UploadStore {
  const known = new Map<string, Upload>();
  const paths = (uploadId: string) => ({
    data: join(dir, `${uploadId}.upload`),
    sidecar: join(dir, `${uploadId}.json`),
  });

  return {
    async receive(body, name, maxBytes = MAX_VIDEO_UPLOAD_BYTES, kind = kindOfName(name)) {
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
                  `${label}: larger than the ${Math.round(maxBytes / 2 ** 20)} MiB ${kind === 'image' ? 'an image' : 'a video'} upload may be`,
                );
              hash.update(chunk);
              yield chunk;
            }
          },
          createWriteStream(partial),
        );
        if (bytes === 0) throw new EngineError('invalid_file', `${label}: the file is empty`);
        const upload = { uploadId, path: data, name: label, sha256: hash.digest('hex'), bytes, kind };
        const addedAt = new Date().toISOString();
        await writeFile(
          sidecar,
          JSON.stringify({ name: label, sha256: upload.sha256, bytes, addedAt, kind }),
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
      throw new EngineError('not_found', `upload ${uploadId}: not here (discarded, or older than a day)`);
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
        const uploadId = file.replace(/\.(upload|json|upload\.part)$/, '');
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
function restore(uploadId: string, sidecar: string, data: string): Upload | null {
  try {
    const meta = Sidecar.parse(JSON.parse(readFileSync(sidecar, 'utf8')));
    if (!statSync(data).isFile()) return null;
    const { name, sha256, bytes, kind } = meta;
    return { uploadId, path: data, name, sha256, bytes, kind };
  } catch {
    return null;
  }
}

/** The kind of media a file's name says it is; a container the table does not know is taken for a video. */
function kindOfName(name: string): MediaKind {
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase() ?? '';
  return UPLOAD_FILE_TYPES[ext]?.kind ?? 'video';
}

/** A file name as a label: its last part, without control characters, at most 200 characters. */
export function cleanName(name: string): string {
  const visible = [...name.replace(/\\/g, '/')].filter((c) => c >= ' ' && c !== '\u007f').join('');
  const base = basename(visible).trim();
  return (base || 'video').slice(0, 200);
}
