/**
 * The desktop shell's bridge (`window.studioDesktop`, from electron/src/preload.cts) as far as the page uses
 * it; absent in a browser. Its shape is engine/src/api/desktop-bridge.ts, which the preload satisfies; every
 * member is still checked before it is called, and each menu command is parsed before it is acted on.
 */

import {
  MenuCommand,
  type AskUpload,
  type DesktopBridge,
  type TransferResult,
  type VideoSourceInfo,
} from '../../../engine/src/api/index.js';
import { EngineCallError } from './engine-client.js';

/** What may be there: a bridge from an older shell may lack members, and tests stub only what they use. */
type BridgeAsFound = Partial<DesktopBridge> & { dialog?: { openFolder?: () => Promise<string | null> } };

function bridge(): BridgeAsFound | null {
  const value = (globalThis as { studioDesktop?: unknown }).studioDesktop;
  return typeof value === 'object' && value !== null ? (value as BridgeAsFound) : null;
}

/** The native folder picker, where there is one (Electron); null in a browser. */
export function folderPicker(): (() => Promise<string | null>) | null {
  const desktop = bridge();
  const open = desktop?.openFolder ?? desktop?.dialog?.openFolder;
  return typeof open === 'function' ? open : null;
}

/** Listens to the desktop menu's commands; a no-op in a browser. A command the page does not know is dropped. */
export function onMenuCommand(callback: (command: MenuCommand) => void): () => void {
  const subscribe = bridge()?.onMenuCommand;
  if (typeof subscribe !== 'function') return () => {};
  return subscribe((command) => {
    const parsed = MenuCommand.safeParse(command);
    if (parsed.success) callback(parsed.data);
    else console.warn(`menu.command: not a command this page knows: ${JSON.stringify(command)}`);
  });
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
