/** Settings through the engine service: defaults, what runs, saved across a restart, the library's location. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importModel } from '../model/import-model.js';
import { TINY } from '../model/reference-fixtures.js';
import { LOCATION_FILE } from '../library/library-location.js';
import { createEngineService, type EngineService } from './engine-service.js';

describe('settings', () => {
  let dir: string;
  let modelId: string;
  const open = (libraryDir?: string): EngineService =>
    createEngineService({
      modelsDir: join(dir, 'models'),
      home: dir,
      ...(libraryDir ? { libraryDir } : {}),
      provider: 'auto',
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'emu3-settings-'));
    modelId = (await importModel(TINY.hf, { modelsDir: join(dir, 'models') })).manifest.id;
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts from the engine options and reports what the active model runs on', async () => {
    const engine = open();
    try {
      const before = await engine.handle('settings.get', {});
      expect(before).toMatchObject({
        settings: { provider: 'auto', threads: 0 },
        runtime: { provider: null, fallbacks: [], error: null },
        library: { dir, modelsDir: join(dir, 'models'), pendingDir: null },
      });
      expect(before.cpuCount).toBeGreaterThan(0);
      await engine.handle('models.activate', { id: modelId });
      const after = await engine.handle('settings.get', {});
      // Auto ends on the CPU at the latest, and says why each provider before the one used could not start.
      const order = ['cuda', 'dml', 'webgpu', 'cpu'];
      expect(order).toContain(after.runtime.provider);
      for (const fallback of after.runtime.fallbacks) {
        expect(order.indexOf(fallback.provider)).toBeLessThan(order.indexOf(after.runtime.provider!));
        expect(fallback.reason).not.toBe('');
      }
    } finally {
      await engine.close();
    }
  });

  it('saves provider and threads, reloads the model with them, and keeps them across a restart', async () => {
    const engine = open();
    try {
      await engine.handle('models.activate', { id: modelId });
      const changed = new Promise((resolve) => {
        const stop = engine.onEvent((event) => {
          if (event.event === 'settings.changed') resolve((stop(), event.data));
        });
      });
      const saved = await engine.handle('settings.set', { provider: 'cpu', threads: 1 });
      expect(saved.settings).toEqual({ provider: 'cpu', threads: 1 });
      expect(saved.runtime).toEqual({ provider: 'cpu', fallbacks: [], error: null });
      await expect(changed).resolves.toEqual(saved);
      await expect(engine.handle('settings.set', { threads: -1 })).rejects.toThrow(/params\.threads/);
    } finally {
      await engine.close();
    }
    const again = open();
    try {
      expect((await again.handle('settings.get', {})).settings).toEqual({ provider: 'cpu', threads: 1 });
      // The model active last time comes back when the host asks for the default model.
      expect((await again.activateDefaultModel())?.id).toBe(modelId);
    } finally {
      await again.close();
    }
  });

  it('moves the library at the next start, and says so until then', async () => {
    const elsewhere = join(dir, 'moved', 'library');
    const engine = open();
    try {
      const saved = await engine.handle('settings.set', { libraryDir: elsewhere });
      expect(saved.library).toMatchObject({ dir, pendingDir: elsewhere });
      expect(JSON.parse(readFileSync(join(dir, LOCATION_FILE), 'utf8'))).toEqual({ dir: elsewhere });
      await expect(engine.handle('settings.set', { libraryDir: 'relative' })).rejects.toThrow(
        "relative: give the folder's full path",
      );
    } finally {
      await engine.close();
    }
    const moved = open();
    try {
      const state = await moved.handle('settings.get', {});
      expect(state.library).toMatchObject({ dir: elsewhere, pendingDir: null });
      expect(existsSync(join(elsewhere, 'library.sqlite'))).toBe(true);
      // Settings live in the library, so the moved one starts from the defaults.
      expect(state.settings).toEqual({ provider: 'auto', threads: 0 });
      await moved.handle('settings.set', { libraryDir: dir });
      expect(existsSync(join(dir, LOCATION_FILE))).toBe(false);
    } finally {
      await moved.close();
    }
  });
});
