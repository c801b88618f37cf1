/**
 * The contract between Electron main and the page: which channels exist and what travels on them.
 * The sandboxed preload cannot load this file at run time (it may only `require('electron')`), so it
 * restates the channel lists and a compile-time check there keeps the two lists equal.
 */

/** What the page may ask of main (`ipcRenderer.invoke`); every other channel is refused. */
export const INVOKE_CHANNELS = [
  'dialog.openImage',
  'dialog.openVideo',
  'dialog.openFolder',
  'dialog.saveFile',
  'engine.getState',
] as const;
export type InvokeChannel = (typeof INVOKE_CHANNELS)[number];

/** What main tells the page (`webContents.send`). */
export const EVENT_CHANNELS = ['engine.state', 'menu.command'] as const;
export type EventChannel = (typeof EVENT_CHANNELS)[number];

/** The engine process as main sees it; sent on `engine.state` whenever it changes. */
export type EngineState =
  | { state: 'starting'; attempt: number }
  | { state: 'ready'; url: string; origin: string }
  | { state: 'crashed'; code: number | null; restartInMs: number; detail: string }
  | { state: 'failed'; reason: string }
  | { state: 'stopped' };

/** Menu items whose work happens in the page; sent on `menu.command`. */
export type MenuCommand =
  | { command: 'importModel'; path: string }
  | { command: 'openMedia'; path: string }
  | { command: 'showShortcuts' };

/** The argument of `dialog.saveFile`: only a suggested file name, never a folder. */
export interface SaveFileRequest {
  defaultName?: string;
}
