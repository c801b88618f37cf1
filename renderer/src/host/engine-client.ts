/**
 * How the renderer reaches the engine. In a browser the web host serves the page and the protocol;
 * the launch secret arrives in the URL fragment (`#token=`), is kept for this tab only, and is taken
 * out of the address bar so it is not bookmarked or shared by accident.
 */
import type { EngineInfo, SerializedError } from '../../../engine/src/api/index.js';

export interface EngineClient {
  info(): Promise<EngineInfo>;
}

/** A failed call, carrying the engine's serialized error. */
export class EngineCallError extends Error {
  override readonly name = 'EngineCallError';
  constructor(readonly detail: SerializedError) {
    super(detail.message);
  }
}

const TOKEN_KEY = 'emu3.launchSecret';

export function createWebEngineClient(): EngineClient {
  const token = takeLaunchSecret();
  return {
    info: () => getJson<EngineInfo>('/api/info', token),
  };
}

function takeLaunchSecret(): string | null {
  const fromFragment = new URLSearchParams(window.location.hash.slice(1)).get('token');
  if (fromFragment !== null) {
    window.sessionStorage.setItem(TOKEN_KEY, fromFragment);
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
    return fromFragment;
  }
  return window.sessionStorage.getItem(TOKEN_KEY);
}

async function getJson<T>(path: string, token: string | null): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { headers: token === null ? {} : { Authorization: `Bearer ${token}` } });
  } catch {
    throw new EngineCallError({
      name: 'EngineError',
      code: 'engine_unavailable',
      message: 'the engine is not reachable',
    });
  }
  const body = (await response.json()) as T | { error: SerializedError };
  if (!response.ok) throw new EngineCallError((body as { error: SerializedError }).error);
  return body as T;
}
