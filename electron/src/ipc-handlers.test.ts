import type { OpenDialogOptions, SaveDialogOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { bareFileName, saveFileOptions } from './dialogs.js';
import { INVOKE_CHANNELS, type EngineState } from './ipc-channels.js';
import { registerIpcHandlers } from './ipc-handlers.js';
import type { IpcEventLike } from './ipc-policy.js';
import { PickedPaths } from './picked-paths.js';

const ENGINE = 'http://127.0.0.1:4321';
const studio = { id: 'studio' };

/** The handlers as ipcMain would hold them, with dialogs that answer as a user would. */
function setup(answers: { open?: string[]; save?: string } = {}) {
  const picked = new PickedPaths();
  const fetched: string[] = [];
  const handlers = new Map<string, (event: IpcEventLike, ...args: unknown[]) => Promise<unknown>>();
  const shown: (OpenDialogOptions | SaveDialogOptions)[] = [];
  const warnings: string[] = [];
  let origin: string | null = ENGINE;
  const state: EngineState = { state: 'ready', url: `${ENGINE}/#token=x`, origin: ENGINE };
  registerIpcHandlers({
    handle: (channel, listener) => void handlers.set(channel, listener),
    dialogs: {
      showOpen: async (options) => {
        shown.push(options);
        return answers.open
          ? { canceled: false, filePaths: answers.open }
          : { canceled: true, filePaths: [] };
      },
      showSave: async (options) => {
        shown.push(options);
        return answers.save ? { canceled: false, filePath: answers.save } : { canceled: true };
      },
    },
    engineOrigin: () => origin,
    engineState: () => state,
    engine: () => (origin === null ? null : { origin, secret: 's3cret' }),
    // The transfers' own tests use a real HTTP server; here only what reaches the engine matters.
    fetchEngine: async (url) => {
      fetched.push(url);
      return Response.json(
        { error: { name: 'EngineError', code: 'not_found', message: 'no item 7' } },
        {
          status: 404,
        },
      );
    },
    picked,
    isStudioContents: (sender) => sender === studio,
    warn: (message) => warnings.push(message),
  });
  const fromPage = (url = `${ENGINE}/`): IpcEventLike => ({
    sender: studio,
    senderFrame: { url, parent: null },
  });
  const invoke = (channel: string, event: IpcEventLike, ...args: unknown[]) => {
    const handler = handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler(event, ...args);
  };
  return {
    handlers,
    picked,
    fetched,
    shown,
    warnings,
    fromPage,
    invoke,
    setOrigin: (value: string | null) => (origin = value),
  };
}

describe('registerIpcHandlers', () => {
  it('registers exactly the allow-listed channels', () => {
    expect([...setup().handlers.keys()].sort()).toEqual([...INVOKE_CHANNELS].sort());
  });

  it('returns the picked path for each open dialog, and null when cancelled', async () => {
    const { invoke, fromPage, shown } = setup({ open: ['/home/a/cat.png', '/home/a/dog.png'] });
    expect(await invoke('dialog.openImage', fromPage())).toBe('/home/a/cat.png');
    expect(await invoke('dialog.openVideo', fromPage())).toBe('/home/a/cat.png');
    expect(await invoke('dialog.openFolder', fromPage())).toBe('/home/a/cat.png');
    expect(shown.map((options) => (options as OpenDialogOptions).properties)).toEqual([
      ['openFile'],
      ['openFile'],
      ['openDirectory'],
    ]);
    expect(await setup().invoke('dialog.openImage', fromPage())).toBeNull();
  });

  it('saves under a bare suggested name, with a filter for its type', async () => {
    const { invoke, fromPage, shown } = setup({ save: '/home/a/out.png' });
    expect(await invoke('dialog.saveFile', fromPage(), { defaultName: '../../evil/cat.png' })).toBe(
      '/home/a/out.png',
    );
    expect(shown[0]).toMatchObject({ defaultPath: 'cat.png', filters: [{ extensions: ['png'] }] });
  });

  it('refuses a bad save argument', async () => {
    const { invoke, fromPage, shown } = setup({ save: '/x' });
    await expect(invoke('dialog.saveFile', fromPage(), { defaultName: 42 })).rejects.toThrow(
      /^dialog\.saveFile: defaultName: .*expected string/,
    );
    await expect(invoke('dialog.saveFile', fromPage(), 'name.png')).rejects.toMatchObject({
      name: 'EngineError',
      code: 'bad_request',
    });
    await expect(
      invoke('dialog.saveFile', fromPage(), { defaultName: 'a.png', folder: '/etc' }),
    ).rejects.toThrow(/folder/);
    expect(shown).toHaveLength(0);
  });

  it('refuses other origins, subframes and stray senders without showing a dialog', async () => {
    const { invoke, fromPage, shown, warnings } = setup({ open: ['/x'] });
    await expect(invoke('dialog.openImage', fromPage('https://example.com/'))).rejects.toThrow(
      "IPC refused: dialog.openImage: the sender's origin https://example.com is not the engine's",
    );
    const subframe = { sender: studio, senderFrame: { url: `${ENGINE}/`, parent: {} } };
    await expect(invoke('dialog.openFolder', subframe)).rejects.toThrow(/not the main frame/);
    const stray = { sender: {}, senderFrame: { url: `${ENGINE}/`, parent: null } };
    await expect(invoke('dialog.openVideo', stray)).rejects.toThrow(/not the studio window/);
    expect(shown).toHaveLength(0);
    expect(warnings).toHaveLength(3);
  });

  it('refuses the old page while the engine restarts, and answers the new one', async () => {
    const { invoke, fromPage, setOrigin } = setup();
    setOrigin(null);
    await expect(invoke('engine.getState', fromPage())).rejects.toThrow(/the engine is not running/);
    setOrigin('http://127.0.0.1:5555');
    await expect(invoke('engine.getState', fromPage())).rejects.toThrow(/not the engine's/);
    expect(await invoke('engine.getState', fromPage('http://127.0.0.1:5555/'))).toMatchObject({
      state: 'ready',
    });
  });
});

describe('the transfer channels behind the sender check', () => {
  const request = { kind: 'video', itemId: 7, format: 'mp4' };

  it('records the files the open dialogs return, and only those, as uploadable', async () => {
    const { invoke, fromPage, picked } = setup({ open: ['/home/a/cat.png'] });
    expect(picked.has('/home/a/cat.png')).toBe(false);
    await invoke('dialog.openImage', fromPage());
    expect(picked.has('/home/a/cat.png')).toBe(true);
    const folders = setup({ open: ['/home/a/checkpoint'] });
    await folders.invoke('dialog.openFolder', folders.fromPage());
    expect(folders.picked.has('/home/a/checkpoint')).toBe(false);
  });

  it('refuses a path the user did not pick before reading anything', async () => {
    const { invoke, fromPage, fetched } = setup();
    await expect(
      invoke('upload.ask', fromPage(), { kind: 'picked', path: '/etc/passwd' }),
    ).rejects.toMatchObject({
      name: 'EngineError',
      code: 'unauthorized',
    });
    expect(fetched).toEqual([]);
  });

  it('refuses stray senders and other origins without a dialog or a request', async () => {
    const { invoke, fromPage, shown, fetched, warnings } = setup({ save: '/home/a/out.mp4' });
    const stray = { sender: {}, senderFrame: { url: `${ENGINE}/`, parent: null } };
    await expect(invoke('export.save', stray, request)).rejects.toThrow(/not the studio window/);
    const bytes = { kind: 'bytes', name: 'a.png', type: 'image/png', bytes: new Uint8Array([1]) };
    await expect(invoke('upload.ask', fromPage('https://example.com/'), bytes)).rejects.toThrow(
      /upload\.ask: the sender's origin https:\/\/example\.com is not the engine's/,
    );
    await expect(
      invoke('upload.video', { ...stray, sender: studio, senderFrame: null }, bytes),
    ).rejects.toThrow(/not the main frame/);
    expect(shown).toEqual([]);
    expect(fetched).toEqual([]);
    expect(warnings).toHaveLength(3);
  });

  it('refuses arguments beyond those a channel parses', async () => {
    const { invoke, fromPage, shown } = setup({ open: ['/x'], save: '/y' });
    await expect(invoke('dialog.openImage', fromPage(), '/etc/passwd')).rejects.toThrow(
      'dialog.openImage: takes at most 0 argument(s)',
    );
    await expect(invoke('export.save', fromPage(), request, '/etc/passwd')).rejects.toMatchObject({
      code: 'bad_request',
    });
    expect(shown).toEqual([]);
  });

  it("answers the engine's named error as a value, after the save dialog", async () => {
    const { invoke, fromPage, fetched } = setup({ save: '/home/a/out.mp4' });
    expect(await invoke('export.save', fromPage(), request)).toEqual({
      ok: false,
      error: { name: 'EngineError', code: 'not_found', message: 'no item 7' },
    });
    expect(fetched).toEqual([`${ENGINE}/api/export/7.mp4`]);
  });
});

describe('saveFileOptions and bareFileName', () => {
  it('drops folders, both kinds of separator, and names that only climb', () => {
    expect(bareFileName('/etc/passwd')).toBe('passwd');
    expect(bareFileName('..\\..\\Windows\\win.ini')).toBe('win.ini');
    expect(bareFileName('..')).toBe('');
    expect(bareFileName('a<b>:c?.png')).toBe('abc.png');
    expect(bareFileName(`${'x'.repeat(300)}.png`)).toHaveLength(200);
  });

  it('leaves out the default path and filter when there is nothing to suggest', () => {
    expect(saveFileOptions(undefined)).toEqual({
      title: 'Export',
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    });
    expect(saveFileOptions({ defaultName: 'votes.exe' })).not.toHaveProperty('filters');
  });
});
