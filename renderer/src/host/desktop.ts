/**
 * The desktop shell's bridge (`window.studioDesktop`, from electron/src/preload.cts) as far as the page uses
 * it; absent in a browser. The renderer may not import from electron/, so the part used is restated here and
 * every member is checked before it is called.
 */

import type { AskUpload, SerializedError, VideoSourceInfo } from '../../../engine/src/api/index.js';
import { EngineCallError } from './engine-client.js';

export type MenuCommand =
  | { command: 'importModel'; path: string }
  | { command: 'openMedia'; path: string }
  | { command: 'showShortcuts' };

/** How main answers an upload: the value, or the protocol's error as a value (IPC keeps only messages). */
type TransferResult<T> = { ok: true; value: T } | { ok: false; error: SerializedError };
type PickedUpload<T> = (request: { kind: 'picked'; path: string }) => Promise<TransferResult<T>>;

interface DesktopBridge {
  openFolder?: () => Promise<string | null>;
  dialog?: { openFolder?: () => Promise<string | null> };
  onMenuCommand?: (callback: (command: MenuCommand) => void) => () => void;
  uploadAsk?: PickedUpload<AskUpload>;
  uploadVideo?: PickedUpload<VideoSourceInfo>;
}

function bridge(): DesktopBridge | null {
  const value = (globalThis as { studioDesktop?: unknown }).studioDesktop;
  return typeof value === 'object' && value !== null ? (value as DesktopBridge) : null;
}

/** The native folder picker, where there is one (Electron); null in a browser. */
export function folderPicker(): (() => Promise<string | null>) | null {
  const desktop = bridge();
  const open = desktop?.openFolder ?? desktop?.dialog?.openFolder;
  return typeof open === 'function' ? open : null;
}

/** Listens to the desktop menu's commands; a no-op in a browser. */
export function onMenuCommand(callback: (command: MenuCommand) => void): () => void {
  const subscribe = bridge()?.onMenuCommand;
  return typeof subscribe === 'function' ? subscribe(callback) : () => {};
}

/** Files main's own open dialog returned, sent by main to the engine's upload routes; rejects with the error. */
export interface PickedUploads {
  ask(path: string): Promise<AskUpload>;
  video(path: string): Promise<VideoSourceInfo>;
}

/** Uploads of picked paths, where there is a desktop shell; null in a browser. */
export function pickedUploads(): PickedUploads | null {
  const desktop = bridge();
  const ask = desktop?.uploadAsk;
  const video = desktop?.uploadVideo;
  if (typeof ask !== 'function' || typeof video !== 'function') return null;
  return {
    ask: async (path) => valueOf(await ask({ kind: 'picked', path })),
    video: async (path) => valueOf(await video({ kind: 'picked', path })),
  };
}

function valueOf<T>(result: TransferResult<T>): T {
  if (result.ok) return result.value;
  throw new EngineCallError(result.error);
}
