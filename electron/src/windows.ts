/** The studio window, locked to the engine's own origin. */
import { BrowserWindow, shell } from 'electron';
import { fileURLToPath } from 'node:url';

const PRELOAD = fileURLToPath(new URL('./preload.cjs', import.meta.url));

export function createStudioWindow(url: string, origin: string): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 800,
    minHeight: 560,
    backgroundColor: '#111318',
    title: 'Emu3 Studio',
    show: false,
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  // No navigation away from the studio, and no new windows; https links open in the user's browser.
  window.webContents.on('will-navigate', (event, target) => {
    if (new URL(target).origin !== origin) event.preventDefault();
  });
  window.webContents.setWindowOpenHandler(({ url: target }) => {
    if (target.startsWith('https://')) void shell.openExternal(target);
    return { action: 'deny' };
  });
  void window.loadURL(url);
  return window;
}
