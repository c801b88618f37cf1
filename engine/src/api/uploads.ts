/**
 * Files sent to the engine over HTTP (Ask's `/api/upload`, Extend's `/api/video-upload`): what a file may
 * be, by its name's extension and its `Content-Type`, and the kind of media that makes it. One table for
 * the engine, Electron's main process and the page, so the three never disagree about a file.
 */
import type { MediaKind } from './ask.js';

/** The file types the studio knows by extension: the `Content-Type` to send, and what kind of media it is. */
export const UPLOAD_FILE_TYPES: Readonly<Record<string, { type: string; kind: MediaKind }>> = {
  png: { type: 'image/png', kind: 'image' },
  jpg: { type: 'image/jpeg', kind: 'image' },
  jpeg: { type: 'image/jpeg', kind: 'image' },
  webp: { type: 'image/webp', kind: 'image' },
  gif: { type: 'image/gif', kind: 'image' },
  mp4: { type: 'video/mp4', kind: 'video' },
  m4v: { type: 'video/mp4', kind: 'video' },
  mov: { type: 'video/quicktime', kind: 'video' },
  webm: { type: 'video/webm', kind: 'video' },
};

/** What an upload is sent as when its name says nothing the table knows: for the engine to probe or refuse. */
export const OPAQUE_UPLOAD_TYPE = 'application/octet-stream';

/** The `Content-Type` for a file of this name; the engine checks the bytes again on arrival. */
export function uploadTypeOfName(name: string): string {
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase() ?? '';
  return UPLOAD_FILE_TYPES[ext]?.type ?? OPAQUE_UPLOAD_TYPE;
}

/** The kind of media a declared `Content-Type` is, or null for a type the table does not know. */
export function uploadKindOfType(type: string): MediaKind | null {
  const known = type.split(';')[0]!.trim().toLowerCase();
  return Object.values(UPLOAD_FILE_TYPES).find((entry) => entry.type === known)?.kind ?? null;
}
