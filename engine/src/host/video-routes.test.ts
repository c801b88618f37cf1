/** The web host's video routes over real HTTP, with the engine's video part stubbed: who may upload what. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineError, type VideoSourceInfo } from '../api/index.js';
import type { EngineService } from '../app/engine-service.js';
import type { VideoTransfers } from '../app/video-methods.js';
import { startWebHost, type WebHost } from './web-host.js';

const INFO = { name: 'clip.mkv', width: 64, height: 48 } as VideoSourceInfo;

describe('video routes', () => {
  let dir: string;
  let host: WebHost;
  const received: { name: string; bytes: number }[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'emu3-video-routes-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html>');
    writeFileSync(join(dir, 'export.gif'), 'GIF89a-and-more');
    const video: VideoTransfers = {
      async acceptUpload(body, name) {
        let bytes = 0;
        for await (const chunk of body) bytes += chunk.byteLength;
        received.push({ name, bytes });
        if (name === 'broken.mp4')
          throw new EngineError('invalid_file', 'broken.mp4: Invalid data found when processing input');
        return INFO;
      },
      async exportFile(itemId, format) {
        if (itemId !== 7) throw new EngineError('not_found', `library item ${itemId}: no such item`);
        return {
          path: join(dir, 'export.gif'),
          fileName: `emu3-7-ring.${format}`,
          contentType: 'image/gif',
          bytes: 15,
        };
      },
    };
    host = await startWebHost({
      rendererDir: dir,
      engine: { video, onEvent: () => () => {} } as unknown as EngineService,
    });
  });

  afterAll(async () => {
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const upload = (name: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${host.origin}/api/video-upload?name=${encodeURIComponent(name)}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${host.secret}`, 'Content-Type': 'video/x-matroska', ...headers },
      body,
    });

  it('takes a video behind the secret, and answers what the engine made of it', async () => {
    const response = await upload('clip.mkv', 'x'.repeat(1000));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(INFO);
    expect(received.at(-1)).toEqual({ name: 'clip.mkv', bytes: 1000 });
  });

  it('refuses without the Bearer secret, from another origin, a type that is no video, or too large', async () => {
    const cases: [Promise<Response>, number, RegExp][] = [
      [upload('a.mp4', 'x', { Authorization: 'Bearer nope' }), 401, /launch secret/],
      [
        fetch(`${host.origin}/api/video-upload?name=a.mp4&token=${host.secret}`, {
          method: 'POST',
          body: 'x',
        }),
        401,
        /Bearer header/,
      ],
      [upload('a.mp4', 'x', { Origin: 'http://evil.example' }), 403, /origin http:\/\/evil\.example refused/],
      [
        upload('notes.txt', 'x', { 'Content-Type': 'text/plain' }),
        415,
        /^notes\.txt: text\/plain is not a video$/,
      ],
      [upload('broken.mp4', 'x'), 400, /^broken\.mp4: Invalid data/],
    ];
    for (const [pending, status, message] of cases) {
      const response = await pending;
      expect(response.status).toBe(status);
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
  });

  it('answers a declared size over the limit at once, before the body arrives', async () => {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: host.port,
          method: 'POST',
          path: '/api/video-upload?name=big.mp4',
          headers: { Authorization: `Bearer ${host.secret}`, 'Content-Length': String(2 ** 30) },
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.write('x'.repeat(1024));
    });
    expect(answer.status).toBe(413);
    expect(answer.body).toMatch(/big\.mp4: 1024 MiB, more than the 512 MiB a video upload may be/);
  });

  it('serves an export as a download, with the secret in the query', async () => {
    const response = await fetch(`${host.origin}/api/export/7.gif?token=${host.secret}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="emu3-7-ring.gif"');
    expect(await response.text()).toBe('GIF89a-and-more');
    expect((await fetch(`${host.origin}/api/export/7.gif`)).status).toBe(401);
    expect((await fetch(`${host.origin}/api/export/8.gif?token=${host.secret}`)).status).toBe(404);
    const avi = await fetch(`${host.origin}/api/export/7.avi?token=${host.secret}`);
    expect(avi.status).toBe(404);
    expect(((await avi.json()) as { error: { message: string } }).error.message).toMatch(
      /\.mp4, \.gif or \.webp \(a video\), \.png, \.webp or \.jpg \(an image\)$/,
    );
  });

  it('serves an image export by the same route: the format is passed on as asked', async () => {
    const response = await fetch(`${host.origin}/api/export/7.jpg?token=${host.secret}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="emu3-7-ring.jpg"');
  });
});
