/**
 * A file to ask about, sent to the engine over HTTP (`POST /api/upload`, the launch secret as a Bearer
 * header): the engine keeps it in the library by its content and answers what it kept.
 */
import { UPLOAD_PATH, type AskUpload, type SerializedError } from '../../../engine/src/api/index.js';
import { EngineCallError } from './engine-client.js';

export type AskUploader = (file: Blob, name: string, type: string) => Promise<AskUpload>;

export function createAskUploader(token: string | null): AskUploader {
  return async (file, name, type) => {
    let response: Response;
    try {
      response = await fetch(`${UPLOAD_PATH}?name=${encodeURIComponent(name)}`, {
        method: 'POST',
        headers: { 'Content-Type': type, ...(token === null ? {} : { Authorization: `Bearer ${token}` }) },
        body: file,
      });
    } catch {
      throw new EngineCallError(
        failure('engine_unavailable', `${name}: the upload did not reach the engine`),
      );
    }
    const body = (await response.json().catch(() => null)) as
      | (Partial<AskUpload> & {
          error?: Partial<SerializedError>;
        })
      | null;
    if (response.ok && typeof body?.sha256 === 'string' && typeof body.media?.ext === 'string')
      return body as AskUpload;
    const error = body?.error;
    throw new EngineCallError(
      typeof error?.message === 'string' && typeof error.name === 'string'
        ? (error as SerializedError)
        : failure('bad_request', `${name}: the engine answered HTTP ${response.status}`),
    );
  };
}

/** The file's type as the engine wants it: the browser's, or guessed from the name when it gave none. */
export function uploadType(file: { type: string; name: string }): string {
  if (file.type) return file.type;
  const ext = /\.([a-z0-9]+)$/i.exec(file.name)?.[1]?.toLowerCase() ?? '';
  const byExt: Record<string, string> = {
    png: 'image/png',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    webp: 'image/webp',
    gif: 'image/gif',
    mp4: 'video/mp4',
    m4v: 'video/mp4',
    mov: 'video/quicktime',
    webm: 'video/webm',
  };
  return byExt[ext] ?? 'application/octet-stream';
}

function failure(code: SerializedError['code'], message: string): SerializedError {
  return { name: 'EngineError', ...(code ? { code } : {}), message };
}
