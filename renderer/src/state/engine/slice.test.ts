import { describe, expect, it } from 'vitest';
import type { EngineInfo } from '../../../../engine/src/api/index.js';
import { createStudioStore } from '../store.js';
import { selectEngineSummary } from './selectors.js';

const info: EngineInfo = {
  name: 'emu3-studio-engine',
  version: '0.1.0',
  runtime: { node: '20.20.2', platform: 'linux', arch: 'x64' },
  host: 'web',
};

describe('engine slice', () => {
  it('starts connecting', () => {
    const store = createStudioStore();
    expect(store.getState().engine).toEqual({ status: 'connecting' });
    expect(selectEngineSummary(store.getState())).toBe('Connecting to engine…');
  });

  it('keeps the engine info once connected', () => {
    const store = createStudioStore();
    store.getState().engineConnected(info);
    expect(store.getState().engine).toEqual({ status: 'connected', info });
    expect(selectEngineSummary(store.getState())).toBe('Engine 0.1.0 · linux x64');
  });

  it('tells an unauthorized page how to get in', () => {
    const store = createStudioStore();
    store.getState().engineFailed({ name: 'EngineError', code: 'unauthorized', message: 'missing secret' });
    expect(store.getState().engine.status).toBe('failed');
    expect(selectEngineSummary(store.getState())).toMatch(/open the link that `emu3 serve` printed/);
  });

  it('goes back to connecting on a retry', () => {
    const store = createStudioStore();
    store.getState().engineFailed({ name: 'EngineError', code: 'engine_unavailable', message: 'gone' });
    expect(selectEngineSummary(store.getState())).toBe('Engine unavailable: gone');
    store.getState().engineConnecting();
    expect(store.getState().engine).toEqual({ status: 'connecting' });
  });
});
