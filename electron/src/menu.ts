/**
 * The application menu as a template. Items whose work is in the page (the shortcut sheet, importing a
 * model, opening media) call the injected actions, which main turns into a dialog and a `menu.command`
 * event; the rest are Electron roles.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommandName } from '../../engine/src/api/index.js';

/** One action per command the page knows (engine/src/api/desktop-bridge.ts), so neither side has one more. */
export type MenuActions = Record<MenuCommandName, () => void>;

export interface MenuOptions {
  appName: string;
  platform: NodeJS.Platform;
  /** A packaged app has no dev tools item: users have no use for it, and it is one more way in. */
  isPackaged: boolean;
  actions: MenuActions;
}

export function buildMenuTemplate({
  appName,
  platform,
  isPackaged,
  actions,
}: MenuOptions): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const separator: MenuItemConstructorOptions = { type: 'separator' };
  // macOS keeps Quit (and About, Hide…) in the app menu; elsewhere it ends the File menu.
  const appMenu: MenuItemConstructorOptions[] = mac
    ? [
        {
          label: appName,
          submenu: [
            { role: 'about' },
            separator,
            { role: 'services' },
            separator,
            { role: 'hide' },
            { role: 'hideOthers' },
            { role: 'unhide' },
            separator,
            { role: 'quit' },
          ],
        },
      ]
    : [];
  return [
    ...appMenu,
    {
      label: 'File',
      submenu: [
        { label: 'Import model…', click: () => actions.importModel() },
        { label: 'Open image/video…', accelerator: 'CmdOrCtrl+O', click: () => actions.openMedia() },
        ...(mac ? [separator, { role: 'close' } as const] : [separator, { role: 'quit' } as const]),
      ],
    },
    {
      label: 'Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        separator,
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' },
      ],
    },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        { role: 'forceReload' },
        ...(isPackaged ? [] : [{ role: 'toggleDevTools' } as const]),
        separator,
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        separator,
        { role: 'togglefullscreen' },
      ],
    },
    {
      role: 'help',
      submenu: [
        // F1 rather than '?': the page already answers '?' itself, and a menu accelerator would swallow it.
        { label: 'Keyboard shortcuts', accelerator: 'F1', click: () => actions.showShortcuts() },
      ],
    },
  ];
}
