/** Importing through the engine service: progress, a broken checkpoint's one-line error, the default model. */
import { cpSync, existsSync, readdirSync, statSync, truncateSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EngineEvent, ModelImport } from '../api/index.js';
import { TINY } from '../model/reference-fixtures.js';
import { createEngineService } from './engine-service.js';
import { useTestEngine } from './engine.testkit.js';
import { checkFolder, fractionOf } from './model-imports.js';

describe('models.import', () => {
  const kit = useTestEngine('emu3-imports-', { model: 'none' });

  /** Runs one import and answers its events, the last being `models.importEnded`. */
  async function importAndWait(path: string, activate = false): Promise<ModelImport[]> {
    const { engine } = kit;
    const seen: ModelImport[] = [];
    const ended = new Promise<void>((resolve) => {
      const stop = engine.onEvent((event: EngineEvent) => {
        if (event.event !== 'models.importProgress' && event.event !== 'models.importEnded') return;
        seen.push(event.data);
        if (event.event === 'models.importEnded') {
          stop();
          resolve();
        }
      });
    });
    const { importId } = await engine.handle('models.import', { path, activate });
    await ended;
    expect(seen.every((entry) => entry.importId === importId)).toBe(true);
    return seen;
  }

  it('fails on a truncated safetensors file in one line, leaving nothing behind', async () => {
    const { engine } = kit;
    const broken = join(kit.dir, 'broken');
    cpSync(TINY.hf, broken, { recursive: true });
    const shard = join(broken, 'model-00001-of-00018.safetensors');
    truncateSync(shard, Math.floor(statSync(shard).size / 2));
    const seen = await importAndWait(broken);
    const last = seen.at(-1)!;
    expect(last).toMatchObject({ status: 'failed', path: broken, automatic: false });
    expect(last.error?.message).toMatch(/^model-00001-of-00018\.safetensors: truncated: /);
    expect(last.error?.message).not.toContain('\n');
    const left = existsSync(kit.modelsDir) ? readdirSync(kit.modelsDir) : [];
    expect(left.filter((name) => !name.startsWith('.source'))).toEqual([]);
    expect(await engine.handle('models.list', {})).toEqual([]);
  });

  it('imports a good checkpoint with rising progress, lists it with its hashes, and activates it', async () => {
    const { engine } = kit;
    const seen = await importAndWait(TINY.hf, true);
    const fractions = seen.map((entry) => entry.fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(seen.some((entry) => entry.phase === 'decoder')).toBe(true);
    const last = seen.at(-1)!;
    expect(last).toMatchObject({ status: 'finished', fraction: 1, reused: false });
    const [model] = await engine.handle('models.list', {});
    expect(model).toMatchObject({ id: last.modelId, active: true, bundled: false, precision: 'fp32' });
    expect(model!.files.map((file) => file.path)).toContain('decoder.onnx');
    expect(model!.bytes).toBe(model!.files.reduce((sum, file) => sum + file.bytes, 0));
    expect(model!.sourceFiles.map((file) => file.path).join()).toContain('model-00018-of-00018.safetensors');
    const imports = await engine.handle('models.imports', {});
    expect(imports.map((entry) => entry.status)).toEqual(['failed', 'finished']);
  });

  it('refuses a path that is not a full path to a folder, at once', async () => {
    const { engine } = kit;
    await expect(engine.handle('models.import', { path: 'relative/dir' })).rejects.toThrow(
      "relative/dir: give the checkpoint folder's full path",
    );
    await expect(engine.handle('models.import', { path: join(kit.dir, 'absent') })).rejects.toThrow(
      /absent: no such folder$/,
    );
    await expect(checkFolder('~')).resolves.toBe(homedir());
  });

  it('imports and activates the bundled model when none was active before', async () => {
    const fresh = createEngineService({
      modelsDir: kit.modelsDir,
      libraryDir: join(kit.dir, 'library-2'),
      home: kit.dir,
      provider: 'cpu',
    });
    try {
      const activated = await fresh.activateDefaultModel();
      // No model was remembered in this library: the bundled nano model was imported and activated.
      expect(activated).toMatchObject({ name: 'nano', bundled: true, active: true });
    } finally {
      await fresh.close();
    }
  }, 120_000);

  it('weights the phases into one fraction', () => {
    expect(fractionOf({ phase: 'hash', done: 0, total: 10 })).toBe(0);
    expect(fractionOf({ phase: 'finish', done: 1, total: 1 })).toBeCloseTo(1);
    expect(fractionOf({ phase: 'decoder', done: 5, total: 10 })).toBeCloseTo(0.42);
  });
});
