/**
 * `POST /api/upload?name=FILE`: a file to ask about, its bytes as the body. Behind the launch secret (an
 * `Authorization: Bearer` header, which a page on another origin cannot send without a preflight this host
 * never answers) and a same-origin `Origin`; only image and video types (the bytes are sniffed again when
 * stored); at most MAX_UPLOAD_BYTES. The body goes to a temp file, then into the library's media by content.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { EngineError, MAX_UPLOAD_BYTES, UPLOAD_TYPES, type AskUpload } from '../api/index.js';
import { hasLaunchSecret } from './security.js';

export type Reply = (status: number, body: unknown) => void;
export type ReplyError = (status: number, error: unknown) => void;

export interface UploadContext {
  secret: string;
  upload(path: string, name: string): Promise<AskUpload>;
  maxBytes?: number;
}

class TooLargeError extends Error {
  override readonly name = 'TooLargeError';
}

export async function handleUpload(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  context: UploadContext,
  reply: Reply,
  fail: ReplyError,
): Promise<void> {
  const maxBytes = context.maxBytes ?? MAX_UPLOAD_BYTES;
  const refuse = (status: number, code: EngineError['code'], message: string) => {
    // The body is not read: closing the connection after the answer spares the client sending it all.
    response.setHeader('Connection', 'close');
    fail(status, new EngineError(code, message));
  };
  if (request.method !== 'POST')
    return refuse(405, 'bad_request', `${request.method} ${url.pathname} is not allowed`);
  if (!hasLaunchSecret(request, url, context.secret) || url.searchParams.has('token'))
    return refuse(401, 'unauthorized', 'missing or wrong launch secret (send it as a Bearer header)');
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== `http://${request.headers.host}`)
    return refuse(403, 'unauthorized', `origin ${origin} refused`);
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (!(UPLOAD_TYPES as readonly string[]).includes(type))
    return refuse(
      415,
      'unsupported',
      `${type || 'a file without a type'}: only images and videos can be asked about`,
    );
  const length = Number(request.headers['content-length'] ?? NaN);
  if (Number.isFinite(length) && length > maxBytes)
    return refuse(413, 'bad_request', `the file is ${mib(length)}: at most ${mib(maxBytes)} can be uploaded`);

  const name = (url.searchParams.get('name') ?? '').slice(0, 1000) || 'file';
  const dir = await mkdtemp(join(tmpdir(), 'emu3-upload-'));
  const path = join(dir, 'upload');
  try {
    let received = 0;
    const limit = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        done(received > maxBytes ? new TooLargeError() : null, chunk);
      },
    });
    try {
      await pipeline(request, limit, createWriteStream(path));
    } catch (error) {
      if (error instanceof TooLargeError)
        return refuse(413, 'bad_request', `the file is over ${mib(maxBytes)}: at most that can be uploaded`);
      throw error;
    }
    if (received === 0) return fail(400, new EngineError('bad_request', 'the upload is empty'));
    reply(200, await context.upload(path, name));
  } catch (error) {
    fail(statusOf(error), named(error, path, name));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The engine names the temp file this route wrote; the user knows it by the name they chose. */
function named(error: unknown, path: string, name: string): unknown {
  if (!(error instanceof EngineError)) return error;
  return new EngineError(error.code, error.message.split(path).join(name));
}

function statusOf(error: unknown): number {
  if (!(error instanceof EngineError)) return 500;
  if (error.code === 'disk_full') return 507;
  if (error.code === 'engine_unavailable') return 503;
  return 400;
}

function mib(bytes: number): string {
  return `${Math.round(bytes / 1024 / 1024)} MiB`;
}
