/**
 * The page's one client for the engine's upload route: a file's bytes `POST`ed with its `Content-Type` and
 * `?name=`, the launch secret as a Bearer header, with upload progress. Ask sends a file to ask about
 * (`UPLOAD_PATH`, answered with an `AskUpload`); Extend a video (`VIDEO_UPLOAD_PATH`, answered with a
 * `VideoSourceInfo`). The answer's shape is checked before the page relies on it.
 */
import {
  uploadTypeOfName,
  type AskUpload,
  type SerializedError,
  type VideoSourceInfo,
} from '../../../engine/src/api/index.js';
import { EngineCallError } from './engine-client.js';

export interface UploadProgress {
  loaded: number;
  total: number;
}

export interface UploadRequest<T> {
  /** The route: UPLOAD_PATH or VIDEO_UPLOAD_PATH. */
  path: string;
  file: Blob;
  name: string;
  type: string;
  /** Whether a 200's body is what the route promises. */
  answers(body: unknown): body is T;
  onProgress?: (progress: UploadProgress) => void;
}

/** Sends one file; rejects with an EngineCallError carrying the engine's one-line reason. */
export function postUpload<T>(token: string | null, upload: UploadRequest<T>): Promise<T> {
  const { file, name } = upload;
  return new Promise<T>((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', `${upload.path}?name=${encodeURIComponent(name)}`);
    if (token !== null) request.setRequestHeader('Authorization', `Bearer ${token}`);
    request.setRequestHeader('Content-Type', upload.type || 'application/octet-stream');
    request.responseType = 'text';
    request.upload.onprogress = (event) =>
      upload.onProgress?.({ loaded: event.loaded, total: event.lengthComputable ? event.total : file.size });
    request.onerror = () =>
      reject(
        new EngineCallError(failure('engine_unavailable', `${name}: the upload did not reach the engine`)),
      );
    request.onload = () => {
      const body = parse(request.responseText);
      if (request.status === 200 && upload.answers(body)) return resolve(body);
      reject(
        new EngineCallError(
          errorOf(body) ?? failure('bad_request', `${name}: the engine answered HTTP ${request.status}`),
        ),
      );
    };
    request.send(file);
  });
}

/** The file's type as the engine wants it: the browser's, or the one its name says when it gave none. */
export function uploadType(file: { type: string; name: string }): string {
  return file.type || uploadTypeOfName(file.name);
}

/** The part of an `AskUpload` the page relies on; the engine validated the whole of it before sending. */
export function isAskUpload(body: unknown): body is AskUpload {
  const upload = body as Partial<AskUpload> | null;
  return typeof upload?.sha256 === 'string' && typeof upload.media?.ext === 'string';
}

/** The part of a `VideoSourceInfo` the page relies on; the engine validated the whole of it before sending. */
export function isSourceInfo(body: unknown): body is VideoSourceInfo {
  const info = body as Partial<VideoSourceInfo> | null;
  return (
    typeof info?.name === 'string' &&
    typeof info.width === 'number' &&
    typeof info.lastFrame === 'string' &&
    Array.isArray(info.fits) &&
    info.fits.length > 0 &&
    info.source?.kind === 'upload'
  );
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function errorOf(body: unknown): SerializedError | null {
  const error = (body as { error?: Partial<SerializedError> } | null)?.error;
  if (typeof error?.message !== 'string' || typeof error.name !== 'string') return null;
  return error as SerializedError;
}

function failure(code: SerializedError['code'], message: string): SerializedError {
  return { name: 'EngineError', ...(code ? { code } : {}), message };
}
