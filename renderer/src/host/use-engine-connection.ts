/** The hook that connects the studio to the engine and reloads after a reconnect. */
import { useCallback, useEffect } from 'react';
import type { SerializedError } from '../../../engine/src/api/index.js';
import { selectActiveModel } from '../state/models/slice.js';
import { EngineCallError } from './engine-client.js';
import { connectEngineEvents } from './engine-events.js';
import { connectStudioEvents } from './studio-events.js';
import type { Studio } from './studio.js';

/**
 * Asks the engine who it is, which models it has and what its queue holds, once on mount and again on
 * `retry`; listens to its events; and after a lost connection comes back, reloads what may have changed.
 */
export function useEngineConnection(studio: Studio): { retry: () => void } {
  const { client, store } = studio;

  const refresh = useCallback(() => {
    const s = store.getState();
    void client.call('jobs.list').then(s.jobsLoaded, () => {});
    void client.call('system.status').then(s.queueStatusChanged, () => {});
    s.invalidate();
  }, [client, store]);

  const connect = useCallback(() => {
    const { engineConnecting, engineConnected, engineFailed } = store.getState();
    engineConnecting();
    client
      .info()
      .then((info) => {
        engineConnected(info);
        return client.call('models.list').then((models) => {
          const s = store.getState();
          s.modelsLoaded(models);
          const active = selectActiveModel(store.getState());
          if (active) {
            s.modelDefaultsLoaded(active);
            if (!s.screenChosen) s.showScreen('generate', false);
          }
          refresh();
        });
      })
      .catch((error: unknown) => engineFailed(toSerialized(error)));
  }, [client, store, refresh]);

  useEffect(() => connectEngineEvents(studio), [studio]);
  useEffect(() => connectStudioEvents(studio), [studio]);
  useEffect(connect, [connect]);
  useEffect(() => {
    let wasOpen = false;
    return client.onConnectionChange((state) => {
      if (state.status === 'open' && wasOpen === false && store.getState().engine.status === 'connected')
        refresh();
      wasOpen = state.status === 'open';
    });
  }, [client, store, refresh]);
  return { retry: connect };
}

function toSerialized(error: unknown): SerializedError {
  return error instanceof EngineCallError
    ? error.detail
    : { name: 'InternalError', message: error instanceof Error ? error.message : String(error) };
}
