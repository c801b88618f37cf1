import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../api/index.js';
import { startWebHost, type WebHost } from './web-host.js';

/** A raw GET, so tests can send any Host header (fetch forbids setting it). */
function get(host: WebHost, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: host.port, path, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    },
  );
}

describe('web host', () => {
  let rendererDir: string;
  let host: WebHost;

  beforeAll(async () => {
    rendererDir = mkdtempSync(join(tmpdir(), 'emu3-renderer-'));
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Emu3 Studio</title>');
    host = await startWebHost({ rendererDir });
  });

  afterAll(async () => {
    await host.close();
    rmSync(rendererDir, { recursive: true, force: true });
  });

  it('listens on loopback and puts the secret in the URL fragment', () => {
    expect(host.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(host.url).toBe(`${host.origin}/#token=${host.secret}`);
    expect(host.secret.length).toBeGreaterThanOrEqual(32);
  });

  it('answers the health check without the secret', async () => {
    const response = await get(host, '/api/health');
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({
      status: 'ok',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
    });
  });

  it('refuses engine info without the secret, or with a wrong one', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { Authorization: 'Bearer nope' },
      { Authorization: `Bearer ${host.secret}x` },
    ];
    for (const headers of attempts) {
      const response = await get(host, '/api/info', headers);
      expect(response.status).toBe(401);
      expect(JSON.parse(response.body).error).toMatchObject({ name: 'EngineError', code: 'unauthorized' });
    }
  });

  it('gives engine info with the secret, as a header or a query parameter', async () => {
    const byHeader = await get(host, '/api/info', { Authorization: `Bearer ${host.secret}` });
    expect(byHeader.status).toBe(200);
    expect(JSON.parse(byHeader.body)).toMatchObject({ name: 'emu3-studio-engine', host: 'web' });
    const byQuery = await get(host, `/api/info?token=${host.secret}`);
    expect(byQuery.status).toBe(200);
  });

  it('refuses a Host header that is not this loopback port (DNS rebinding)', async () => {
    const response = await get(host, '/api/health', { Host: `evil.example:${host.port}` });
    expect(response.status).toBe(403);
    const otherPort = await get(host, '/api/health', { Host: `127.0.0.1:${host.port + 1}` });
    expect(otherPort.status).toBe(403);
    const localhost = await get(host, '/api/health', { Host: `localhost:${host.port}` });
    expect(localhost.status).toBe(200);
  });

  it('serves the renderer with a strict CSP, and index.html for client routes', async () => {
    for (const path of ['/', '/gallery/123']) {
      const response = await get(host, path);
      expect(response.status).toBe(200);
      expect(response.body).toContain('<title>Emu3 Studio</title>');
      expect(response.headers['content-security-policy']).toContain("script-src 'self'");
      expect(response.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('names an unknown API route, and refuses other methods', async () => {
    const unknown = await get(host, `/api/nothing?token=${host.secret}`);
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body).error.message).toBe('no API route /api/nothing');
  });

  it('fails to start, naming the file, when the renderer is not built', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'emu3-empty-'));
    try {
      const start = startWebHost({ rendererDir: empty });
      await expect(start).rejects.toBeInstanceOf(EngineError);
      await expect(start).rejects.toThrow(
        `renderer build not found: ${join(empty, 'index.html')} is missing`,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('fails to start, naming the port, when the port is taken', async () => {
    await expect(startWebHost({ rendererDir, port: host.port })).rejects.toThrow(
      `port ${host.port} on 127.0.0.1 is already in use`,
    );
  });
});
