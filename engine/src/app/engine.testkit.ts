/**
 * Test support (not used by the engine): the engine service in-process, as the hosts call it, in a studio
 * home of its own (with the tiny fixture model, unless a test wants none), and waiting for its events. The
 * host's engine tests share it, so each reads as what it checks and all set the engine up the same way.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { EngineEvent, EventData, EventName } from '../api/index.js';
import { importModel } from '../model/import-model.js';
import { TINY } from '../model/reference-fixtures.js';
import { createEngineService, type EngineService } from './engine-service.js';

/** Resolves with the first event named `name` for which `where` holds. */
export function nextEvent<E extends EventName>(
  engine: EngineService,
  name: E,
  where: (data: EventData<E>) => boolean = () => true,
): Promise<EventData<E>> {
  return new Promise((resolve) => {
    const stop = engine.onEvent((event: EngineEvent) => {
      if (event.event === name && where(event.data as EventData<E>)) {
        stop();
        resolve(event.data as EventData<E>);
      }
    });
  });
}

export interface TestEngine {
  /** The suite's folder: the studio home, with `models/` and `library/` in it and room for a test's files. */
  readonly dir: string;
  readonly modelsDir: string;
  /** The tiny model in the HF layout, imported into `modelsDir` (not with `model: 'none'`). */
  readonly modelId: string;
  /** The engine running now; `restart()` replaces it. */
  readonly engine: EngineService;
  /** Every event the engine emitted (and, after a restart, the next one), in order. */
  readonly events: EngineEvent[];
  /** The data of every event named `name` so far. */
  seen<E extends EventName>(name: E): EventData<E>[];
  /** Closes the engine and opens another on the same folders, as restarting the host does. */
  restart(): Promise<EngineService>;
}

export interface TestEngineOptions {
  /** The tiny model imported and active (the default), only imported, or no model at all. */
  model?: 'active' | 'imported' | 'none';
}

/**
 * Registers the hooks of a describe block that runs one engine: before its tests, a folder whose name
 * starts with `prefix` and the model `options` ask for; after them, the engine closed and the folder gone.
 */
export function useTestEngine(prefix: string, options: TestEngineOptions = {}): TestEngine {
  const model = options.model ?? 'active';
  let dir = '';
  let modelId = '';
  let engine: EngineService | undefined;
  const events: EngineEvent[] = [];
  const open = () => {
    const opened = createEngineService({
      modelsDir: join(dir, 'models'),
      libraryDir: join(dir, 'library'),
      // Named, so that nothing is read from or written to the user's own studio home.
      home: dir,
      provider: 'cpu',
      threads: 2,
    });
    opened.onEvent((event) => events.push(event));
    return opened;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    if (model !== 'none')
      modelId = (await importModel(TINY.hf, { modelsDir: join(dir, 'models') })).manifest.id;
    engine = open();
    if (model === 'active') await engine.handle('models.activate', { id: modelId });
  }, 60_000);

  afterAll(async () => {
    await engine?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  return {
    get dir() {
      return dir;
    },
    get modelsDir() {
      return join(dir, 'models');
    },
    get modelId() {
      if (!modelId) throw new Error(`no model: the engine was set up with model: '${model}'`);
      return modelId;
    },
    get engine() {
      if (!engine) throw new Error('the test engine starts in beforeAll: use it inside a test');
      return engine;
    },
    events,
    seen: <E extends EventName>(name: E) =>
      events.filter((e) => e.event === name).map((e) => e.data as EventData<E>),
    async restart() {
      await engine?.close();
      engine = open();
      return engine;
    },
  };
}
