/**
 * Files between the page and the engine over HTTP, beside the protocol's socket: a video uploaded to be
 * extended (`POST /api/video-upload`, the launch secret as a Bearer header, with upload progress) and
 * exports to download (`GET /api/export/<id>.<format>`, the secret in the query as for media).
 */
import {
  VIDEO_UPLOAD_PATH,
  type ExportFormat,
  type SerializedError,
  type VideoSourceInfo,
} from '../../../engine/src/api/index.js';
import { EngineCallError } from './engine-client.js';

export interface UploadProgress {
  loaded: number;
  total: number;
}

export interface MediaTransfer {
  /** Uploads a video to extend; rejects with an EngineCallError carrying the engine's one-line reason. */
  uploadVideo(file: File, onProgress?: (progress: UploadProgress) => void): Promise<VideoSourceInfo>;
  /** Where a gallery video downloads as `format`. */
  exportUrl(itemId: number, format: ExportFormat): string;
}

export function createWebTransfer(token: string | null): MediaTransfer {
  const query = `token=${encodeURIComponent(token ?? '')}`;
  return {
    uploadVideo: (file, onProgress) =>
      new Promise<VideoSourceInfo>((resolve, reject) => {
        const request = new XMLHttpRequest();
        request.open('POST', `${VIDEO_UPLOAD_PATH}?name=${encodeURIComponent(file.name)}`);
        if (token !== null) request.setRequestHeader('Authorization', `Bearer ${token}`);
        request.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
        request.responseType = 'text';
        request.upload.onprogress = (event) =>
          onProgress?.({ loaded: event.loaded, total: event.lengthComputable ? event.total : file.size });
        request.onerror = () =>
          reject(new EngineCallError(unavailable(`${file.name}: the upload did not reach the engine`)));
        request.onload = () => {
          const body = parse(request.responseText);
          if (request.status === 200 && isSourceInfo(body)) return resolve(body);
          reject(new EngineCallError(errorOf(body) ?? unavailable(`${file.name}: HTTP ${request.status}`)));
        };
        request.send(file);
      }),
    exportUrl: (itemId, format) => `/api/export/${itemId}.${format}?${query}`,
  };
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The shape the rest of the renderer relies on; the engine validated the whole of it before sending. */
function isSourceInfo(body: unknown): body is VideoSourceInfo {
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

function errorOf(body: unknown): SerializedError | null {
  const error = (body as { error?: Partial<SerializedError> } | null)?.error;
  if (typeof error?.message !== 'string' || typeof error.name !== 'string') return null;
  return error as SerializedError;
}

function unavailable(message: string): SerializedError {
  return { name: 'EngineError', code: 'engine_unavailable', message };
}
