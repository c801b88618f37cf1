/**
 * The studio window, locked to the engine's own origin. The decisions live in navigation-policy.ts;
 * this file only hangs them on Electron's events. The origin is read on every event because it
 * changes each time the engine restarts.
 */
import { BrowserWindow, shell } from 'electron';
import { fileURLToPath } from 'node:url';
import { withDesktopCsp } from './content-security.js';
import { saveFileOptions } from './dialogs.js';
import { decideDownload, decideNavigation, decidePermission, decideWindowOpen } from './navigation-policy.js';

const PRELOAD = fileURLToPath(new URL('./preload.cjs', import.meta.url));

export function createStudioWindow(url: string, engineOrigin: () => string | null): BrowserWindow {
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
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      webviewTag: false,
      // A file dropped outside the page's drop zone would otherwise navigate the window to file://.
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  const contents = window.webContents;

  // Every frame's navigations and redirects; only the main frame may send an https link to the browser.
  const guard = (event: Electron.Event, target: string, isMainFrame: boolean) => {
    const decision = decideNavigation(target, engineOrigin());
    if (decision === 'allow') return;
    event.preventDefault();
    if (decision === 'open-external' && isMainFrame) void shell.openExternal(target);
  };
  contents.on('will-frame-navigate', (event) => guard(event, event.url, event.isMainFrame));
  contents.on('will-redirect', (event) => guard(event, event.url, event.isMainFrame));
  contents.setWindowOpenHandler(({ url: target }) => {
    if (decideWindowOpen(target) === 'open-external') void shell.openExternal(target);
    return { action: 'deny' };
  });
  // webviewTag is off already; this refuses one even if a later change turned it on.
  contents.on('will-attach-webview', (event) => event.preventDefault());

  const session = contents.session;
  session.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(decidePermission(permission, details.requestingUrl, engineOrigin())),
  );
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
    decidePermission(permission, requestingOrigin, engineOrigin()),
  );

  // The desktop policy rides beside the engine's CSP on every page, bounding what the page may load.
  session.webRequest.onHeadersReceived((details, callback) =>
    callback({ responseHeaders: withDesktopCsp(details.url, details.responseHeaders) }),
  );
  // An export link: Electron asks where to save it in a native dialog (no save path is set here), with
  // the engine's suggested name cut down to a bare one and a filter for its type.
  session.on('will-download', (event, item) => {
    if (decideDownload(item.getURL(), engineOrigin()) === 'deny') return event.preventDefault();
    item.setSaveDialogOptions(saveFileOptions({ defaultName: item.getFilename().slice(-200) }));
  });

  void window.loadURL(url);
  return window;
}
