import { describe, expect, it } from 'vitest';
import type { ModelImport } from '../../../../engine/src/api/index.js';
import { createStudioStore } from '../store.js';
import { selectLastUserImport, selectRunningImport } from './slice.js';

const entry = (over: Partial<ModelImport>): ModelImport => ({
  importId: 'i1',
  path: '/models/nano',
  precision: 'auto',
  status: 'running',
  phase: null,
  fraction: 0,
  automatic: false,
  activate: true,
  startedAt: '2026-11-29T00:00:00.000Z',
  ...over,
});

describe('model imports slice', () => {
  it('follows an import from progress to its end, and never back', () => {
    const store = createStudioStore();
    const s = () => store.getState();
    s().modelImportChanged(entry({ phase: 'decoder', fraction: 0.4 }));
    expect(selectRunningImport(s())?.fraction).toBe(0.4);
    s().modelImportChanged(entry({ status: 'failed', error: { name: 'EngineError', message: 'truncated' } }));
    s().modelImportChanged(entry({ phase: 'vq_decoder', fraction: 0.9 }));
    expect(selectRunningImport(s())).toBeNull();
    expect(selectLastUserImport(s())).toMatchObject({ status: 'failed' });
  });

  it("tells the engine's own import apart from the user's", () => {
    const store = createStudioStore();
    store
      .getState()
      .modelImportsLoaded([
        entry({ importId: 'mine', status: 'finished', fraction: 1 }),
        entry({ importId: 'bundled', automatic: true }),
      ]);
    expect(selectRunningImport(store.getState())?.importId).toBe('bundled');
    expect(selectLastUserImport(store.getState())?.importId).toBe('mine');
  });
});
