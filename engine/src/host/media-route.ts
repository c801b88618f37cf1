/**
 * `GET /api/media/<sha256>.<ext>`: a library media file, for `<img src>` and `<video src>`. The URL names a
 * hash, never a path: the engine answers only hashes its library holds, with their own extension. Files are
 * immutable (named by their content), so they cache for good; single byte ranges are answered for video
 * seeking.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EngineError, type MediaExt } from '../api/index.js';

export const MEDIA_PREFIX = '/api/media/';

const CONTENT_TYPES: Record<MediaExt, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  webm: 'video/webm',
};

/** Files up to this size are read whole rather than streamed. */
const SMALL_FILE_BYTES = 512 * 1024;

const MEDIA_NAME = /^([0-9a-f]{64})\.([a-z0-9]{2,5})$/;

export type MediaLookup = (sha256: string, ext: string) => { path: string; ext: MediaExt };

/** Answers one media request; errors go to `fail` with the HTTP status they deserve. */
export async function serveMedia(
  request: IncomingMessage,
  response: ServerResponse,
  pathname: string,
  lookup: MediaLookup,
  fail: (status: number, error: EngineError) => void,
): Promise<void> {
  const match = MEDIA_NAME.exec(pathname.slice(MEDIA_PREFIX.length));
  if (!match) return fail(404, new EngineError('not_found', `no media at ${pathname}`));
  let file: { path: string; ext: MediaExt };
  try {
    file = lookup(match[1]!, match[2]!);
  } catch (error) {
    if (error instanceof EngineError) return fail(error.code === 'bad_request' ? 400 : 404, error);
    throw error;
  }
  const size = await stat(file.path).then(
    (info) => info.size,
    () => null,
  );
  if (size === null) return fail(404, new EngineError('not_found', `media ${match[1]}: the file is missing`));

  const etag = `"${match[1]}"`;
  const headers: Record<string, string | number> = {
    'Content-Type': CONTENT_TYPES[file.ext],
    'Accept-Ranges': 'bytes',
    ETag: etag,
    // The URL carries this launch's secret, so nothing outlives the launch; within it a file never changes.
    'Cache-Control': 'private, max-age=31536000, immutable',
  };
  if (request.headers['if-none-match'] === etag) {
    response.writeHead(304, headers);
    return void response.end();
  }
  const range = parseRange(request.headers.range, size);
  if (range === 'unsatisfiable') {
    response.writeHead(416, { ...headers, 'Content-Range': `bytes */${size}` });
    return void response.end();
  }
  const { start, end } = range ?? { start: 0, end: size - 1 };
  response.writeHead(range ? 206 : 200, {
    ...headers,
    'Content-Length': size === 0 ? 0 : end - start + 1,
    ...(range ? { 'Content-Range': `bytes ${start}-${end}/${size}` } : {}),
  });
  if (request.method === 'HEAD' || size === 0) return void response.end();
  if (!range && size <= SMALL_FILE_BYTES) {
    // Thumbnails: one read and one write beat a stream's several round trips (a grid asks for dozens).
    return void response.end(await readFile(file.path));
  }
  const stream = createReadStream(file.path, { start, end });
  stream.on('error', () => response.destroy());
  stream.pipe(response);
}

/**
 * One `bytes=` range (the form browsers send for media); null for none, or for a header this does not
 * read (several ranges, other units), which RFC 9110 lets a server answer with the whole file.
 */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | null {
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null;
  let start: number;
  let end: number;
  if (match[1] === '') {
    // A suffix: the last N bytes.
    const suffix = Number(match[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}
