/**
 * The desktop shell's bridge (`window.studioDesktop`, from electron/src/preload.cts) as far as the page uses
 * it; absent in a browser. The renderer may not import from electron/, so the part used is restated here and
 * every member is checked before it is called.
 */

export type MenuCommand =
  | { command: 'importModel'; path: string }
  | { command: 'openMedia'; path: string }
  | { command: 'showShortcuts' };

interface DesktopBridge {
  openFolder?: () => Promise<string | null>;
  dialog?: { openFolder?: () => Promise<string | null> };
  onMenuCommand?: (callback: (command: MenuCommand) => void) => () => void;
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
