/**
 * The handlers behind the preload's `invoke` channels. Each one checks its sender first; Electron is
 * reached only through the injected `handle` (ipcMain.handle) and `dialogs`, so the tests drive the
 * same code with plain objects. Every file the open dialogs return is recorded in `picked`: those, and
 * only those, may come back on the upload channels as paths.
 */
import type { OpenDialogOptions, SaveDialogOptions } from 'electron';
import {
  openFolderOptions,
  openImageOptions,
  openVideoOptions,
  pickedPath,
  saveFileOptions,
} from './dialogs.js';
import { EngineError } from '../../engine/src/api/index.js';
import type { EngineState, InvokeChannel } from './ipc-channels.js';
import { checkIpc, ipcSenderOf, type IpcEventLike } from './ipc-policy.js';
import type { MediaEngine } from './media-protocol.js';
import type { PickedPaths } from './picked-paths.js';
import { createTransferHandlers } from './transfers.js';

export interface DialogApi {
  showOpen(options: OpenDialogOptions): Promise<{ canceled: boolean; filePaths: string[] }>;
  showSave(options: SaveDialogOptions): Promise<{ canceled: boolean; filePath?: string }>;
}

export interface IpcHandlerDeps {
  handle(
    channel: InvokeChannel,
    listener: (event: IpcEventLike, ...args: unknown[]) => Promise<unknown>,
  ): void;
  dialogs: DialogApi;
  /** The origin of the engine that is running now; null while it is not. */
  engineOrigin(): string | null;
  engineState(): EngineState;
  /** The running engine's origin and launch secret, for the uploads and exports main makes for the page. */
  engine(): MediaEngine | null;
  /** Node's fetch in main; a stand-in in the tests. */
  fetchEngine(url: string, init: RequestInit): Promise<Response>;
  /** Shared with main's menu, whose "Open image/video…" picks files too. */
  picked: PickedPaths;
  isStudioContents(sender: unknown): boolean;
  /** Where refusals are written; they mean a bug or an attack, so they are worth a line. */
  warn?(message: string): void;
}

type Handler = (...args: unknown[]) => Promise<unknown>;

export function registerIpcHandlers(deps: IpcHandlerDeps): void {
  const openPath = (options: OpenDialogOptions) => deps.dialogs.showOpen(options).then(pickedPath);
  // A folder to import is read by the engine through the protocol, not by main, so it is not recorded.
  const openFile = (options: OpenDialogOptions) => openPath(options).then((path) => deps.picked.grant(path));
  const handlers: Record<InvokeChannel, Handler> = {
    'dialog.openImage': () => openFile(openImageOptions()),
    'dialog.openVideo': () => openFile(openVideoOptions()),
    'dialog.openFolder': () => openPath(openFolderOptions()),
    'dialog.saveFile': async (request) => pickedPath(await deps.dialogs.showSave(saveFileOptions(request))),
    'engine.getState': async () => deps.engineState(),
    ...createTransferHandlers({
      engine: deps.engine,
      fetchEngine: deps.fetchEngine,
      picked: deps.picked,
      showSave: deps.dialogs.showSave,
    }),
  };
  for (const [channel, handler] of Object.entries(handlers) as [InvokeChannel, Handler][]) {
    deps.handle(channel, async (event, ...args) => {
      const verdict = checkIpc(channel, ipcSenderOf(event, deps.isStudioContents), deps.engineOrigin());
      if (!verdict.allowed) {
        (deps.warn ?? console.warn)(`IPC refused: ${verdict.reason}`);
        throw new Error(`IPC refused: ${verdict.reason}`);
      }
      // Each handler declares the arguments it parses; anything beyond them would go unchecked.
      if (args.length > handler.length)
        throw new EngineError('bad_request', `${channel}: takes at most ${handler.length} argument(s)`);
      return handler(...args);
    });
  }
}
