import { describe, expect, it } from 'vitest';
import type { ModelSummary } from '../../../../engine/src/api/index.js';
import { createStudioStore } from '../store.js';
import { selectActiveModel } from './slice.js';

const model = (id: string, active: boolean): ModelSummary => ({
  id: id.repeat(64).slice(0, 64),
  name: `model ${id}`,
  dir: `/library/models/${id}`,
  layout: 'baai',
  precision: 'fp32',
  createdAt: '2026-11-28T00:00:00.000Z',
  imageArea: 576,
  temporalFactor: 4,
  decoder: { numLayers: 2, hiddenSize: 64, numHeads: 4, vocabSize: 571, maxPositionEmbeddings: 256 },
  active,
  generationDefaults: { guidance: 3, temperature: 1, topK: 2048, topP: 1, greedy: false },
  bundled: false,
  bytes: 0,
  files: [],
  sourceFiles: [],
});

describe('models slice', () => {
  it('knows nothing until the engine answers, then which model is active', () => {
    const store = createStudioStore();
    expect(store.getState().models).toBeNull();
    expect(selectActiveModel(store.getState())).toBeNull();
    store.getState().modelsLoaded([model('a', false), model('b', true)]);
    expect(selectActiveModel(store.getState())?.name).toBe('model b');
  });

  it('has no active model when none is marked active', () => {
    const store = createStudioStore();
    store.getState().modelsLoaded([model('a', false)]);
    expect(selectActiveModel(store.getState())).toBeNull();
  });
});
