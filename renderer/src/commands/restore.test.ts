import { describe, expect, it } from 'vitest';
import type { AskUpload, RecordSummary } from '../../../engine/src/api/index.js';
import { EngineCallError, type EngineClient } from '../host/engine-client.js';
import type { Studio } from '../host/studio.js';
import { EMPTY_FORM } from '../state/generate/form.js';
import { createStudioStore } from '../state/store.js';
import { isPngFile, restoreSettingsFromFile } from './restore.js';

const record: RecordSummary = {
  format: 'emu3-studio-record',
  version: 1,
  mode: 'video',
  engineVersion: '0.1.0',
  createdAt: '2026-01-01T00:00:00.000Z',
  model: { id: 'a'.repeat(64), precision: 'fp32' },
  prompt: 'a red circle moving right',
  negativePrompt: 'blurry',
  ratio: '4:3',
  area: 128 * 128,
  grid: { height: 16, width: 16, frames: 3, fps: 4 },
  sampling: { guidance: 2.5, temperature: 0.9, topK: 100, topP: 0.95, greedy: false },
  maxNewTokens: 900,
  seed: 1234,
  provider: 'cpu',
  promptTokens: 20,
  outputTokens: 800,
};

const SHA = 'b'.repeat(64);

/** A studio whose engine keeps every upload and answers `library.readRecord` with `answer`. */
function fakeStudio(answer: () => Promise<unknown>) {
  const calls: { method: string; params: unknown }[] = [];
  const uploads: string[] = [];
  const client = {
    upload: async (_file: Blob, name: string): Promise<AskUpload> => {
      uploads.push(name);
      return {
        sha256: SHA,
        media: { sha256: SHA, ext: 'png' },
        mediaKind: 'image',
        name,
        bytes: 3,
        addedAt: '',
      };
    },
    call: (method: string, params: unknown) => {
      calls.push({ method, params });
      return answer();
    },
  } as unknown as EngineClient;
  const store = createStudioStore();
  store.getState().showScreen('gallery');
  const studio: Studio = { client, store };
  return { studio, calls, uploads, state: () => store.getState() };
}

const png = (name = 'emu3-3-1234.png', type = 'image/png') =>
  new File([new Uint8Array([1, 2, 3])], name, { type });

describe('restoring settings from a PNG', () => {
  it('tells PNGs by type, or by name when the browser gave none', () => {
    expect(isPngFile({ name: 'a.png', type: 'image/png' })).toBe(true);
    expect(isPngFile({ name: 'A.PNG', type: '' })).toBe(true);
    expect(isPngFile({ name: 'a.png', type: 'image/jpeg' })).toBe(false);
    expect(isPngFile({ name: 'a.jpg', type: '' })).toBe(false);
  });

  it('fills the Generate form with the record the engine read, seed locked, and shows Generate', async () => {
    const { studio, calls, uploads, state } = fakeStudio(async () => ({ name: 'emu3-3-1234.png', record }));
    await restoreSettingsFromFile(studio, png());
    expect(uploads).toEqual(['emu3-3-1234.png']);
    expect(calls).toEqual([{ method: 'library.readRecord', params: { upload: SHA } }]);
    expect(state().screen).toBe('generate');
    expect(state().form).toEqual({
      ...EMPTY_FORM,
      prompt: 'a red circle moving right',
      negativePrompt: 'blurry',
      ratio: '4:3',
      size: '128',
      guidance: '2.5',
      temperature: '0.9',
      topK: '100',
      topP: '0.95',
      seed: '1234',
      seedLocked: true,
      mode: 'video',
      frames: '3',
      fps: '4',
    });
    expect(state().toasts.map((t) => [t.tone, t.message])).toEqual([
      [
        'info',
        'Settings restored from emu3-3-1234.png: video “a red circle moving right”, seed 1234 locked.',
      ],
    ]);
  });

  it('refuses a file that is not a PNG without sending it, in one line naming it', async () => {
    const { studio, calls, uploads, state } = fakeStudio(async () => ({ name: 'x', record }));
    await restoreSettingsFromFile(studio, png('photo.jpg', 'image/jpeg'));
    expect(uploads).toEqual([]);
    expect(calls).toEqual([]);
    expect(state().toasts.map((t) => [t.tone, t.message])).toEqual([
      [
        'error',
        'Restore settings: photo.jpg: image/jpeg is not a PNG; only PNGs saved by Emu3 Studio carry settings.',
      ],
    ]);
    expect(state().form).toEqual(EMPTY_FORM);
    expect(state().screen).toBe('gallery');
  });

  it('shows the engine’s refusal and changes nothing; a lost connection still names the file', async () => {
    const refusal = new EngineCallError({
      name: 'EngineError',
      code: 'invalid_file',
      message: 'plain.png: this PNG holds no Emu3 Studio settings (only PNGs the studio saved carry them)',
    });
    const { studio, state } = fakeStudio(() => Promise.reject(refusal));
    await restoreSettingsFromFile(studio, png('plain.png'));
    const lost = new EngineCallError({
      name: 'EngineError',
      code: 'engine_unavailable',
      message: 'the connection to the engine was lost',
    });
    const other = fakeStudio(() => Promise.reject(lost));
    await restoreSettingsFromFile(other.studio, png('plain.png'));

    expect([...state().toasts, ...other.state().toasts].map((t) => [t.tone, t.message])).toEqual([
      [
        'error',
        'Restore settings: plain.png: this PNG holds no Emu3 Studio settings (only PNGs the studio saved carry them)',
      ],
      ['error', 'Restore settings: plain.png: the connection to the engine was lost'],
    ]);
    expect(state().form).toEqual(EMPTY_FORM);
    expect(state().screen).toBe('gallery');
  });
});
