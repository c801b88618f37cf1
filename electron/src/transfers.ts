/**
 * Files between the page and the engine in the desktop app, as the web host's HTTP routes carry them in
 * a browser: a file to ask about (`POST /api/upload`), a video to extend (`POST /api/video-upload`), and
 * exports of a gallery video (`GET /api/export/<id>.<format>`) or of a library media file
 * (`GET /api/media/<sha256>.<ext>`). Main makes the requests with the launch secret. The page names what
 * to send or export, never where on disk: an upload's path must be one a native dialog returned, and an
 * export's destination comes from the save dialog alone.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import type { SaveDialogOptions } from 'electron';
import type { z } from 'zod';
import {
  AskUpload,
  deserializeError,
  EngineError,
  InternalError,
  MAX_UPLOAD_BYTES,
  MAX_VIDEO_UPLOAD_BYTES,
  SerializedError,
  serializeError,
  UPLOAD_PATH,
  uploadTypeOfName,
  VIDEO_UPLOAD_PATH,
  VideoSourceInfo,
} from '../../engine/src/api/index.js';
import { pickedPath, saveFileOptions } from './dialogs.js';
import {
  AskUploadRequest,
  ExportRequest,
  parseIpcArgument,
  VideoUploadRequest,
  type TransferResult,
  type TransferResults,
  type UploadRequest,
} from './ipc-channels.js';
import type { MediaEngine } from './media-protocol.js';
import type { PickedPaths } from './picked-paths.js';

export interface TransferDeps {
  /** The running engine's origin and launch secret; null while it is not running. */
  engine(): MediaEngine | null;
  /** Node's fetch: it can stream a request body, which an upload of a large picked file needs. */
  fetchEngine(url: string, init: RequestInit): Promise<Response>;
  picked: PickedPaths;
  showSave(options: SaveDialogOptions): Promise<{ canceled: boolean; filePath?: string }>;
}

type TransferHandlers = { [C in keyof TransferResults]: (request: unknown) => Promise<TransferResults[C]> };

/**
 * The three handlers. Arguments are parsed, and a picked path checked, before anything else happens: a
 * failure there is the page's bug and is thrown. What can go wrong after (a file too large for the
 * engine, the engine gone, a full disk) is the user's to act on, and is answered as a named error.
 */
export function createTransferHandlers(deps: TransferDeps): TransferHandlers {
  return {
    'upload.ask': (request) => {
      const parsed = checkPicked(deps.picked, parseIpcArgument('upload.ask', AskUploadRequest, request));
      return settle(() => sendUpload(deps, UPLOAD_PATH, parsed, MAX_UPLOAD_BYTES, AskUpload));
    },
    'upload.video': (request) => {
      const parsed = checkPicked(deps.picked, parseIpcArgument('upload.video', VideoUploadRequest, request));
      return settle(() =>
        sendUpload(deps, VIDEO_UPLOAD_PATH, parsed, MAX_VIDEO_UPLOAD_BYTES, VideoSourceInfo),
      );
    },
    'export.save': (request) => {
      const parsed = parseIpcArgument('export.save', ExportRequest, request);
      return settle(() => saveExport(deps, parsed));
    },
  };
}

//#region Uploads

/** A path the user did not pick is refused before it is looked at, with nothing said about the file. */
function checkPicked(picked: PickedPaths, request: UploadRequest): UploadRequest {
  if (request.kind === 'picked' && !picked.has(request.path))
    throw new EngineError('unauthorized', 'only a file picked in an open dialog can be uploaded by path');
  return request;
}

interface UploadBody {
  name: string;
  type: string;
  body: BodyInit;
}

async function sendUpload<T>(
  deps: TransferDeps,
  route: string,
  request: UploadRequest,
  maxBytes: number,
  answer: z.ZodType<T>,
): Promise<T> {
  const engine = runningEngine(deps);
  const { name, type, body } =
    request.kind === 'bytes'
      ? { name: request.name, type: request.type, body: request.bytes as BodyInit }
      : await pickedFileBody(request.path, maxBytes);
  let response: Response;
  try {
    response = await deps.fetchEngine(`${engine.origin}${route}?name=${encodeURIComponent(name)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${engine.secret}`, 'content-type': type },
      body,
      redirect: 'error',
      // A stream body must say so (fetch's rule); harmless for bytes.
      duplex: 'half',
    } as RequestInit);
  } catch {
    throw new EngineError('engine_unavailable', `${name}: the upload did not reach the engine`);
  }
  return engineAnswer(response, answer, name);
}

/** A picked file as a stream: a video may be hundreds of MiB, which need not sit in main's memory. */
async function pickedFileBody(path: string, maxBytes: number): Promise<UploadBody> {
  const name = basename(path);
  const info = await stat(path).catch(() => null);
  if (info === null) throw new EngineError('not_found', `${name}: the file is no longer there`);
  if (!info.isFile()) throw new EngineError('invalid_file', `${name}: not a file`);
  if (info.size > maxBytes)
    throw new EngineError(
      'bad_request',
      `${name}: ${mib(info.size)}, more than the ${mib(maxBytes)} allowed`,
    );
  const stream = Readable.toWeb(createReadStream(path)) as unknown as ReadableStream<Uint8Array>;
  // The engine sniffs the bytes again; an unknown name is sent as opaque bytes for it to refuse or probe.
  return { name, type: uploadTypeOfName(name), body: stream };
}

//#endregion

//#region Exports

/** The engine route an export reads, and the name the save dialog suggests for it. */
export function exportSource(request: ExportRequest): { route: string; defaultName: string } {
  if (request.kind === 'video')
    return {
      route: `/api/export/${request.itemId}.${request.format}`,
      defaultName: `emu3-${request.itemId}.${request.format}`,
    };
  const { sha256, ext } = request.media;
  return { route: `/api/media/${sha256}.${ext}`, defaultName: `emu3-${sha256.slice(0, 12)}.${ext}` };
}

async function saveExport(deps: TransferDeps, request: ExportRequest): Promise<{ path: string } | null> {
  const { route, defaultName } = exportSource(request);
  // Asking where to save is pointless while the engine cannot answer; the check repeats after the
  // dialog, since the engine may have restarted (a new port and secret) while the user chose.
  runningEngine(deps);
  const destination = pickedPath(await deps.showSave(saveFileOptions({ defaultName })));
  if (destination === null) return null;
  const engine = runningEngine(deps);
  let response: Response;
  try {
    response = await deps.fetchEngine(`${engine.origin}${route}`, {
      headers: { authorization: `Bearer ${engine.secret}` },
      redirect: 'error',
    });
  } catch {
    throw new EngineError('engine_unavailable', `${defaultName}: the export did not reach the engine`);
  }
  if (!response.ok || response.body === null) {
    throw engineFailure(await response.json().catch(() => null), response.status, defaultName);
  }
  await writeAtomically(destination, response.body);
  return { path: destination };
}

/**
 * Streams to a hidden file beside the destination, then renames it into place: a failed or interrupted
 * export leaves the user's old file (if they chose to overwrite one) as it was, and no half of a new one.
 */
async function writeAtomically(destination: string, body: ReadableStream<Uint8Array>): Promise<void> {
  const partial = join(
    dirname(destination),
    `.${basename(destination)}.${randomBytes(4).toString('hex')}.part`,
  );
  try {
    await pipeline(
      Readable.fromWeb(body as unknown as NodeReadableStream<Uint8Array>),
      createWriteStream(partial, { flags: 'wx' }),
    );
    await rename(partial, destination);
  } catch (error) {
    await rm(partial, { force: true });
    throw writeFailure(error, destination);
  }
}

function writeFailure(error: unknown, destination: string): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC') return new EngineError('disk_full', `${destination}: the disk is full`);
  if (code === 'ENOENT') return new EngineError('not_found', `${dirname(destination)}: the folder is gone`);
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
    return new EngineError('bad_request', `${destination}: not allowed to write there`);
  if (typeof code === 'string') return new InternalError(`${destination}: ${code}`);
  // Not the disk's doing: fetch ends the body with a plain TypeError when the engine's answer stops short.
  return new EngineError(
    'engine_unavailable',
    `${basename(destination)}: the export from the engine broke off`,
  );
}

//#endregion

function runningEngine(deps: TransferDeps): MediaEngine {
  const engine = deps.engine();
  if (engine === null) throw new EngineError('engine_unavailable', 'the engine is not running');
  return engine;
}

/** The engine's JSON answer, checked against the protocol's schema before the page sees it. */
async function engineAnswer<T>(response: Response, schema: z.ZodType<T>, what: string): Promise<T> {
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) throw engineFailure(body, response.status, what);
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new InternalError(`${what}: the engine answered in an unexpected shape`);
  return parsed.data;
}

/** The engine's own named error from an error body, or one that says what HTTP status came back. */
function engineFailure(body: unknown, status: number, what: string): Error {
  const error = SerializedError.safeParse((body as { error?: unknown } | null)?.error);
  if (error.success) return deserializeError(error.data);
  return new EngineError(
    status === 503 ? 'engine_unavailable' : 'bad_request',
    `${what}: the engine answered HTTP ${status}`,
  );
}

async function settle<T>(work: () => Promise<T>): Promise<TransferResult<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    return { ok: false, error: serializeError(error) };
  }
}

function mib(bytes: number): string {
  return `${Math.round(bytes / 1024 / 1024)} MiB`;
}
