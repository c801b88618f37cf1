/**
 * The web host: serves the built renderer and the engine protocol on 127.0.0.1 with a per-launch secret.
 * Started by `emu3 serve`: the desktop app's engine process (its window loads this host's page), what
 * `npm start` opens in a browser where Electron is unavailable, and what the end-to-end tests drive.
 */
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import sirv from 'sirv';
import { EngineError, type EngineInfo, type HealthResponse } from '../api/index.js';
import type { EngineService } from '../app/engine-service.js';
import { sendError, sendJson } from './json-answers.js';
import { MEDIA_PREFIX, serveMedia } from './media-route.js';
import { isVideoRoute, routeVideo } from './video-routes.js';
import { studioVersion } from '../install/package-info.js';
import { hasLaunchSecret, isLoopbackHost, newLaunchSecret, SECURITY_HEADERS } from './security.js';
import { isUploadRoute, routeUpload } from './upload-route.js';
import { createWebSocketTransport, type WebSocketTransport } from './ws-transport.js';

export interface WebHostOptions {
  /** Folder with the renderer's `index.html`. */
  rendererDir: string;
  /** 0 lets the system pick a free port. */
  port?: number;
  /** Fixed only by tests; a fresh random secret otherwise. */
  secret?: string;
  /**
   * The engine whose protocol is served at `/api/ws` and whose library media at `/api/media/`; without one,
   * WebSocket upgrades and media requests are refused.
   */
  engine?: EngineService;
}

export interface WebHost {
  /** What a user opens: the origin with the secret in the fragment, which browsers never send to servers. */
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly secret: string;
  close(): Promise<void>;
}

const LOOPBACK = '127.0.0.1';

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  if (!existsSync(join(options.rendererDir, 'index.html'))) {
    throw new EngineError(
      'not_found',
      `renderer build not found: ${join(options.rendererDir, 'index.html')} is missing (run \`npm run build\`)`,
    );
  }
  const secret = options.secret ?? newLaunchSecret();
  const version = studioVersion();
  const serveStatic = sirv(options.rendererDir, { single: true, etag: true, gzip: false, brotli: false });
  let port = 0;

  const server = createServer((request, response) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
    if (!isLoopbackHost(request.headers.host, port)) {
      return sendError(
        response,
        403,
        new EngineError('unauthorized', `host header ${request.headers.host} refused`),
      );
    }
    const url = new URL(request.url ?? '/', `http://${LOOPBACK}:${port}`);
    if (!url.pathname.startsWith('/api/')) return serveStatic(request, response);
    routeApi(request, response, url, { secret, version, engine: options.engine });
  });
  let transport: WebSocketTransport | undefined;
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (transport) return transport.handleUpgrade(request, socket, head);
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new EngineError('unsupported', `port ${options.port} on ${LOOPBACK} is already in use`)
          : error,
      ),
    );
    server.listen(options.port ?? 0, LOOPBACK, resolve);
  });
  port = (server.address() as AddressInfo).port;
  if (options.engine)
    transport = createWebSocketTransport({ engine: options.engine, secret, port: () => port });
  const origin = `http://${LOOPBACK}:${port}`;

  return {
    url: `${origin}/#token=${secret}`,
    origin,
    port,
    secret,
    close: () =>
      new Promise<void>((resolve, reject) => {
        transport?.close();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function routeApi(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  context: { secret: string; version: string; engine: EngineService | undefined },
): void {
  if (isUploadRoute(url.pathname) && context.engine)
    return void routeUpload(request, response, url, { secret: context.secret, engine: context.engine });
  if (isVideoRoute(url.pathname) && context.engine) {
    const video = context.engine.video;
    return void routeVideo(request, response, url, { secret: context.secret, video });
  }
  const media = url.pathname.startsWith(MEDIA_PREFIX);
  if (request.method !== 'GET' && !(media && request.method === 'HEAD')) {
    return sendError(
      response,
      405,
      new EngineError('bad_request', `${request.method} ${url.pathname} is not allowed`),
    );
  }
  if (url.pathname === '/api/health') {
    const health: HealthResponse = { status: 'ok', version: context.version };
    return sendJson(response, 200, health);
  }
  if (!hasLaunchSecret(request, url, context.secret)) {
    return sendError(response, 401, new EngineError('unauthorized', 'missing or wrong launch secret'));
  }
  if (url.pathname === '/api/info') {
    const info: EngineInfo = {
      name: 'emu3-studio-engine',
      version: context.version,
      runtime: { node: process.versions.node, platform: process.platform, arch: process.arch },
      host: 'web',
    };
    return sendJson(response, 200, info);
  }
  if (media && context.engine) {
    const engine = context.engine;
    const fail = (status: number, error: EngineError) => sendError(response, status, error);
    return void serveMedia(
      request,
      response,
      url.pathname,
      (sha, ext) => engine.mediaFile(sha, ext),
      fail,
    ).catch((error: unknown) =>
      response.headersSent ? response.destroy() : sendError(response, 500, error),
    );
  }
  sendError(response, 404, new EngineError('not_found', `no API route ${url.pathname}`));
}
