/**
 * How the renderer reaches the engine. In a browser the web host serves the page and the protocol;
 * the launch secret arrives in the URL fragment (`#token=`), is kept for this tab only, and is taken
 * out of the address bar so it is not bookmarked or shared by accident.
 *
 * Methods and events travel over one WebSocket (`/api/ws`), typed by the protocol's method and event maps
 * (engine/src/api/protocol.ts): the engine validates every request, and this client checks the shape of what
 * comes back before trusting it. Files go to the engine's upload route (engine-upload.ts).
 */
import {
  UPLOAD_PATH,
  type AskUpload,
  type EngineInfo,
  type EventData,
  type MediaRef,
  type EventName,
  type MethodName,
  type MethodParams,
  type MethodResult,
  type SerializedError,
} from '../../../engine/src/api/index.js';
import { isAskUpload, postUpload } from './engine-upload.js';
import { createWebTransfer, type MediaTransfer } from './media-transfer.js';

/** Methods without params may be called without them. */
export type ParamsArgs<M extends MethodName> =
  Record<string, never> extends MethodParams<M> ? [params?: MethodParams<M>] : [params: MethodParams<M>];

export type ConnectionState =
  | { status: 'connecting' }
  | { status: 'open' }
  /** Disconnected: retrying after a pause, or given up on an error the user must act on (a refused secret). */
  | { status: 'closed'; error: SerializedError; retrying: boolean };

export interface EngineConnection {
  /** One request; rejects with an `EngineCallError` carrying the engine's error. */
  call<M extends MethodName>(method: M, ...params: ParamsArgs<M>): Promise<MethodResult<M>>;
  /** Listens to one event; returns the function that stops listening. */
  on<E extends EventName>(event: E, listener: (data: EventData<E>) => void): () => void;
  /** Called with the current state at once, then on every change. */
  onConnectionChange(listener: (state: ConnectionState) => void): () => void;
  /** Disconnects for good; calls still waiting are rejected. */
  close(): void;
}

export interface EngineClient extends EngineConnection {
  /** Who the engine is, over HTTP: works before the socket is up and tells a refused secret apart. */
  info(): Promise<EngineInfo>;
  /** A URL for `<img src>` of a library media file; the host checks the hash against the library. */
  mediaUrl(media: MediaRef): string;
  /** Video uploads and exports over HTTP; absent where the host carries none (the page then offers neither). */
  transfer?: MediaTransfer;
  /** Sends a file to ask about (engine-upload.ts); the engine keeps it in the library by its content. */
  upload(file: Blob, name: string, type: string): Promise<AskUpload>;
}

/** A failed call, carrying the engine's serialized error (EngineError, CancelledError or InternalError). */
export class EngineCallError extends Error {
  override readonly name = 'EngineCallError';
  constructor(readonly detail: SerializedError) {
    super(detail.message);
  }

  get code(): SerializedError['code'] {
    return this.detail.code;
  }

  /** The user stopped the work: not a failure to show as one. */
  get cancelled(): boolean {
    return this.detail.name === 'CancelledError';
  }
}

//#region Socket

export interface SocketHandlers {
  open(): void;
  message(text: string): void;
  /** After a failed attempt too: `open` was never called then. */
  close(): void;
}

export interface Socket {
  send(text: string): void;
  close(): void;
}

/** Opens a WebSocket; injectable so the connection runs on any implementation of one. */
export type OpenSocket = (url: string, handlers: SocketHandlers) => Socket;

export const openBrowserSocket: OpenSocket = (url, handlers) => {
  const socket = new WebSocket(url);
  socket.onopen = () => handlers.open();
  socket.onmessage = (event) => {
    if (typeof event.data === 'string') handlers.message(event.data);
  };
  // 'error' is always followed by 'close', which is where the connection handles it.
  socket.onclose = () => handlers.close();
  return { send: (text) => socket.send(text), close: () => socket.close() };
};

export interface EngineConnectionOptions {
  /** `ws://…/api/ws?token=…` */
  url: string;
  openSocket: OpenSocket;
  /**
   * Asked after an attempt fails to connect at all: an error the user must act on (a refused launch
   * secret) stops the retries; null retries after a pause.
   */
  diagnose?: () => Promise<SerializedError | null>;
  /** Pauses between attempts: `firstMs`, doubling up to `maxMs`, each with ±25% jitter. */
  backoff?: { firstMs: number; maxMs: number };
  /** How long a call waits for a connection before it fails. */
  connectTimeoutMs?: number;
}

interface Pending {
  text: string;
  sent: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
  resolve(result: unknown): void;
  reject(error: EngineCallError): void;
}

const unavailable = (message: string): SerializedError => ({
  name: 'EngineError',
  code: 'engine_unavailable',
  message,
});

/** The protocol over a WebSocket: calls correlated by id, events to listeners, reconnects with backoff. */
export function createEngineConnection(options: EngineConnectionOptions): EngineConnection {
  const backoff = options.backoff ?? { firstMs: 250, maxMs: 10_000 };
  const connectTimeoutMs = options.connectTimeoutMs ?? 15_000;
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<(data: unknown) => void>>();
  const stateListeners = new Set<(state: ConnectionState) => void>();
  let state: ConnectionState = { status: 'connecting' };
  let socket: Socket | null = null;
  let open = false;
  let attempt = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let givenUp: SerializedError | null = null;
  let closed = false;
  let nextId = 1;

  function setState(next: ConnectionState): void {
    state = next;
    for (const listener of stateListeners) listener(next);
  }

  function connect(): void {
    if (socket !== null || closed) return;
    clearTimeout(retryTimer);
    retryTimer = undefined;
    givenUp = null;
    setState({ status: 'connecting' });
    let opened = false;
    socket = options.openSocket(options.url, {
      open() {
        opened = open = true;
        attempt = 0;
        setState({ status: 'open' });
        for (const request of pending.values()) if (!request.sent) send(request);
      },
      message: receive,
      close() {
        socket = null;
        open = false;
        // A request may or may not have run: retrying one (a generation) could run it twice.
        for (const [id, request] of pending) {
          if (!request.sent) continue;
          pending.delete(id);
          request.reject(new EngineCallError(unavailable('the connection to the engine was lost')));
        }
        if (closed) return;
        if (opened || !options.diagnose) return retryLater();
        void options.diagnose().then(
          (fatal) => (fatal ? giveUp(fatal) : retryLater()),
          () => retryLater(),
        );
      },
    });
  }

  function retryLater(): void {
    if (closed || socket !== null) return;
    const pause = Math.min(backoff.maxMs, backoff.firstMs * 2 ** attempt) * (0.75 + Math.random() / 2);
    attempt++;
    setState({ status: 'closed', error: unavailable('the engine is not reachable'), retrying: true });
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, pause);
  }

  function giveUp(error: SerializedError): void {
    givenUp = error;
    for (const [id, request] of pending) {
      pending.delete(id);
      clearTimeout(request.timer);
      request.reject(new EngineCallError(error));
    }
    setState({ status: 'closed', error, retrying: false });
  }

  function send(request: Pending): void {
    clearTimeout(request.timer);
    request.sent = true;
    socket!.send(request.text);
  }

  function receive(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return; // the engine sends JSON only; anything else is not ours to act on
    }
    if (!isRecord(message)) return;
    if (message.type === 'event' && typeof message.event === 'string') {
      for (const listener of listeners.get(message.event) ?? []) {
        try {
          listener(message.data);
        } catch (error) {
          // One broken listener must not starve the others; the error still reaches the console.
          queueMicrotask(() => {
            throw error;
          });
        }
      }
      return;
    }
    if (typeof message.id !== 'number') return;
    const request = pending.get(message.id);
    if (!request) return;
    pending.delete(message.id);
    if (message.type === 'response') request.resolve(message.result);
    else if (message.type === 'error') request.reject(new EngineCallError(asSerializedError(message.error)));
    else request.reject(new EngineCallError(malformed(`a reply of type ${String(message.type)}`)));
  }

  return {
    call<M extends MethodName>(method: M, ...[params]: ParamsArgs<M>): Promise<MethodResult<M>> {
      if (closed) return Promise.reject(new EngineCallError(unavailable('the engine client is closed')));
      const id = nextId++;
      const text = JSON.stringify({ type: 'request', id, method, params: params ?? {} });
      return new Promise<MethodResult<M>>((resolve, reject) => {
        const request: Pending = {
          text,
          sent: false,
          timer: undefined,
          resolve: resolve as (result: unknown) => void,
          reject,
        };
        pending.set(id, request);
        if (open) return send(request);
        request.timer = setTimeout(() => {
          pending.delete(id);
          reject(new EngineCallError(givenUp ?? unavailable('the engine is not reachable')));
        }, connectTimeoutMs);
        // A call is the user asking now: try at once, even after giving up or while pausing.
        connect();
      });
    },
    on<E extends EventName>(event: E, listener: (data: EventData<E>) => void): () => void {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const wrapped = listener as (data: unknown) => void;
      set.add(wrapped);
      if (givenUp === null && retryTimer === undefined) connect();
      return () => set.delete(wrapped);
    },
    onConnectionChange(listener) {
      stateListeners.add(listener);
      listener(state);
      return () => stateListeners.delete(listener);
    },
    close() {
      if (closed) return;
      closed = true;
      clearTimeout(retryTimer);
      socket?.close();
      for (const request of pending.values()) {
        clearTimeout(request.timer);
        request.reject(new EngineCallError(unavailable('the engine client is closed')));
      }
      pending.clear();
      listeners.clear();
      stateListeners.clear();
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const ERROR_NAMES: readonly string[] = ['EngineError', 'CancelledError', 'InternalError'];

/** The engine's error as sent; a malformed one becomes an InternalError that says so. */
function asSerializedError(value: unknown): SerializedError {
  if (!isRecord(value) || typeof value.name !== 'string' || typeof value.message !== 'string')
    return malformed('an error without a name and a message');
  if (!ERROR_NAMES.includes(value.name)) return malformed(`an error named ${value.name}`);
  return value as SerializedError;
}

function malformed(what: string): SerializedError {
  return { name: 'InternalError', message: `the engine sent ${what}` };
}

//#endregion

const TOKEN_KEY = 'emu3.launchSecret';

export function createWebEngineClient(): EngineClient {
  const token = takeLaunchSecret();
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  const connection = createEngineConnection({
    url: `${scheme}//${window.location.host}/api/ws?token=${encodeURIComponent(token ?? '')}`,
    openSocket: openBrowserSocket,
    // A browser is not told why an upgrade was refused; the same secret on HTTP says whether it was that.
    diagnose: () =>
      getJson<EngineInfo>('/api/info', token).then(
        () => null,
        (error: unknown) =>
          error instanceof EngineCallError && error.detail.code === 'unauthorized' ? error.detail : null,
      ),
  });
  // An <img> cannot send a header, so media URLs carry the secret as a query parameter; Referrer-Policy
  // no-referrer keeps it from leaking onward.
  const tokenQuery = `?token=${encodeURIComponent(token ?? '')}`;
  return {
    ...connection,
    info: () => getJson<EngineInfo>('/api/info', token),
    mediaUrl: (media) => `/api/media/${media.sha256}.${media.ext}${tokenQuery}`,
    transfer: createWebTransfer(token),
    upload: (file, name, type) =>
      postUpload(token, { path: UPLOAD_PATH, file, name, type, answers: isAskUpload }),
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
    throw new EngineCallError(unavailable('the engine is not reachable'));
  }
  const body = (await response.json()) as T | { error: SerializedError };
  if (!response.ok) throw new EngineCallError((body as { error: SerializedError }).error);
  return body as T;
}
