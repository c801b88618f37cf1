/** Library media through the web host: by hash only, behind the launch secret, with byte ranges. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestRecord } from '../library/fixtures.js';
import { Library } from '../library/library.js';
import { createEngineService, type EngineService } from '../app/engine-service.js';
import { parseRange } from './media-route.js';
import { startWebHost, type WebHost } from './web-host.js';

function fetchRaw(
  host: WebHost,
  path: string,
  options: { method?: string; headers?: Record<string, string> } = {},
) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>(
    (resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: host.port,
          path,
          method: options.method ?? 'GET',
          headers: options.headers,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
          );
        },
      );
      req.on('error', reject);
      req.end();
    },
  );
}

describe('media route', () => {
  let dir: string;
  let engine: EngineService;
  let host: WebHost;
  let png: Buffer;
  let path: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'emu3-media-route-'));
    const rendererDir = join(dir, 'renderer');
    mkdirSync(rendererDir);
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Emu3 Studio</title>');
    png = await sharp({ create: { width: 4, height: 3, channels: 3, background: '#3366ff' } })
      .png()
      .toBuffer();
    writeFileSync(join(dir, 'item.png'), png);
    // A second connection to the library the engine opens, as the CLI beside the app would be.
    const library = Library.open(join(dir, 'library'));
    const item = await library.addItem({ record: makeTestRecord(1), mediaPath: join(dir, 'item.png') });
    library.close();
    engine = createEngineService({
      modelsDir: join(dir, 'models'),
      libraryDir: join(dir, 'library'),
      provider: 'cpu',
    });
    host = await startWebHost({ rendererDir, engine });
    path = `/api/media/${item.media.sha256}.png`;
  });

  afterAll(async () => {
    await host?.close();
    await engine?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves a stored file by hash with its content type, only with the launch secret', async () => {
    expect((await fetchRaw(host, path)).status).toBe(401);
    const response = await fetchRaw(host, `${path}?token=${host.secret}`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('image/png');
    expect(response.headers['accept-ranges']).toBe('bytes');
    expect(response.headers['cache-control']).toContain('immutable');
    expect(response.body).toEqual(png);
    expect(readFileSync(engine.mediaFile(path.slice(11, 75), 'png').path)).toEqual(png);
    const head = await fetchRaw(host, `${path}?token=${host.secret}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(png.length));
    expect(head.body.length).toBe(0);
  });

  it('answers only hashes the library holds, under their own extension, never a path', async () => {
    const token = `?token=${host.secret}`;
    const cases: [string, number, RegExp][] = [
      [`/api/media/${'0'.repeat(64)}.png`, 404, /not in the library/],
      [path.replace('.png', '.jpg'), 404, /not in the library/],
      ['/api/media/..%2F..%2Fetc%2Fpasswd', 404, /no media at/],
      ['/api/media/../library.sqlite', 404, /no API route|no media at/],
      [`/api/media/${'A'.repeat(64)}.png`, 404, /no media at/],
    ];
    for (const [url, status, message] of cases) {
      const response = await fetchRaw(host, url + token);
      expect(response.status, url).toBe(status);
      expect(JSON.parse(response.body.toString()).error.message, url).toMatch(message);
    }
    const post = await fetchRaw(host, path + token, { method: 'POST' });
    expect(post.status).toBe(405);
  });

  it('answers a byte range, an unsatisfiable one, and a conditional request', async () => {
    const url = `${path}?token=${host.secret}`;
    const part = await fetchRaw(host, url, { headers: { Range: 'bytes=2-9' } });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 2-9/${png.length}`);
    expect(part.body).toEqual(png.subarray(2, 10));
    const tail = await fetchRaw(host, url, { headers: { Range: 'bytes=-4' } });
    expect(tail.body).toEqual(png.subarray(png.length - 4));
    const beyond = await fetchRaw(host, url, { headers: { Range: `bytes=${png.length}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers['content-range']).toBe(`bytes */${png.length}`);
    const etag = String(part.headers.etag);
    expect((await fetchRaw(host, url, { headers: { 'If-None-Match': etag } })).status).toBe(304);
  });
});

describe('parseRange', () => {
  it('reads one bytes range, clamps its end, and ignores forms it does not read', () => {
    expect(parseRange(undefined, 10)).toBeNull();
    expect(parseRange('bytes=0-0', 10)).toEqual({ start: 0, end: 0 });
    expect(parseRange('bytes=5-', 10)).toEqual({ start: 5, end: 9 });
    expect(parseRange('bytes=5-100', 10)).toEqual({ start: 5, end: 9 });
    expect(parseRange('bytes=-3', 10)).toEqual({ start: 7, end: 9 });
    expect(parseRange('bytes=-30', 10)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=10-', 10)).toBe('unsatisfiable');
    expect(parseRange('bytes=6-2', 10)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 10)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-1,4-5', 10)).toBeNull();
    expect(parseRange('items=0-1', 10)).toBeNull();
  });
});
