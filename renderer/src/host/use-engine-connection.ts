import { useCallback, useEffect } from 'react';
import type { SerializedError } from '../../../engine/src/api/index.js';
import { studioStore } from '../state/store.js';
import { EngineCallError, type EngineClient } from './engine-client.js';

/** Asks the engine who it is and which models it has, once on mount and again on `retry`. */
export function useEngineConnection(client: EngineClient): { retry: () => void } {
  const connect = useCallback(() => {
    const { engineConnecting, engineConnected, engineFailed, modelsLoaded } = studioStore.getState();
    engineConnecting();
    client
      .info()
      .then((info) => {
        engineConnected(info);
        return client.call('models.list').then(modelsLoaded);
      })
      .catch((error: unknown) => engineFailed(toSerialized(error)));
  }, [client]);
  useEffect(connect, [connect]);
  return { retry: connect };
}

function toSerialized(error: unknown): SerializedError {
  return error instanceof EngineCallError
    ? error.detail
    : { name: 'InternalError', message: error instanceof Error ? error.message : String(error) };
}
