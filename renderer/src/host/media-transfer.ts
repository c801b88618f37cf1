/**
 * Files between the page and the engine over HTTP, beside the protocol's socket: a video uploaded to be
 * extended (by the one upload client, engine-upload.ts) and exports to download
 * (`GET /api/export/<id>.<format>`, the secret in the query as for media).
 */
import { VIDEO_UPLOAD_PATH, type ExportFormat, type VideoSourceInfo } from '../../../engine/src/api/index.js';
import { isSourceInfo, postUpload, type UploadProgress } from './engine-upload.js';

export type { UploadProgress } from './engine-upload.js';

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
      postUpload(token, {
        path: VIDEO_UPLOAD_PATH,
        file,
        name: file.name,
        type: file.type,
        answers: isSourceInfo,
        ...(onProgress ? { onProgress } : {}),
      }),
    exportUrl: (itemId, format) => `/api/export/${itemId}.${format}?${query}`,
  };
}
