/**
 * Electron main: thin. It wires the engine supervisor, the window, IPC, the media protocol and the menu
 * together; every decision is made in a module that is tested without Electron.
 */
import { app, dialog, ipcMain, Menu, net, protocol } from 'electron';
import type { BrowserWindow, OpenDialogOptions, SaveDialogOptions } from 'electron';
import { openFolderOptions, openMediaOptions, pickedPath } from './dialogs.js';
import { forkEngine } from './engine-host.js';
import type { MenuCommand, MenuCommandName } from '../../engine/src/api/index.js';
import { describeEngineState, EngineSupervisor } from './engine-supervisor.js';
import type { EngineState, EventChannel } from './ipc-channels.js';
import { registerIpcHandlers } from './ipc-handlers.js';
import { createMediaHandler, MEDIA_SCHEME, MEDIA_SCHEME_PRIVILEGES } from './media-protocol.js';
import { buildMenuTemplate } from './menu.js';
import { PickedPaths } from './picked-paths.js';
import { createStudioWindow } from './windows.js';

// Privileged schemes must be registered before `ready`, or Chromium treats them as opaque.
protocol.registerSchemesAsPrivileged([MEDIA_SCHEME_PRIVILEGES]);

let window: BrowserWindow | undefined;
let everReady = false;
let quitting = false;

const supervisor = new EngineSupervisor({
  fork: forkEngine,
  onState: onEngineState,
  onStderr: (chunk) => process.stderr.write(chunk),
});
const engineOrigin = () => supervisor.endpoint?.origin ?? null;
/** Files the user opened through a native dialog: the only paths the page may ask main to upload. */
const picked = new PickedPaths();

/** The studio window while it exists; Electron throws on any call to a destroyed one. */
function liveWindow(): BrowserWindow | undefined {
  return window && !window.isDestroyed() ? window : undefined;
}

function onEngineState(state: EngineState): void {
  if (state.state === 'ready') {
    everReady = true;
    // Each start has a new port and secret, so the page is reloaded at the new URL; it shows its own
    // connection state while it reconnects, so a reload loses nothing the engine does not keep. The
    // old page is not told the new URL (it carries the new secret); the new page hears it once loaded.
    const current = liveWindow();
    if (!current) window = createStudioWindow(state.url, engineOrigin);
    else {
      current.setTitle('Emu3 Studio');
      void current.loadURL(state.url).then(
        () => send('engine.state', state),
        // Superseded by a newer load (another restart): that load tells the page instead.
        () => {},
      );
    }
    return;
  }
  send('engine.state', state);
  if (state.state === 'crashed' || state.state === 'starting') {
    // The page may be frozen on a dead connection; the title says what is happening meanwhile.
    if (state.state === 'crashed' || state.attempt > 1)
      liveWindow()?.setTitle(`Emu3 Studio: ${describeEngineState(state)}`);
  } else if (state.state === 'failed' && !quitting) {
    void reportFailure(state.reason);
  }
}

async function reportFailure(reason: string): Promise<void> {
  const current = liveWindow();
  if (!everReady || !current) {
    dialog.showErrorBox('Emu3 Studio could not start its engine', reason);
    return app.exit(1);
  }
  const { response } = await dialog.showMessageBox(current, {
    type: 'error',
    title: 'Emu3 Studio',
    message: 'The engine keeps stopping.',
    detail: reason,
    buttons: ['Restart the engine', 'Quit'],
    defaultId: 0,
    cancelId: 1,
  });
  if (response === 0) supervisor.start();
  else app.quit();
}

/** Tells the page something; the navigation policy keeps the window on the engine's pages. */
function send(channel: EventChannel, payload: EngineState | MenuCommand): void {
  liveWindow()?.webContents.send(channel, payload);
}

// Dialogs are modal to the window when there is one.
function showOpen(options: OpenDialogOptions) {
  const parent = liveWindow();
  return parent ? dialog.showOpenDialog(parent, options) : dialog.showOpenDialog(options);
}

function showSave(options: SaveDialogOptions) {
  const parent = liveWindow();
  return parent ? dialog.showSaveDialog(parent, options) : dialog.showSaveDialog(options);
}

/** A menu item that picks a path natively, then hands it to the page, which knows what to do with it. */
async function pickThenSend(
  options: OpenDialogOptions,
  command: Exclude<MenuCommandName, 'showShortcuts'>,
): Promise<void> {
  const path = pickedPath(await showOpen(options));
  if (path === null) return;
  // An opened file may come back on an upload channel; a model folder is read by the engine instead.
  if (command === 'openMedia') picked.grant(path);
  send('menu.command', { command, path });
}

function openStudio(): void {
  protocol.handle(
    MEDIA_SCHEME,
    createMediaHandler(
      () => supervisor.endpoint,
      (url, init) => net.fetch(url, init),
    ),
  );
  registerIpcHandlers({
    handle: (channel, listener) => ipcMain.handle(channel, listener),
    dialogs: { showOpen, showSave },
    engineOrigin,
    engineState: () => supervisor.state,
    engine: () => supervisor.endpoint,
    // Node's fetch, not net.fetch: it streams a picked file as the request body.
    fetchEngine: (url, init) => fetch(url, init),
    picked,
    isStudioContents: (sender) => sender === liveWindow()?.webContents,
  });
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      buildMenuTemplate({
        appName: app.name,
        platform: process.platform,
        isPackaged: app.isPackaged,
        actions: {
          importModel: () => void pickThenSend(openFolderOptions(), 'importModel'),
          openMedia: () => void pickThenSend(openMediaOptions(), 'openMedia'),
          showShortcuts: () => send('menu.command', { command: 'showShortcuts' }),
        },
      }),
    ),
  );
  supervisor.start();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const current = liveWindow();
    if (current?.isMinimized()) current.restore();
    current?.focus();
  });
  app.on('window-all-closed', () => app.quit());
  // A quit is not a crash: the supervisor is told first, so the engine's exit does not restart it.
  app.on('will-quit', () => {
    quitting = true;
    void supervisor.stop();
  });
  void app.whenReady().then(openStudio);
}
