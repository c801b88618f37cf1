/** The engine's connection as one line for the top bar's status pill. */
import type { StudioState } from '../store.js';

/** One short line for the status pill. */
export function selectEngineSummary(state: StudioState): string {
  const { engine } = state;
  switch (engine.status) {
    case 'connecting':
      return 'Connecting to engine…';
    case 'connected':
      return `Engine ${engine.info.version} · ${engine.info.runtime.platform} ${engine.info.runtime.arch}`;
    case 'failed':
      return engine.error.code === 'unauthorized'
        ? 'Engine refused this page: open the link that `emu3 serve` printed'
        : `Engine unavailable: ${engine.error.message}`;
  }
}
