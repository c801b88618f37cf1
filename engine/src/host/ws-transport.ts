/**
 * The engine protocol over a WebSocket at `/api/ws`, for the web host. An upgrade is accepted only with the
 * launch secret (`?token=`), a loopback Host header and, when the client sends one (browsers always do),
 * a loopback Origin on the same port. Every message is validated: a bad one gets an `error` that names
 * the problem, never a crash. Responses carry their request's id; events go to every connected client.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  describeIssues,
  EngineError,
  RequestId,
  RequestMessage,
  serializeError,
  type EngineEvent,
  type ErrorMessage,
  type ResponseMessage,
} from '../api/index.js';
import type { EngineService } from '../app/engine-service.js';
import { hasLaunchSecret, isLoopbackHost } from './security.js';

export const WEBSOCKET_PATH = '/api/ws';

/** Requests are small; images travel from the engine, not to it (yet). */
const MAX_MESSAGE_BYTES = 1024 * 1024;
/** A client this far behind misses previews rather than making the engine buffer without end. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
const HEARTBEAT_MS = 30_000;

export interface WebSocketTransportOptions {
  engine: EngineService;
  secret: string;
  /** The port the host listens on, which Host and Origin headers must name; known once it listens. */
  port: () => number;
}

export interface WebSocketTransport {
  /** For the HTTP server's `upgrade` event. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Disconnects every client and stops listening to the engine. */
  close(): void;
}

export function createWebSocketTransport(options: WebSocketTransportOptions): WebSocketTransport {
  const server = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    perMessageDeflate: false,
  });
  const alive = new WeakSet<WebSocket>();

  const stopEvents = options.engine.onEvent((event) => {
    const text = JSON.stringify(event);
    for (const client of server.clients) {
      if (client.readyState !== client.OPEN) continue;
      if (event.event === 'job.preview' && client.bufferedAmount > MAX_BUFFERED_BYTES) continue;
      client.send(text);
    }
  });

  const heartbeat = setInterval(() => {
    for (const client of server.clients) {
      if (!alive.has(client)) {
        client.terminate();
        continue;
      }
      alive.delete(client);
      client.ping();
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  function connected(client: WebSocket): void {
    alive.add(client);
    client.on('pong', () => alive.add(client));
    // Protocol violations (oversized or malformed frames): ws closes the connection; nothing else to do.
    client.on('error', () => client.terminate());
    client.on('message', (data, isBinary) => void answer(client, data, isBinary));
  }

  async function answer(client: WebSocket, data: RawData, isBinary: boolean): Promise<void> {
    if (isBinary) {
      return send(client, refusal(null, 'binary messages are not part of the protocol; send JSON text'));
    }
    let json: unknown;
    try {
      json = JSON.parse(rawText(data));
    } catch (error) {
      return send(client, refusal(null, `message is not JSON (${(error as Error).message})`));
    }
    const request = RequestMessage.safeParse(json);
    if (!request.success) {
      const id = RequestId.safeParse((json as { id?: unknown } | null)?.id);
      return send(
        client,
        refusal(id.success ? id.data : null, `not a request: ${describeIssues(request.error, '')}`),
      );
    }
    const { id, method, params } = request.data;
    let reply: ResponseMessage | ErrorMessage;
    try {
      reply = { type: 'response', id, result: await options.engine.handle(method, params) };
    } catch (error) {
      reply = { type: 'error', id, error: serializeError(error) };
    }
    send(client, reply);
  }

  return {
    handleUpgrade(request, socket, head) {
      socket.on('error', () => socket.destroy());
      const port = options.port();
      const url = new URL(request.url ?? '/', `http://127.0.0.1:${port}`);
      if (url.pathname !== WEBSOCKET_PATH) {
        return refuseUpgrade(socket, 404, new EngineError('not_found', `no WebSocket at ${url.pathname}`));
      }
      if (!isLoopbackHost(request.headers.host, port)) {
        return refuseUpgrade(
          socket,
          403,
          new EngineError('unauthorized', `host header ${request.headers.host} refused`),
        );
      }
      const origin = request.headers.origin;
      if (origin !== undefined && !isLoopbackOrigin(origin, port)) {
        return refuseUpgrade(socket, 403, new EngineError('unauthorized', `origin ${origin} refused`));
      }
      if (!hasLaunchSecret(request, url, options.secret)) {
        return refuseUpgrade(socket, 401, new EngineError('unauthorized', 'missing or wrong launch secret'));
      }
      server.handleUpgrade(request, socket, head, connected);
    },
    close() {
      clearInterval(heartbeat);
      stopEvents();
      for (const client of server.clients) client.terminate();
      server.close();
    },
  };
}

function isLoopbackOrigin(origin: string, port: number): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return url.protocol === 'http:' && isLoopbackHost(url.host, port);
}

function refusal(id: ErrorMessage['id'], message: string): ErrorMessage {
  return { type: 'error', id, error: serializeError(new EngineError('bad_request', message)) };
}

function send(client: WebSocket, message: ResponseMessage | ErrorMessage | EngineEvent): void {
  if (client.readyState === client.OPEN) client.send(JSON.stringify(message));
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return (Buffer.isBuffer(data) ? data : Buffer.from(data)).toString('utf8');
}

/** Answers a refused upgrade with a plain HTTP error, as the rest of the API does. */
function refuseUpgrade(socket: Duplex, status: number, error: EngineError): void {
  const body = JSON.stringify({ error: serializeError(error) });
  socket.end(
    [
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
      'Content-Type: application/json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Connection: close',
      '',
      body,
    ].join('\r\n'),
  );
}
