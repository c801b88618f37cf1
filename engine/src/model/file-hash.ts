/** sha256 of files, streamed, with a cache keyed by path, size and mtime so re-imports need not re-read 34 GB. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FileRecord } from './package-manifest.js';

interface CacheEntry {
  bytes: number;
  mtimeMs: number;
  sha256: string;
}

export async function sha256File(path: string, onBytes?: (bytes: number) => void): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    onBytes?.(chunk.length);
  }
  return hash.digest('hex');
}

/** Hashes `files` (absolute paths), reusing `cacheFile`'s entries for files whose size and mtime are unchanged. */
export async function hashFiles(
  files: readonly string[],
  cacheFile: string,
  onProgress?: (done: number, total: number) => void,
): Promise<Map<string, FileRecord>> {
  const cache = await readCache(cacheFile);
  const stats = await Promise.all(files.map((file) => stat(file)));
  const total = stats.reduce((sum, s) => sum + s.size, 0);
  let done = 0;
  const records = new Map<string, FileRecord>();
  for (const [i, file] of files.entries()) {
    const { size, mtimeMs } = stats[i]!;
    const cached = cache[file];
    let sha256: string;
    if (cached && cached.bytes === size && cached.mtimeMs === mtimeMs) {
      sha256 = cached.sha256;
      done += size;
    } else {
      sha256 = await sha256File(file, (bytes) => {
        done += bytes;
        onProgress?.(done, total);
      });
      cache[file] = { bytes: size, mtimeMs, sha256 };
    }
    onProgress?.(done, total);
    records.set(file, { path: file, bytes: size, sha256 });
  }
  await mkdir(dirname(cacheFile), { recursive: true });
  await writeFile(cacheFile, JSON.stringify(cache));
  return records;
}

async function readCache(cacheFile: string): Promise<Record<string, CacheEntry>> {
  try {
    return JSON.parse(await readFile(cacheFile, 'utf8')) as Record<string, CacheEntry>;
  } catch {
    // A missing or damaged cache only costs a re-hash.
    return {};
  }
}
