/**
 * The preload bridge: what the page may ask of the desktop shell, one method a channel. Sandboxed preloads
 * must be CommonJS, hence `.cts`, and may `require` only 'electron', so the channel lists of ipc-channels.ts
 * are not loaded here: they are its types, and a channel that is not in them is a build error here. What
 * the page uses of the bridge must satisfy engine/src/api/desktop-bridge.ts, which the page reads it by.
 */
// A sandboxed preload is CommonJS, so require is the only way in.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import electron = require('electron');
import type { DesktopBridge, MenuCommand, TransferResults } from '../../engine/src/api/index.js';
import type {
  EngineState,
  EventChannel,
  ExportRequest,
  InvokeChannel,
  SaveFileRequest,
  UploadRequest,
} from './ipc-channels.js';

type Assert<T extends true> = T;

/** The part of `ipcRenderer` the bridge uses. */
export type IpcRendererLike = Pick<Electron.IpcRenderer, 'invoke' | 'on' | 'removeListener'>;

/** The API the page sees as `window.studioDesktop`. */
function createStudioDesktop(ipc: IpcRendererLike, platform: NodeJS.Platform) {
  // Channels are typed, not listed: the preload cannot load the lists, and every call below names its
  // channel, so one that main does not have fails the build (main refuses it at run time as well).
  function invoke<T>(channel: InvokeChannel, ...args: unknown[]): Promise<T> {
    return ipc.invoke(channel, ...args) as Promise<T>;
  }

  /** Subscribes the page to one event; returns the way to unsubscribe. */
  function subscribe<T>(channel: EventChannel, callback: (payload: T) => void): () => void {
    // The page gets the payload alone, never Electron's event object: its `sender` is a way back into IPC.
    const listener = (_event: unknown, payload: T) => callback(payload);
    ipc.on(channel, listener);
    return () => void ipc.removeListener(channel, listener);
  }

  return {
    platform,
    shell: 'electron' as const,
    /** Native dialogs; each resolves to the path the user picked, or null when they cancelled. */
    openImage: () => invoke<string | null>('dialog.openImage'),
    openVideo: () => invoke<string | null>('dialog.openVideo'),
    /** A checkpoint folder to import. */
    openFolder: () => invoke<string | null>('dialog.openFolder'),
    saveFile: (request: SaveFileRequest = {}) => invoke<string | null>('dialog.saveFile', request),
    engineState: () => invoke<EngineState>('engine.getState'),
    /**
     * Files to the engine, as the web host's upload routes take them: the bytes of a dropped or chosen
     * file, or `{kind: 'picked', path}` for a path that openImage/openVideo (or the menu) returned.
     */
    uploadAsk: (request: UploadRequest) => invoke<TransferResults['upload.ask']>('upload.ask', request),
    uploadVideo: (request: UploadRequest) => invoke<TransferResults['upload.video']>('upload.video', request),
    /** Asks where in a native save dialog, then writes the export there; `value` is null when cancelled. */
    saveExport: (request: ExportRequest) => invoke<TransferResults['export.save']>('export.save', request),
    /** The engine starting, ready, crashed and restarting, or failed for good. */
    onEngineState: (callback: (state: EngineState) => void) => subscribe('engine.state', callback),
    /** Menu items whose work happens in the page (import a model, open media, show the shortcuts). */
    onMenuCommand: (callback: (command: MenuCommand) => void) => subscribe('menu.command', callback),
  };
}

export type StudioDesktop = ReturnType<typeof createStudioDesktop>;
/** Compile-time only: `false` (a build error) when the bridge no longer offers what the page reads it by. */
export type BridgeFitsThePage = Assert<StudioDesktop extends DesktopBridge ? true : false>;

electron.contextBridge.exposeInMainWorld(
  'studioDesktop',
  createStudioDesktop(electron.ipcRenderer, process.platform),
);
