/**
 * Native open and save dialogs, as plain option objects. The page only ever gets back a path the user
 * picked; all it may suggest is a file name for saving, and that is cut down to a bare name first.
 */
import type { OpenDialogOptions, SaveDialogOptions } from 'electron';
import { parseIpcArgument, SaveFileRequest } from './ipc-channels.js';

const IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'webp', 'gif'];
const VIDEO_EXTENSIONS = ['mp4', 'mov', 'webm', 'gif'];

/** What an export may be saved as, by extension; the filter keeps the user's choice of name honest. */
const SAVE_FILTERS: Record<string, { name: string; extensions: string[] }> = {
  png: { name: 'PNG image', extensions: ['png'] },
  jpg: { name: 'JPEG image', extensions: ['jpg', 'jpeg'] },
  jpeg: { name: 'JPEG image', extensions: ['jpg', 'jpeg'] },
  webp: { name: 'WebP image', extensions: ['webp'] },
  gif: { name: 'GIF animation', extensions: ['gif'] },
  mp4: { name: 'MP4 video', extensions: ['mp4'] },
  mov: { name: 'QuickTime video', extensions: ['mov'] },
  webm: { name: 'WebM video', extensions: ['webm'] },
  json: { name: 'JSON', extensions: ['json'] },
  jsonl: { name: 'JSON lines', extensions: ['jsonl'] },
};

const MAX_NAME_LENGTH = 200;

export function openImageOptions(): OpenDialogOptions {
  return {
    title: 'Open an image',
    properties: ['openFile'],
    filters: [{ name: 'Images', extensions: IMAGE_EXTENSIONS }],
  };
}

export function openVideoOptions(): OpenDialogOptions {
  return {
    title: 'Open a video',
    properties: ['openFile'],
    filters: [{ name: 'Videos', extensions: VIDEO_EXTENSIONS }],
  };
}

/** The File menu's "Open image/video…". */
export function openMediaOptions(): OpenDialogOptions {
  return {
    title: 'Open an image or video',
    properties: ['openFile'],
    filters: [
      { name: 'Images and videos', extensions: [...new Set([...IMAGE_EXTENSIONS, ...VIDEO_EXTENSIONS])] },
      { name: 'Images', extensions: IMAGE_EXTENSIONS },
      { name: 'Videos', extensions: VIDEO_EXTENSIONS },
    ],
  };
}

/** A checkpoint is a folder (safetensors, config.json, tokenizer files), so the dialog picks folders. */
export function openFolderOptions(): OpenDialogOptions {
  return { title: 'Import a model from a checkpoint folder', properties: ['openDirectory'] };
}

/** Throws the protocol's `bad_request` on anything but `{defaultName?: string}`: it comes from the page. */
export function saveFileOptions(request: unknown): SaveDialogOptions {
  const { defaultName } = parseIpcArgument('dialog.saveFile', SaveFileRequest, request) ?? {};
  const name = defaultName === undefined ? '' : bareFileName(defaultName);
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase();
  const filter = ext === undefined ? undefined : SAVE_FILTERS[ext];
  return {
    title: 'Export',
    ...(name ? { defaultPath: name } : {}),
    ...(filter ? { filters: [filter] } : {}),
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  };
}

/**
 * A suggested name without any folder: a page that suggests `../../.bashrc` or `/etc/x` gets `.bashrc`
 * or `x`, so the dialog opens where the user was, not where the page would like.
 */
export function bareFileName(name: string): string {
  const base = name.split(/[/\\]/).pop() ?? '';
  // Control characters and the characters Windows forbids in names.
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f<>:"|?*]/g, '').trim();
  if (clean === '.' || clean === '..') return '';
  return clean.slice(-MAX_NAME_LENGTH);
}

/** The one path the user picked, or null when they cancelled. */
export function pickedPath(result: {
  canceled: boolean;
  filePaths?: string[];
  filePath?: string;
}): string | null {
  if (result.canceled) return null;
  return result.filePath || result.filePaths?.[0] || null;
}
