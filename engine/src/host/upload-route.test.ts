/** `POST /api/upload` on the real web host with a real engine: what it takes and what it refuses. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngineService, type EngineService } from '../app/engine-service.js';
import { startWebHost, type WebHost } from './web-host.js';

function post(
  host: WebHost,
  path: string,
  headers: Record<string, string | number>,
  body: Buffer | null,
  method = 'POST',
) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, path, method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body ?? undefined);
  });
}

describe('upload route', () => {
  let dir: string;
  let engine: EngineService;
  let host: WebHost;
  let png: Buffer;
  const auth = () => ({ Authorization: `Bearer ${host.secret}` });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'emu3-upload-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Emu3 Studio</title>');
    engine = createEngineService({
      modelsDir: join(dir, 'models'),
      libraryDir: join(dir, 'library'),
      home: dir,
      provider: 'cpu',
    });
    host = await startWebHost({ rendererDir: dir, engine });
    png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#3366cc' } })
      .png()
      .toBuffer();
  });

  afterAll(async () => {
    await host?.close();
    await engine?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps an image by its content and answers what it kept', async () => {
    const response = await post(
      host,
      '/api/upload?name=blue%20square.png',
      { ...auth(), 'Content-Type': 'image/png', Origin: host.origin },
      png,
    );
    expect(response.status).toBe(200);
    const upload = JSON.parse(response.body) as { sha256: string; name: string; mediaKind: string };
    expect(upload).toMatchObject({ name: 'blue square.png', mediaKind: 'image', bytes: png.length });
    expect(engine.mediaFile(upload.sha256, 'png').path).toContain(upload.sha256);
  });

  it('refuses uploads without the secret, from another origin, of other types, or too large', async () => {
    const png = { 'Content-Type': 'image/png' };
    const cases: [Record<string, string | number>, number, RegExp][] = [
      [{ ...png }, 401, /launch secret/],
      [{ ...png, Authorization: 'Bearer nope' }, 401, /launch secret/],
      [{ ...png, ...auth(), Origin: 'http://evil.example' }, 403, /origin http:\/\/evil\.example refused/],
      [{ ...auth(), 'Content-Type': 'text/html' }, 415, /text\/html: only images and videos/],
      [{ ...png, ...auth(), 'Content-Length': 600 * 1024 * 1024 }, 413, /at most 512 MiB/],
    ];
    for (const [headers, status, message] of cases) {
      const response = await post(host, '/api/upload?name=x.png', headers, null);
      expect(response.status, JSON.stringify(headers)).toBe(status);
      expect((JSON.parse(response.body) as { error: { message: string } }).error.message).toMatch(message);
    }
    const get = await post(host, '/api/upload', auth(), null, 'GET');
    expect(get.status).toBe(405);
  });

  it('refuses bytes that are no image or video, whatever the type says', async () => {
    const response = await post(
      host,
      '/api/upload?name=fake.png',
      { ...auth(), 'Content-Type': 'image/png' },
      Buffer.from('<html>not a picture</html>'),
    );
    expect(response.status).toBe(400);
    // Named as the user named it, not by the temp file the route wrote.
    expect((JSON.parse(response.body) as { error: { message: string } }).error.message).toBe(
      'fake.png: not a PNG, JPEG, WebP, GIF, MP4, MOV or WebM file',
    );
  });
});
