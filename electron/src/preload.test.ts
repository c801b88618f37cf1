import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { EVENT_CHANNELS, INVOKE_CHANNELS, type EngineState } from './ipc-channels.js';
import type { StudioDesktop } from './preload.cjs';

const SOURCE = readFileSync(new URL('./preload.cts', import.meta.url), 'utf8');

/**
 * Runs the real preload source the way Electron runs a sandboxed preload: as a CommonJS script whose
 * `require` offers 'electron' and nothing else (anything more would fail in the sandbox too). Electron
 * itself is a recording stand-in, since the real package cannot run outside Electron.
 */
function loadPreload() {
  const { outputText } = ts.transpileModule(SOURCE, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  });
  const exposed = new Map<string, unknown>();
  const invoked: { channel: string; args: unknown[] }[] = [];
  const ipcRenderer = Object.assign(new EventEmitter(), {
    invoke: async (channel: string, ...args: unknown[]) => {
      invoked.push({ channel, args });
      return `answer to ${channel}`;
    },
  });
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
    ipcRenderer,
  };
  const required: string[] = [];
  const module = { exports: {} };
  runInNewContext(outputText, {
    module,
    exports: module.exports,
    process: { platform: 'linux' },
    require: (name: string) => {
      required.push(name);
      if (name !== 'electron') throw new Error(`module not found: ${name}`);
      return electron;
    },
  });
  return { api: exposed.get('studioDesktop') as StudioDesktop, exposed, invoked, ipcRenderer, required };
}

describe('preload', () => {
  it("requires only 'electron' and exposes one object, studioDesktop", () => {
    const { exposed, required, api } = loadPreload();
    expect(required).toEqual(['electron']);
    expect([...exposed.keys()]).toEqual(['studioDesktop']);
    expect(Object.keys(api).sort()).toEqual([
      'engineState',
      'onEngineState',
      'onMenuCommand',
      'openFolder',
      'openImage',
      'openVideo',
      'platform',
      'saveExport',
      'saveFile',
      'shell',
      'uploadAsk',
      'uploadVideo',
    ]);
    expect(api).toMatchObject({ platform: 'linux', shell: 'electron' });
  });

  it('invokes exactly the allow-listed channels, passing the save request on', async () => {
    const { api, invoked } = loadPreload();
    expect(await api.openImage()).toBe('answer to dialog.openImage');
    await api.openVideo();
    await api.openFolder();
    await api.saveFile({ defaultName: 'cat.png' });
    await api.engineState();
    const bytes = { kind: 'bytes', name: 'a.png', type: 'image/png', bytes: new Uint8Array([1]) } as const;
    await api.uploadAsk(bytes);
    await api.uploadVideo({ kind: 'picked', path: '/home/a/clip.mp4' });
    await api.saveExport({ kind: 'video', itemId: 7, format: 'mp4' });
    expect(invoked).toEqual([
      { channel: 'dialog.openImage', args: [] },
      { channel: 'dialog.openVideo', args: [] },
      { channel: 'dialog.openFolder', args: [] },
      { channel: 'dialog.saveFile', args: [{ defaultName: 'cat.png' }] },
      { channel: 'engine.getState', args: [] },
      { channel: 'upload.ask', args: [bytes] },
      { channel: 'upload.video', args: [{ kind: 'picked', path: '/home/a/clip.mp4' }] },
      { channel: 'export.save', args: [{ kind: 'video', itemId: 7, format: 'mp4' }] },
    ]);
    expect(new Set(invoked.map((call) => call.channel))).toEqual(new Set(INVOKE_CHANNELS));
  });

  it('hands the page the payload only, and unsubscribes', () => {
    const { api, ipcRenderer } = loadPreload();
    const seen: unknown[][] = [];
    const stop = api.onEngineState((...args) => seen.push(args));
    api.onMenuCommand((...args) => seen.push(args));
    expect(ipcRenderer.eventNames().sort()).toEqual([...EVENT_CHANNELS].sort());

    const state: EngineState = { state: 'crashed', code: 3, restartInMs: 500, detail: 'exit code 3' };
    ipcRenderer.emit('engine.state', { sender: 'the IPC event, which must not reach the page' }, state);
    ipcRenderer.emit('menu.command', {}, { command: 'showShortcuts' });
    expect(seen).toEqual([[state], [{ command: 'showShortcuts' }]]);

    stop();
    ipcRenderer.emit('engine.state', {}, state);
    expect(seen).toHaveLength(2);
    expect(ipcRenderer.listenerCount('engine.state')).toBe(0);
  });
});
