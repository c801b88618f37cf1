/**
 * The client's connection over real WebSockets, against a small scripted server that answers as the engine
 * does (the engine's own transport is tested in engine/src/host/ws-transport.test.ts). `ws` is loaded
 * through a computed specifier so that its Node typings stay out of the renderer's DOM-only program;
 * the test itself runs in Node.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineInfo } from '../../../engine/src/api/index.js';
import {
  createEngineConnection,
  EngineCallError,
  type ConnectionState,
  type EngineConnection,
  type EngineConnectionOptions,
  type OpenSocket,
} from './engine-client.js';

interface WsSocket {
  on(event: 'message', listener: (data: unknown) => void): void;
  on(event: 'open' | 'close' | 'error' | 'listening', listener: () => void): void;
  send(text: string): void;
  close(): void;
  terminate(): void;
}
interface WsServer {
  on(event: 'connection', listener: (socket: WsSocket) => void): void;
  once(event: 'listening', listener: () => void): void;
  address(): { port: number };
  clients: Set<WsSocket>;
  close(): void;
}
interface WsModule {
  WebSocketServer: new (options: {
    port: number;
    host: string;
    verifyClient?: (info: unknown, done: (ok: boolean, status?: number) => void) => void;
  }) => WsServer;
  WebSocket: new (url: string) => WsSocket;
}
const WS_PACKAGE = 'ws';
const { WebSocketServer, WebSocket } = (await import(/* @vite-ignore */ WS_PACKAGE)) as WsModule;

const INFO: EngineInfo = {
  name: 'emu3-studio-engine',
  version: '0.1.0',
  runtime: { node: '20.0.0', platform: 'linux', arch: 'x64' },
  host: 'web',
};

const openWsSocket: OpenSocket = (url, handlers) => {
  const socket = new WebSocket(url);
  socket.on('open', handlers.open);
  socket.on('message', (data) => handlers.message(String(data)));
  socket.on('error', () => {}); // always followed by 'close'
  socket.on('close', handlers.close);
  return { send: (text) => socket.send(text), close: () => socket.close() };
};

/**
 * Answers `system.info`, never answers `jobs.list` (to lose a call in flight), fails everything else as an
 * unknown job, and sends `job.started` for every `jobs.generateImage`.
 */
async function startEngineStandIn(port = 0, refuse = false): Promise<WsServer> {
  const server = new WebSocketServer({
    port,
    host: '127.0.0.1',
    ...(refuse ? { verifyClient: (_info, done) => done(false, 401) } : {}),
  });
  server.on('connection', (socket) => {
    socket.on('message', (data) => {
      const request = JSON.parse(String(data)) as { id: number; method: string };
      const reply = (message: object) => socket.send(JSON.stringify(message));
      if (request.method === 'system.info') return reply({ type: 'response', id: request.id, result: INFO });
      if (request.method === 'jobs.list') return;
      if (request.method === 'jobs.generateImage') {
        reply({ type: 'response', id: request.id, result: { jobId: 'j1' } });
        return reply({ type: 'event', event: 'job.started', data: { jobId: 'j1' } });
      }
      reply({
        type: 'error',
        id: request.id,
        error: { name: 'EngineError', code: 'not_found', message: 'no job x' },
      });
    });
  });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  return server;
}

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

function connect(server: WsServer | number, options: Partial<EngineConnectionOptions> = {}) {
  const port = typeof server === 'number' ? server : server.address().port;
  const connection = createEngineConnection({
    url: `ws://127.0.0.1:${port}/api/ws?token=t`,
    openSocket: openWsSocket,
    backoff: { firstMs: 20, maxMs: 100 },
    ...options,
  });
  const states: ConnectionState['status'][] = [];
  connection.onConnectionChange((state) => states.push(state.status));
  cleanups.push(() => connection.close());
  return { connection, states };
}

function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (check()) return resolve();
      if (Date.now() > deadline) return reject(new Error('timed out'));
      setTimeout(poll, 10);
    };
    poll();
  });
}

async function rejection(promise: Promise<unknown>): Promise<EngineCallError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EngineCallError);
  return error as EngineCallError;
}

describe('engine connection', () => {
  it('correlates replies by id, rebuilds errors, and hands each event to its listeners', async () => {
    const server = await startEngineStandIn();
    cleanups.push(() => server.close());
    const { connection } = connect(server);
    const started: string[] = [];
    const stop = connection.on('job.started', (data) => started.push(data.jobId));
    connection.on('job.finished', () => started.push('wrong event'));

    const [info, job, missing] = await Promise.all([
      connection.call('system.info'),
      connection.call('jobs.generateImage', { prompt: 'a cat', ratio: '1:1' }),
      rejection(connection.call('jobs.cancel', { jobId: 'x' })),
    ]);
    expect(info).toEqual(INFO);
    expect(job).toEqual({ jobId: 'j1' });
    expect(missing.detail).toEqual({ name: 'EngineError', code: 'not_found', message: 'no job x' });
    expect(missing).toMatchObject({ code: 'not_found', cancelled: false, message: 'no job x' });
    await until(() => started.length === 1);
    expect(started).toEqual(['j1']);

    stop();
    await connection.call('jobs.generateImage', { prompt: 'a dog', ratio: '1:1' });
    await connection.call('system.info');
    expect(started).toEqual(['j1']);
  });

  it('fails a call in flight when the connection drops, then reconnects by itself', async () => {
    const server = await startEngineStandIn();
    cleanups.push(() => server.close());
    const { connection, states } = connect(server);
    const started: string[] = [];
    connection.on('job.started', (data) => started.push(data.jobId));
    await connection.call('system.info');

    const inFlight = connection.call('jobs.list');
    await until(() => server.clients.size === 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (const client of server.clients) client.terminate();
    const lost = await rejection(inFlight);
    expect(lost.detail).toMatchObject({
      code: 'engine_unavailable',
      message: 'the connection to the engine was lost',
    });

    await until(() => states.at(-1) === 'open');
    expect(states).toEqual(['connecting', 'connecting', 'open', 'closed', 'connecting', 'open']);
    await connection.call('jobs.generateImage', { prompt: 'again', ratio: '1:1' });
    await until(() => started.length === 1);
  });

  it('holds calls made before the engine listens, and sends them once it does', async () => {
    const probe = await startEngineStandIn();
    const port = probe.address().port;
    probe.close();
    const { connection } = connect(port);
    const info = connection.call('system.info');
    await new Promise((resolve) => setTimeout(resolve, 150));
    const server = await startEngineStandIn(port);
    cleanups.push(() => server.close());
    expect(await info).toEqual(INFO);
  });

  it('gives up on a refused secret, naming it, and fails calls that cannot connect in time', async () => {
    const server = await startEngineStandIn(0, true);
    cleanups.push(() => server.close());
    const refusedSecret = {
      name: 'EngineError',
      code: 'unauthorized',
      message: 'missing or wrong launch secret',
    } as const;
    const { connection, states } = connect(server, { diagnose: () => Promise.resolve(refusedSecret) });
    const refused = await rejection(connection.call('system.info'));
    expect(refused.detail).toEqual(refusedSecret);
    expect(states.at(-1)).toBe('closed');

    const { connection: patient } = connect(server, {
      diagnose: () => Promise.resolve(null),
      connectTimeoutMs: 200,
    });
    const timedOut = await rejection(patient.call('system.info'));
    expect(timedOut.detail).toMatchObject({ code: 'engine_unavailable' });
  });

  it('rejects everything once closed', async () => {
    const server = await startEngineStandIn();
    cleanups.push(() => server.close());
    const { connection }: { connection: EngineConnection } = connect(server);
    const waiting = connection.call('jobs.list');
    await until(() => server.clients.size === 1);
    connection.close();
    expect((await rejection(waiting)).message).toBe('the engine client is closed');
    expect((await rejection(connection.call('system.info'))).message).toBe('the engine client is closed');
  });
});
