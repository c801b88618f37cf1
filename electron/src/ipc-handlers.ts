/**
 * The handlers behind the preload's `invoke` channels. Each one checks its sender first; Electron is
 * reached only through the injected `handle` (ipcMain.handle) and `dialogs`, so the tests drive the
 * same code with plain objects.
 */
import type { OpenDialogOptions, SaveDialogOptions } from 'electron';
import {
  openFolderOptions,
  openImageOptions,
  openVideoOptions,
  pickedPath,
  saveFileOptions,
} from './dialogs.js';
import type { EngineState, InvokeChannel } from './ipc-channels.js';
import { checkIpc, ipcSenderOf, type IpcEventLike } from './ipc-policy.js';

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
  isStudioContents(sender: unknown): boolean;
  /** Where refusals are written; they mean a bug or an attack, so they are worth a line. */
  warn?(message: string): void;
}

type Handler = (...args: unknown[]) => Promise<unknown>;

export function registerIpcHandlers(deps: IpcHandlerDeps): void {
  const openPath = (options: OpenDialogOptions) => deps.dialogs.showOpen(options).then(pickedPath);
  const handlers: Record<InvokeChannel, Handler> = {
    'dialog.openImage': () => openPath(openImageOptions()),
    'dialog.openVideo': () => openPath(openVideoOptions()),
    'dialog.openFolder': () => openPath(openFolderOptions()),
    'dialog.saveFile': async (request) => pickedPath(await deps.dialogs.showSave(saveFileOptions(request))),
    'engine.getState': async () => deps.engineState(),
  };
  for (const [channel, handler] of Object.entries(handlers) as [InvokeChannel, Handler][]) {
    deps.handle(channel, async (event, ...args) => {
      const verdict = checkIpc(channel, ipcSenderOf(event, deps.isStudioContents), deps.engineOrigin());
      if (!verdict.allowed) {
        (deps.warn ?? console.warn)(`IPC refused: ${verdict.reason}`);
        throw new Error(`IPC refused: ${verdict.reason}`);
      }
      return handler(...args);
    });
  }
}
