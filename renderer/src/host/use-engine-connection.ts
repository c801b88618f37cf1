import { useCallback, useEffect } from 'react';
import { studioStore } from '../state/store.js';
import { EngineCallError, type EngineClient } from './engine-client.js';

/** Asks the engine who it is once on mount; `retry` asks again. */
export function useEngineConnection(client: EngineClient): { retry: () => void } {
  const connect = useCallback(() => {
    const { engineConnecting, engineConnected, engineFailed } = studioStore.getState();
    engineConnecting();
    client
      .info()
      .then(engineConnected, (error: unknown) =>
        engineFailed(
          error instanceof EngineCallError
            ? error.detail
            : { name: 'InternalError', message: error instanceof Error ? error.message : String(error) },
        ),
      );
  }, [client]);
  useEffect(connect, [connect]);
  return { retry: connect };
}
