import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createMediaHandler, mediaRequestHeaders, resolveMediaUrl } from './media-protocol.js';

const ENGINE = 'http://127.0.0.1:4321';
const SHA = 'a'.repeat(56) + '0123abcd';

describe('resolveMediaUrl', () => {
  it("maps a hash and an extension to the engine's media route", () => {
    expect(resolveMediaUrl(`emu3-media://${SHA}.png`, 'GET', ENGINE)).toEqual({
      ok: true,
      url: `${ENGINE}/api/media/${SHA}.png`,
      sha256: SHA,
      ext: 'png',
    });
    // The canonical form Chromium hands a standard scheme's handler has a trailing slash.
    expect(resolveMediaUrl(`emu3-media://${SHA}.mp4/`, 'HEAD', ENGINE)).toMatchObject({
      ok: true,
      ext: 'mp4',
    });
    // Everything the library's store keeps, uploads to Ask included.
    for (const ext of ['gif', 'webp', 'jpg', 'mov', 'webm']) {
      expect(resolveMediaUrl(`emu3-media://${SHA}.${ext}`, 'GET', ENGINE)).toMatchObject({ ok: true });
    }
  });

  it('refuses path traversal in every spelling', () => {
    for (const url of [
      'emu3-media://../../etc/passwd',
      'emu3-media://../etc/passwd',
      `emu3-media://${SHA}.png/../../etc/passwd`,
      `emu3-media://${SHA}.png/etc/passwd`,
      'emu3-media:///etc/passwd',
      'emu3-media:////etc/passwd',
      'emu3-media://..%2f..%2fetc%2fpasswd',
      'emu3-media://%2e%2e',
      'emu3-media://C:\\Windows\\win.ini',
      `emu3-media://${SHA}.png\\..\\..\\x`,
    ]) {
      const target = resolveMediaUrl(url, 'GET', ENGINE);
      expect(target.ok, url).toBe(false);
      expect([400, 404], url).toContain((target as { status: number }).status);
    }
  });

  it('refuses a hash that is not 64 lowercase hex digits', () => {
    for (const hash of [SHA.slice(1), `${SHA}0`, SHA.toUpperCase(), `${SHA.slice(1)}g`, '', 'passwd']) {
      expect(resolveMediaUrl(`emu3-media://${hash}.png`, 'GET', ENGINE)).toMatchObject({
        ok: false,
        status: 404,
      });
    }
  });

  it('refuses extensions off the allow-list', () => {
    for (const ext of ['html', 'svg', 'js', 'exe', 'png.html', 'PNG', '']) {
      expect(resolveMediaUrl(`emu3-media://${SHA}.${ext}`, 'GET', ENGINE), ext).toMatchObject({
        ok: false,
        status: 404,
      });
    }
    expect(resolveMediaUrl(`emu3-media://${SHA}`, 'GET', ENGINE)).toMatchObject({ ok: false });
  });

  it('refuses query strings, fragments, credentials, ports and other schemes', () => {
    for (const url of [
      `emu3-media://${SHA}.png?token=x`,
      `emu3-media://${SHA}.png/?x=1`,
      `emu3-media://${SHA}.png#x`,
      `emu3-media://user@${SHA}.png`,
      `emu3-media://${SHA}.png:80`,
      `file:///${SHA}.png`,
      `http://127.0.0.1:4321/api/media/${SHA}.png`,
    ]) {
      expect(resolveMediaUrl(url, 'GET', ENGINE).ok, url).toBe(false);
    }
    expect(resolveMediaUrl(`emu3-media://${SHA}.png?token=x`, 'GET', ENGINE)).toMatchObject({ status: 400 });
  });

  it('allows reading only', () => {
    expect(resolveMediaUrl(`emu3-media://${SHA}.png`, 'POST', ENGINE)).toMatchObject({
      ok: false,
      status: 405,
    });
  });
});

describe('mediaRequestHeaders', () => {
  it('passes on ranges and revalidation, drops the rest, and adds the secret', () => {
    const headers = mediaRequestHeaders(
      new Headers({
        Range: 'bytes=0-99',
        'If-None-Match': '"x"',
        Cookie: 'a=b',
        Authorization: 'Bearer page',
      }),
      'secret',
    );
    expect(Object.fromEntries(headers)).toEqual({
      authorization: 'Bearer secret',
      'if-none-match': '"x"',
      range: 'bytes=0-99',
    });
  });
});

describe('createMediaHandler against a real HTTP server', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  /** A stand-in for the engine's media route: checks the secret and answers with what it was asked. */
  async function fakeEngine(): Promise<{
    origin: string;
    seen: { url?: string; headers: IncomingHttpHeaders }[];
  }> {
    const seen: { url?: string; headers: IncomingHttpHeaders }[] = [];
    server = createServer((request, response) => {
      seen.push({ url: request.url, headers: request.headers });
      if (request.headers.authorization !== 'Bearer s3cret') return void response.writeHead(401).end();
      response.writeHead(request.headers.range ? 206 : 200, { 'Content-Type': 'image/png' });
      response.end(`bytes of ${request.url}`);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return { origin: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, seen };
  }

  it('fetches the media from the engine with the secret and the range', async () => {
    const { origin, seen } = await fakeEngine();
    const handle = createMediaHandler(() => ({ origin, secret: 's3cret' }), fetch);
    const response = await handle(
      new Request(`emu3-media://${SHA}.png`, { headers: { Range: 'bytes=0-3' } }),
    );
    expect(response.status).toBe(206);
    expect(await response.text()).toBe(`bytes of /api/media/${SHA}.png`);
    expect(seen[0]?.headers).toMatchObject({ authorization: 'Bearer s3cret', range: 'bytes=0-3' });
  });

  it('passes a byte range through both ways, as video seeking needs', async () => {
    const video = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256));
    const seen: (string | undefined)[] = [];
    // A stand-in that answers ranges the way the engine's media route does (engine/src/host/media-route.ts).
    server = createServer((request, response) => {
      seen.push(request.headers.range);
      const match = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? '');
      const headers = { 'Content-Type': 'video/mp4', 'Accept-Ranges': 'bytes' };
      if (!match) return void response.writeHead(200, headers).end(video);
      const start = Number(match[1]);
      const end = match[2] ? Math.min(Number(match[2]), video.length - 1) : video.length - 1;
      if (start >= video.length)
        return void response.writeHead(416, { ...headers, 'Content-Range': `bytes */${video.length}` }).end();
      response.writeHead(206, { ...headers, 'Content-Range': `bytes ${start}-${end}/${video.length}` });
      response.end(video.subarray(start, end + 1));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
    const handle = createMediaHandler(() => ({ origin, secret: 's3cret' }), fetch);
    const get = (range?: string) =>
      handle(new Request(`emu3-media://${SHA}.mp4`, range ? { headers: { Range: range } } : {}));

    const middle = await get('bytes=300-599');
    expect(middle.status).toBe(206);
    expect(middle.headers.get('content-range')).toBe('bytes 300-599/1000');
    expect(middle.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await middle.arrayBuffer()).equals(video.subarray(300, 600))).toBe(true);

    const tail = await get('bytes=990-');
    expect(Buffer.from(await tail.arrayBuffer()).equals(video.subarray(990))).toBe(true);
    expect((await get('bytes=5000-')).status).toBe(416);
    expect((await get()).status).toBe(200);
    expect(seen).toEqual(['bytes=300-599', 'bytes=990-', 'bytes=5000-', undefined]);
  });

  it('answers bad URLs itself, without asking the engine', async () => {
    const { origin, seen } = await fakeEngine();
    const handle = createMediaHandler(() => ({ origin, secret: 's3cret' }), fetch);
    expect((await handle(new Request('emu3-media://../../etc/passwd'))).status).toBe(400);
    expect((await handle(new Request(`emu3-media://${SHA}.svg`))).status).toBe(404);
    expect(seen).toHaveLength(0);
  });

  it('answers 503 while the engine is down', async () => {
    const handle = createMediaHandler(() => null, fetch);
    expect((await handle(new Request(`emu3-media://${SHA}.png`))).status).toBe(503);
  });
});
