/**
 * The web host's one upload route: a file's bytes as the body of a `POST`, its name in `?name=`, received
 * into the engine's upload store (app/upload-store.ts). Two paths say what the file is for:
 * - `UPLOAD_PATH`: a file to ask about; only the image and video types of UPLOAD_FILE_TYPES (the bytes are
 *   sniffed again when kept), at most MAX_UPLOAD_BYTES; kept in the library's media by content and
 *   answered with an `AskUpload`.
 * - `VIDEO_UPLOAD_PATH`: a video to extend; any container ffmpeg reads, at most MAX_VIDEO_UPLOAD_BYTES;
 *   answered with the source as the model will see it (`VideoSourceInfo`).
 * Both are behind the launch secret as an `Authorization: Bearer` header only (a page on another origin
 * cannot send one without a preflight this host never answers) and a same-origin `Origin`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  EngineError,
  isRefusedUploadType,
  MAX_UPLOAD_BYTES,
  MAX_VIDEO_UPLOAD_BYTES,
  UPLOAD_PATH,
  UPLOAD_TYPES,
  uploadKindOfType,
  VIDEO_UPLOAD_PATH,
} from '../api/index.js';
import type { EngineService } from '../app/engine-service.js';
import { routeFailure, sendJson, statusOf } from './json-answers.js';
import { hasLaunchSecret } from './security.js';

/** What each upload path takes, and what it does with a file once received. */
interface UploadPurpose {
  maxBytes: number;
  /** The name for a file sent without one. */
  unnamed: string;
  /** Why a declared type is refused at once, or null to take the body. */
  refuseType(type: string, name: string): string | null;
  tooLarge(bytes: number, maxBytes: number, name: string): string;
  accept(engine: EngineService, body: IncomingMessage, name: string, type: string): Promise<unknown>;
}

const PURPOSES: Readonly<Record<string, UploadPurpose>> = {
  [UPLOAD_PATH]: {
    maxBytes: MAX_UPLOAD_BYTES,
    unnamed: 'file',
    refuseType: (type) =>
      UPLOAD_TYPES.includes(type)
        ? null
        : `${type || 'a file without a type'}: only images and videos can be asked about`,
    tooLarge: (bytes, maxBytes) => `the file is ${mib(bytes)}: at most ${mib(maxBytes)} can be uploaded`,
    accept: (engine, body, name, type) =>
      engine.acceptUpload(body, name, { kind: uploadKindOfType(type) ?? 'image' }),
  },
  [VIDEO_UPLOAD_PATH]: {
    maxBytes: MAX_VIDEO_UPLOAD_BYTES,
    unnamed: 'video',
    refuseType: (type, name) => (isRefusedUploadType(type) ? `${name}: ${type} is not a video` : null),
    tooLarge: (bytes, maxBytes, name) =>
      `${name}: ${mib(bytes)}, more than the ${mib(maxBytes)} a video upload may be`,
    accept: (engine, body, name) => engine.video.acceptUpload(body, name),
  },
};

export function isUploadRoute(pathname: string): boolean {
  return Object.hasOwn(PURPOSES, pathname);
}

export async function routeUpload(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  context: { secret: string; engine: EngineService; maxBytes?: number },
): Promise<void> {
  const purpose = PURPOSES[url.pathname]!;
  const maxBytes = context.maxBytes ?? purpose.maxBytes;
  const fail = routeFailure(request, response);
  const refuse = (status: number, code: EngineError['code'], message: string) =>
    fail(status, new EngineError(code, message));
  if (request.method !== 'POST')
    return refuse(405, 'bad_request', `${request.method} ${url.pathname} is not allowed`);
  // Only a header: a page elsewhere cannot send one without a preflight this host never answers.
  if (!hasLaunchSecret(request, url, context.secret) || url.searchParams.has('token'))
    return refuse(401, 'unauthorized', 'missing or wrong launch secret (send it as a Bearer header)');
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== `http://${request.headers.host}`)
    return refuse(403, 'unauthorized', `origin ${origin} refused`);
  const name = (url.searchParams.get('name') ?? '').slice(0, 1000) || purpose.unnamed;
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const refusal = purpose.refuseType(type, url.searchParams.get('name') ?? 'the file');
  if (refusal) return refuse(415, 'unsupported', refusal);
  const length = Number(request.headers['content-length'] ?? NaN);
  if (Number.isFinite(length) && length > maxBytes)
    return refuse(413, 'bad_request', purpose.tooLarge(length, maxBytes, name));
  try {
    sendJson(response, 200, await purpose.accept(context.engine, request, name, type));
  } catch (error) {
    fail(statusOf(error), error);
  }
}

function mib(bytes: number): string {
  return `${Math.round(bytes / 1024 / 1024)} MiB`;
}
