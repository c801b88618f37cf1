import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SaveDialogOptions } from 'electron';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { uploadTypeOfName, type AskUpload, type VideoSourceInfo } from '../../engine/src/api/index.js';
import { PickedPaths } from './picked-paths.js';
import { createTransferHandlers, exportSource } from './transfers.js';

const SHA = 'b'.repeat(56) + '0123abcd';
const ASK_UPLOAD: AskUpload = {
  sha256: SHA,
  media: { sha256: SHA, ext: 'png' },
  mediaKind: 'image',
  name: 'cat.png',
  bytes: 4,
  addedAt: '2025-01-01T00:00:00.000Z',
};
const SOURCE_INFO: VideoSourceInfo = {
  source: { kind: 'upload', uploadId: '0'.repeat(8) + '-0000-0000-0000-' + '0'.repeat(12) },
  name: 'clip.mp4',
  width: 64,
  height: 64,
  fps: 8,
  frames: 16,
  durationSeconds: 2,
  lastFrame: 'data:image/png;base64,AAAA',
  fits: [{ ratio: '1:1', crop: { x: 0, y: 0, width: 64, height: 64 }, width: 64, height: 64 }],
  temporalFactor: 4,
};

interface Seen {
  method?: string;
  url?: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** What the stand-in engine answers for one request: a status and a body, or a connection cut mid-body. */
type Answer = { status: number; body: unknown } | { status: 200; bytes: Buffer; cutAfter?: number };

let server: Server | undefined;
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'emu3-transfers-'));
});
afterEach(async () => {
  rmSync(dir, { recursive: true, force: true });
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A real HTTP server in the engine's place: records each request whole, then answers as told. */
async function fakeEngine(answer: (seen: Seen) => Answer) {
  const seen: Seen[] = [];
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = {
        method: request.method,
        url: request.url,
        headers: request.headers,
        body: Buffer.concat(chunks),
      };
      seen.push(entry);
      const reply = answer(entry);
      if ('bytes' in reply) {
        response.writeHead(200, { 'Content-Length': reply.bytes.length });
        if (reply.cutAfter === undefined) return void response.end(reply.bytes);
        response.write(reply.bytes.subarray(0, reply.cutAfter));
        return void setTimeout(() => response.destroy(), 20);
      }
      response.writeHead(reply.status, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, seen };
}

function handlers(origin: string | null, options: { save?: string } = {}) {
  const picked = new PickedPaths();
  const dialogs: SaveDialogOptions[] = [];
  const transfers = createTransferHandlers({
    engine: () => (origin === null ? null : { origin, secret: 's3cret' }),
    fetchEngine: fetch,
    picked,
    showSave: async (shown) => {
      dialogs.push(shown);
      return options.save ? { canceled: false, filePath: options.save } : { canceled: true };
    },
  });
  return { ...transfers, picked, dialogs };
}

describe('upload.ask and upload.video', () => {
  it("sends the page's bytes to the engine's upload route with the secret, and answers its upload", async () => {
    const { origin, seen } = await fakeEngine(() => ({ status: 200, body: ASK_UPLOAD }));
    const { 'upload.ask': uploadAsk } = handlers(origin);
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
    const result = await uploadAsk({ kind: 'bytes', name: 'my cat?.png', type: 'image/png', bytes });
    expect(result).toEqual({ ok: true, value: ASK_UPLOAD });
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: '/api/upload?name=my%20cat%3F.png',
      headers: { authorization: 'Bearer s3cret', 'content-type': 'image/png' },
    });
    expect([...seen[0]!.body]).toEqual([...bytes]);
  });

  it('streams a file the user picked, typed by its name', async () => {
    const { origin, seen } = await fakeEngine(() => ({ status: 200, body: SOURCE_INFO }));
    const { 'upload.video': uploadVideo, picked } = handlers(origin);
    const path = picked.grant(join(dir, 'clip.mp4'));
    const content = Buffer.alloc(200_000, 7);
    writeFileSync(path, content);
    expect(await uploadVideo({ kind: 'picked', path })).toEqual({ ok: true, value: SOURCE_INFO });
    expect(seen[0]).toMatchObject({
      url: '/api/video-upload?name=clip.mp4',
      headers: { 'content-type': 'video/mp4' },
    });
    expect(seen[0]!.body.equals(content)).toBe(true);
  });

  it('refuses, before reading it, a path that no dialog returned, however it is spelled', async () => {
    const { origin, seen } = await fakeEngine(() => ({ status: 200, body: ASK_UPLOAD }));
    const { 'upload.ask': uploadAsk, picked } = handlers(origin);
    const secret = join(dir, 'id_rsa');
    writeFileSync(secret, 'private');
    picked.grant(join(dir, 'cat.png'));
    for (const path of [
      secret,
      `${dir}/cat.png/../id_rsa`,
      'cat.png',
      '../cat.png',
      `${join(dir, 'cat.png')}\0`,
    ]) {
      expect(() => uploadAsk({ kind: 'picked', path }), path).toThrow(
        expect.objectContaining({ name: 'EngineError', code: 'unauthorized' }),
      );
    }
    expect(seen).toEqual([]);
  });

  it('refuses bad arguments with a named error, without a request', async () => {
    const { origin, seen } = await fakeEngine(() => ({ status: 200, body: ASK_UPLOAD }));
    const { 'upload.ask': uploadAsk, 'upload.video': uploadVideo } = handlers(origin);
    const good = { kind: 'bytes', name: 'a.png', type: 'image/png', bytes: new Uint8Array([1]) };
    for (const bad of [
      undefined,
      'a.png',
      { ...good, kind: 'path' },
      { ...good, bytes: [1, 2, 3] },
      { ...good, bytes: 'AAAA' },
      { ...good, name: '' },
      { ...good, type: 'image/png\r\nX-Evil: 1' },
      { ...good, path: '/etc/passwd' },
      { kind: 'picked', path: 42 },
    ]) {
      expect(() => uploadAsk(bad), JSON.stringify(bad)).toThrow(
        expect.objectContaining({ name: 'EngineError', code: 'bad_request' }),
      );
    }
    expect(() => uploadVideo({ kind: 'picked' })).toThrow(/^upload\.video: path: /);
    expect(seen).toEqual([]);
  });

  it("answers the engine's own error, and says so when it answers nonsense", async () => {
    const refusal = { name: 'EngineError', code: 'unsupported', message: 'a.txt: text/plain is not a video' };
    const { origin } = await fakeEngine((seen) =>
      seen.url?.startsWith('/api/video-upload')
        ? { status: 415, body: { error: refusal } }
        : { status: 200, body: { sha256: 'not a hash' } },
    );
    const { 'upload.ask': uploadAsk, 'upload.video': uploadVideo } = handlers(origin);
    const file = { kind: 'bytes', name: 'a.txt', type: 'text/plain', bytes: new Uint8Array([1]) };
    expect(await uploadVideo(file)).toEqual({ ok: false, error: refusal });
    expect(await uploadAsk(file)).toMatchObject({
      ok: false,
      error: { name: 'InternalError', message: 'a.txt: the engine answered in an unexpected shape' },
    });
  });

  it('answers engine_unavailable when the engine is down or unreachable, and not_found for a vanished file', async () => {
    const file = { kind: 'bytes', name: 'a.png', type: 'image/png', bytes: new Uint8Array([1]) };
    expect(await handlers(null)['upload.ask'](file)).toEqual({
      ok: false,
      error: { name: 'EngineError', code: 'engine_unavailable', message: 'the engine is not running' },
    });
    const { origin } = await fakeEngine(() => ({ status: 200, body: ASK_UPLOAD }));
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const gone = handlers(origin);
    expect(await gone['upload.ask'](file)).toMatchObject({
      ok: false,
      error: { code: 'engine_unavailable', message: 'a.png: the upload did not reach the engine' },
    });
    const path = gone.picked.grant(join(dir, 'deleted.png'));
    expect(await gone['upload.ask']({ kind: 'picked', path })).toMatchObject({
      ok: false,
      error: { code: 'not_found', message: 'deleted.png: the file is no longer there' },
    });
  });
});

describe('export.save', () => {
  const video = { kind: 'video', itemId: 7, format: 'mp4' } as const;

  it('asks where in a save dialog, then writes the export there and nowhere else', async () => {
    const content = Buffer.from('an mp4, as the engine exported it');
    const { origin, seen } = await fakeEngine(() => ({ status: 200, bytes: content }));
    const destination = join(dir, 'picked by the user.mp4');
    const { 'export.save': save, dialogs } = handlers(origin, { save: destination });
    expect(await save(video)).toEqual({ ok: true, value: { path: destination } });
    expect(dialogs[0]).toMatchObject({ defaultPath: 'emu3-7.mp4', filters: [{ extensions: ['mp4'] }] });
    expect(seen[0]).toMatchObject({
      method: 'GET',
      url: '/api/export/7.mp4',
      headers: { authorization: 'Bearer s3cret' },
    });
    expect(readFileSync(destination).equals(content)).toBe(true);
    expect(readdirSync(dir)).toEqual(['picked by the user.mp4']);
  });

  it('exports an image from the library by its hash', async () => {
    const { origin, seen } = await fakeEngine(() => ({ status: 200, bytes: Buffer.from('png') }));
    const { 'export.save': save, dialogs } = handlers(origin, { save: join(dir, 'cat.png') });
    expect(await save({ kind: 'media', media: { sha256: SHA, ext: 'png' } })).toMatchObject({ ok: true });
    expect(seen[0]?.url).toBe(`/api/media/${SHA}.png`);
    expect(dialogs[0]).toMatchObject({ defaultPath: `emu3-${SHA.slice(0, 12)}.png` });
  });

  it('does nothing when the user cancels', async () => {
    const { origin, seen } = await fakeEngine(() => ({ status: 200, bytes: Buffer.from('x') }));
    expect(await handlers(origin)['export.save'](video)).toEqual({ ok: true, value: null });
    expect(seen).toEqual([]);
  });

  it('refuses a destination, or anything else, from the page', async () => {
    const { 'export.save': save, dialogs } = handlers('http://127.0.0.1:1', { save: '/tmp/x' });
    for (const bad of [
      { ...video, path: '/home/a/.bashrc' },
      { ...video, format: 'html' },
      { ...video, itemId: -1 },
      { ...video, itemId: '7' },
      { kind: 'media', media: { sha256: '../../etc/passwd', ext: 'png' } },
      { kind: 'media', media: { sha256: SHA, ext: 'svg' } },
      null,
    ]) {
      expect(() => save(bad), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'bad_request' }));
    }
    expect(dialogs).toEqual([]);
  });

  it("keeps the user's old file whole when the engine fails or the transfer breaks off", async () => {
    const destination = join(dir, 'old.mp4');
    writeFileSync(destination, 'the old file');
    const missing = { name: 'EngineError', code: 'not_found', message: 'no item 7' };
    const failing = await fakeEngine(() => ({ status: 404, body: { error: missing } }));
    expect(await handlers(failing.origin, { save: destination })['export.save'](video)).toEqual({
      ok: false,
      error: missing,
    });
    await new Promise<void>((resolve) => server!.close(() => resolve()));

    const cut = await fakeEngine(() => ({ status: 200, bytes: Buffer.alloc(100_000, 1), cutAfter: 1000 }));
    expect(await handlers(cut.origin, { save: destination })['export.save'](video)).toEqual({
      ok: false,
      error: {
        name: 'EngineError',
        code: 'engine_unavailable',
        message: 'old.mp4: the export from the engine broke off',
      },
    });
    expect(readFileSync(destination, 'utf8')).toBe('the old file');
    expect(readdirSync(dir)).toEqual(['old.mp4']);
  });
});

describe('exportSource and uploadTypeOfName', () => {
  it('names engine routes by item id or hash only', () => {
    expect(exportSource({ kind: 'video', itemId: 12, format: 'gif' })).toEqual({
      route: '/api/export/12.gif',
      defaultName: 'emu3-12.gif',
    });
  });

  it("types a picked file by its name, and leaves the rest to the engine's sniffing", () => {
    expect(uploadTypeOfName('Clip.MOV')).toBe('video/quicktime');
    expect(uploadTypeOfName('a.jpeg')).toBe('image/jpeg');
    expect(uploadTypeOfName('notes.txt')).toBe('application/octet-stream');
  });
});
