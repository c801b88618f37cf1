/**
 * What crosses the desktop bridge (`window.studioDesktop`) between Electron's main process and the page:
 * the menu's commands and how transfers answer. Electron (main and preload) and the renderer both import
 * this file, so neither side restates the other's shapes.
 */
import { z } from 'zod';
import type { AskUpload } from './ask.js';
import type { SerializedError } from './errors.js';
import type { VideoSourceInfo } from './video.js';

/** Menu items whose work happens in the page; main sends them on `menu.command`. */
export const MenuCommand = z.discriminatedUnion('command', [
  /** "Import model…": the checkpoint folder picked in main's dialog. */
  z.strictObject({ command: z.literal('importModel'), path: z.string().min(1) }),
  /** "Open image/video…": a file picked in main's dialog, which main may then upload for the page. */
  z.strictObject({ command: z.literal('openMedia'), path: z.string().min(1) }),
  z.strictObject({ command: z.literal('showShortcuts') }),
]);
export type MenuCommand = z.infer<typeof MenuCommand>;
export type MenuCommandName = MenuCommand['command'];

/**
 * How the transfer channels answer. Electron passes only the message of an error thrown by a handler, so a
 * failure the user can act on (a file too large, the engine gone) is answered as a value instead: the
 * protocol's serialized error, with its name and code, for the page to rebuild.
 */
export type TransferResult<T> = { ok: true; value: T } | { ok: false; error: SerializedError };

/** What each transfer channel resolves to; an export is null when the user cancelled the dialog. */
export interface TransferResults {
  'upload.ask': TransferResult<AskUpload>;
  'upload.video': TransferResult<VideoSourceInfo>;
  'export.save': TransferResult<{ path: string } | null>;
}

/** An upload of a path that one of main's open dialogs (or the menu) returned; main reads the file. */
export interface PickedUploadRequest {
  kind: 'picked';
  path: string;
}

/**
 * The members of `window.studioDesktop` the page uses. The preload's bridge must satisfy it (checked where
 * it is built); the page checks each member before calling it, since a browser has no bridge at all.
 */
export interface DesktopBridge {
  /** A checkpoint folder to import; null when the user cancelled. */
  openFolder(): Promise<string | null>;
  /** Subscribes to the menu's commands; returns the way to unsubscribe. */
  onMenuCommand(callback: (command: MenuCommand) => void): () => void;
  uploadAsk(request: PickedUploadRequest): Promise<TransferResults['upload.ask']>;
  uploadVideo(request: PickedUploadRequest): Promise<TransferResults['upload.video']>;
}
