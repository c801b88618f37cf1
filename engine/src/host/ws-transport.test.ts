/**
 * The protocol over the web host's WebSocket, end to end: a real host on an ephemeral port, the engine
 * service on the tiny fixture model, and real `ws` clients.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type {
  EngineEvent,
  EventData,
  EventName,
  MethodName,
  MethodParams,
  MethodResult,
  ServerMessage,
} from '../api/index.js';
import { importModel } from '../model/import-model.js';
import { TINY } from '../model/reference-fixtures.js';
import { createEngineService, type EngineService } from '../app/engine-service.js';
import { startWebHost, type WebHost } from './web-host.js';

/** A test client: raw sends, replies by id, and every event it was sent. */
class Client {
  readonly events: EngineEvent[] = [];
  private readonly replies: ServerMessage[] = [];
  private readonly waiters: (() => void)[] = [];
  private nextId = 1;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as ServerMessage;
      if (message.type === 'event') this.events.push(message as EngineEvent);
      else this.replies.push(message);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static async open(host: WebHost, token = host.secret): Promise<Client> {
    const socket = new WebSocket(`ws://127.0.0.1:${host.port}/api/ws?token=${token}`);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    return new Client(socket);
  }

  /** Resolves once `find` finds something in what arrived so far. */
  async until<T>(find: () => T | undefined, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error('timed out waiting for a message');
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  /** Sends text as it is and waits for the reply with `id` (null: the first reply without an id). */
  async sendRaw(text: string | Buffer, id: string | number | null): Promise<ServerMessage> {
    const before = this.replies.length;
    this.socket.send(text);
    return this.until(() => this.replies.slice(before).find((reply) => 'id' in reply && reply.id === id));
  }

  request<M extends MethodName>(method: M, params: MethodParams<M>): Promise<ServerMessage> {
    const id = this.nextId++;
    return this.sendRaw(JSON.stringify({ type: 'request', id, method, params }), id);
  }

  /** A method's result; fails the test on an error reply. */
  async call<M extends MethodName>(method: M, params: MethodParams<M>) {
    const reply = await this.request(method, params);
    if (reply.type !== 'response') throw new Error(`${method} failed: ${JSON.stringify(reply)}`);
    return reply.result as MethodResult<M>;
  }

  event<E extends EventName>(name: E, where: (data: EventData<E>) => boolean): EventData<E> | undefined {
    const found = this.events.find((e) => e.event === name && where(e.data as EventData<E>));
    return found?.data as EventData<E> | undefined;
  }

  eventsOf<E extends EventName>(name: E, jobId: string): EventData<E>[] {
    return this.events
      .filter((e) => e.event === name && (e.data as { jobId?: string }).jobId === jobId)
      .map((e) => e.data as EventData<E>);
  }

  close(): void {
    this.socket.close();
  }
}

/** What an upgrade attempt gets back: the socket, or the refusal's HTTP status and error body. */
function tryUpgrade(
  host: WebHost,
  path: string,
  options: WebSocket.ClientOptions = {},
): Promise<{ status: number; body: { error?: { code?: string; message: string } } }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${host.port}${path}`, options);
    socket.once('open', () => {
      socket.close();
      resolve({ status: 101, body: {} });
    });
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: body ? JSON.parse(body) : {} }),
      );
    });
    socket.once('error', (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}

const GRID_48 = { ratio: '1:1', area: 48 * 48, negativePrompt: 'blurry' } as const;

describe('the protocol over the web host WebSocket', () => {
  let rendererDir: string;
  let modelsDir: string;
  let modelId: string;
  let engine: EngineService;
  let host: WebHost;
  let client: Client;

  beforeAll(async () => {
    rendererDir = mkdtempSync(join(tmpdir(), 'emu3-renderer-'));
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Emu3 Studio</title>');
    modelsDir = mkdtempSync(join(tmpdir(), 'emu3-models-'));
    modelId = (await importModel(TINY.hf, { modelsDir })).manifest.id;
    engine = createEngineService({
      modelsDir,
      libraryDir: join(modelsDir, 'library'),
      provider: 'cpu',
      threads: 2,
    });
    host = await startWebHost({ rendererDir, engine });
    client = await Client.open(host);
  }, 60_000);

  afterAll(async () => {
    client?.close();
    await host?.close();
    await engine?.close();
    rmSync(rendererDir, { recursive: true, force: true });
    rmSync(modelsDir, { recursive: true, force: true });
  });

  describe('the upgrade', () => {
    it('needs the launch secret', async () => {
      for (const path of ['/api/ws', '/api/ws?token=nope', `/api/ws?token=${host.secret}x`]) {
        const { status, body } = await tryUpgrade(host, path);
        expect(status).toBe(401);
        expect(body.error).toMatchObject({ code: 'unauthorized', message: 'missing or wrong launch secret' });
      }
    });

    it('refuses a Host that is not this loopback port, and an Origin from another site', async () => {
      const path = `/api/ws?token=${host.secret}`;
      const rebound = await tryUpgrade(host, path, { headers: { Host: `evil.example:${host.port}` } });
      expect(rebound.status).toBe(403);
      expect(rebound.body.error?.message).toBe(`host header evil.example:${host.port} refused`);
      const foreign = await tryUpgrade(host, path, { origin: 'https://evil.example' });
      expect(foreign.status).toBe(403);
      expect(foreign.body.error?.message).toBe('origin https://evil.example refused');
      const otherPort = await tryUpgrade(host, path, { origin: `http://127.0.0.1:${host.port + 1}` });
      expect(otherPort.status).toBe(403);
    });

    it('accepts the studio page’s own origin, under any loopback name', async () => {
      const path = `/api/ws?token=${host.secret}`;
      expect((await tryUpgrade(host, path, { origin: host.origin })).status).toBe(101);
      const localhost = await tryUpgrade(host, path, {
        origin: `http://localhost:${host.port}`,
        headers: { Host: `localhost:${host.port}` },
      });
      expect(localhost.status).toBe(101);
    });

    it('has no socket elsewhere, and none on a host without an engine', async () => {
      const elsewhere = await tryUpgrade(host, `/api/other?token=${host.secret}`);
      expect(elsewhere.status).toBe(404);
      const bare = await startWebHost({ rendererDir });
      try {
        expect((await tryUpgrade(bare, `/api/ws?token=${bare.secret}`)).status).toBe(404);
      } finally {
        await bare.close();
      }
    });
  });

  describe('the envelope', () => {
    it('answers bad JSON with an error that has no id', async () => {
      const reply = await client.sendRaw('{"type": "request", ', null);
      expect(reply).toMatchObject({
        type: 'error',
        id: null,
        error: {
          name: 'EngineError',
          code: 'bad_request',
          message: expect.stringMatching(/^message is not JSON/),
        },
      });
      const binary = await client.sendRaw(Buffer.from([1, 2, 3]), null);
      expect(binary).toMatchObject({ error: { message: expect.stringMatching(/binary messages/) } });
    });

    it('names what is missing from a request, keeping its id when it has one', async () => {
      const reply = await client.sendRaw(JSON.stringify({ type: 'request', id: 'a1' }), 'a1');
      expect(reply).toMatchObject({ type: 'error', id: 'a1', error: { code: 'bad_request' } });
      expect(reply.type === 'error' && reply.error.message).toMatch(/^not a request: method: /);
      const notRequest = await client.sendRaw(JSON.stringify({ type: 'response', id: 7, result: 1 }), 7);
      expect(notRequest).toMatchObject({ type: 'error', id: 7 });
    });

    it('names an unknown method', async () => {
      const reply = await client.sendRaw(
        JSON.stringify({ type: 'request', id: 2, method: 'models.delete' }),
        2,
      );
      expect(reply).toMatchObject({
        type: 'error',
        id: 2,
        error: { name: 'EngineError', code: 'bad_request', message: 'unknown method "models.delete"' },
      });
    });

    it('names the bad param, and keeps the connection', async () => {
      const wrongType = await client.sendRaw(
        JSON.stringify({
          type: 'request',
          id: 3,
          method: 'jobs.generateImage',
          params: { prompt: 42, ratio: '1:1' },
        }),
        3,
      );
      expect(wrongType).toMatchObject({
        type: 'error',
        error: {
          code: 'bad_request',
          message: 'jobs.generateImage: params.prompt: Invalid input: expected string, received number',
        },
      });
      const typo = await client.sendRaw(
        JSON.stringify({
          type: 'request',
          id: 4,
          method: 'jobs.generateImage',
          params: { prompt: 'a cat', ratio: '16x9', negative_prompt: 'dog' },
        }),
        4,
      );
      expect(typo.type === 'error' && typo.error.message).toMatch(
        /^jobs\.generateImage: params\.ratio: expected "W:H".*; params: Unrecognized key: "negative_prompt"/,
      );
      expect(await client.call('system.info', {})).toMatchObject({ name: 'emu3-studio-engine' });
    });
  });

  describe('methods and events', () => {
    it('system.info', async () => {
      expect(await client.call('system.info', {})).toEqual({
        name: 'emu3-studio-engine',
        version: expect.stringMatching(/^\d+\.\d+\.\d+/),
        runtime: { node: process.versions.node, platform: process.platform, arch: process.arch },
        host: 'web',
      });
    });

    it('models.list and models.activate, with the status event to every client', async () => {
      const other = await Client.open(host);
      try {
        const listed = await client.call('models.list', {});
        expect(listed).toEqual([
          {
            id: modelId,
            name: 'hf',
            dir: join(modelsDir, modelId),
            layout: 'hf-disk',
            precision: 'fp32',
            createdAt: expect.any(String),
            imageArea: 576,
            temporalFactor: 4,
            decoder: {
              numLayers: 2,
              hiddenSize: 64,
              numHeads: 4,
              vocabSize: 571,
              maxPositionEmbeddings: 256,
            },
            active: false,
            generationDefaults: {
              guidance: 3,
              temperature: 1,
              topK: expect.any(Number),
              topP: 1,
              greedy: false,
            },
            bundled: false,
            bytes: expect.any(Number),
            files: expect.arrayContaining([expect.objectContaining({ path: 'decoder.onnx' })]),
            sourceFiles: expect.any(Array),
          },
        ]);
        const noModel = await client.request('jobs.generateImage', { prompt: 'a cat', ratio: '1:1' });
        expect(noModel).toMatchObject({ type: 'error', error: { message: /no model is active/ } });

        expect(await client.call('models.activate', { id: modelId })).toMatchObject({
          id: modelId,
          active: true,
        });
        for (const each of [client, other])
          await each.until(() => each.event('engine.status', (status) => status.activeModelId === modelId));
        expect(await client.call('models.list', {})).toMatchObject([{ id: modelId, active: true }]);

        const missing = await client.request('models.activate', { id: 'f'.repeat(64) });
        expect(missing).toMatchObject({ type: 'error', error: { code: 'not_found' } });
      } finally {
        other.close();
      }
    });

    it('jobs.generateImage: progress, preview, and the finished image as a data URL', async () => {
      const { jobId } = await client.call('jobs.generateImage', {
        prompt: 'a red cube',
        ...GRID_48,
        seed: 7,
      });
      const finished = await client.until(() => client.event('job.finished', (e) => e.jobId === jobId));
      expect(client.eventsOf('job.failed', jobId)).toEqual([]);

      const progress = client.eventsOf('job.progress', jobId);
      expect(progress[0]).toMatchObject({ done: 1, total: 159 });
      expect(progress.at(-1)).toMatchObject({ done: 159, total: 159, secondsLeft: 0 });
      expect(progress.map((p) => p.done)).toEqual([...progress.map((p) => p.done)].sort((a, b) => a - b));
      for (const preview of client.eventsOf('job.preview', jobId)) {
        expect(preview.image).toMatch(/^data:image\/png;base64,/);
      }

      expect(finished).toMatchObject({ width: 48, height: 48 });
      expect(finished.record).toMatchObject({
        mode: 'image',
        model: { id: modelId, precision: 'fp32' },
        prompt: 'a red cube',
        negativePrompt: 'blurry',
        ratio: '1:1',
        area: 2304,
        grid: { height: 12, width: 12, frames: 1 },
        seed: 7,
        outputTokens: 159,
      });
      const png = Buffer.from(finished.image.slice('data:image/png;base64,'.length), 'base64');
      expect(await sharp(png).metadata()).toMatchObject({ format: 'png', width: 48, height: 48 });

      const jobs = await client.call('jobs.list', {});
      expect(jobs.find((job) => job.jobId === jobId)).toMatchObject({
        status: 'finished',
        prompt: 'a red cube',
        progress: { done: 159, total: 159 },
      });
    });

    it('jobs.cancel stops a running job within a step', async () => {
      const { jobId } = await client.call('jobs.generateImage', { prompt: 'a blue sphere', ...GRID_48 });
      await client.until(() => client.event('job.progress', (e) => e.jobId === jobId));
      expect(await client.call('jobs.cancel', { jobId })).toEqual({ jobId, status: 'cancelled' });
      await client.until(() => client.event('job.cancelled', (e) => e.jobId === jobId));
      expect(client.eventsOf('job.finished', jobId)).toEqual([]);
      expect(client.eventsOf('job.progress', jobId).at(-1)!.done).toBeLessThan(159);
      const jobs = await client.call('jobs.list', {});
      expect(jobs.find((job) => job.jobId === jobId)?.status).toBe('cancelled');
    });

    it('jobs.cancel removes a queued job, and the one before it still finishes', async () => {
      const first = await client.call('jobs.generateImage', { prompt: 'one', ...GRID_48 });
      const second = await client.call('jobs.generateImage', { prompt: 'two', ...GRID_48 });
      const listed = await client.call('jobs.list', {});
      expect(listed.find((job) => job.jobId === second.jobId)?.status).toBe('queued');
      expect(await client.call('jobs.cancel', { jobId: second.jobId })).toEqual({
        jobId: second.jobId,
        status: 'cancelled',
      });
      await client.until(() => client.event('job.finished', (e) => e.jobId === first.jobId));
      expect(client.eventsOf('job.started', second.jobId)).toEqual([]);
      const jobs = await client.call('jobs.list', {});
      expect(jobs.map((job) => job.jobId)).not.toContain(second.jobId);
      const unknown = await client.request('jobs.cancel', { jobId: 'nope' });
      expect(unknown).toMatchObject({ type: 'error', error: { code: 'not_found', message: 'no job nope' } });
    });
  });
});
