import { describe, expect, it } from 'vitest';
import { broadSources, DESKTOP_CSP, parseCsp, withDesktopCsp } from './content-security.js';
import { MEDIA_SCHEME } from './media-protocol.js';

describe('DESKTOP_CSP', () => {
  it("is the web host's policy, text for text (engine/src/host/security.ts)", () => {
    // Changing either side means changing both: the desktop window enforces the two together, so a
    // source only one of them allows is allowed by neither.
    expect(DESKTOP_CSP).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; " +
        "img-src 'self' data: blob: emu3-media:; media-src 'self' blob: emu3-media:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    );
  });

  it('lets images and videos come from the media scheme, and nothing else come from it', () => {
    const policy = parseCsp(DESKTOP_CSP);
    expect(policy.get('img-src')).toContain(`${MEDIA_SCHEME}:`);
    expect(policy.get('media-src')).toContain(`${MEDIA_SCHEME}:`);
    for (const name of ['default-src', 'script-src', 'connect-src', 'style-src'])
      expect(policy.get(name), name).toEqual(["'self'"]);
  });

  it('allows nothing broad', () => {
    expect(broadSources(DESKTOP_CSP)).toEqual([]);
  });
});

describe('broadSources', () => {
  it('names eval, inline code, wildcards, other origins and schemes where they do not belong', () => {
    expect(
      broadSources(
        "default-src 'self' *; script-src 'self' 'unsafe-eval' 'unsafe-inline' data:; " +
          'img-src https: emu3-media:; connect-src ws://127.0.0.1:1 https://example.com; ' +
          'font-src emu3-media:; media-src blob: http:',
      ),
    ).toEqual([
      'default-src *',
      "script-src 'unsafe-eval'",
      "script-src 'unsafe-inline'",
      'script-src data:',
      'img-src https:',
      'connect-src ws://127.0.0.1:1',
      'connect-src https://example.com',
      'font-src emu3-media:',
      'media-src http:',
    ]);
  });

  it('reads a repeated directive once, as browsers do', () => {
    expect(parseCsp("script-src 'self'; script-src 'unsafe-eval'").get('script-src')).toEqual(["'self'"]);
  });
});

describe('withDesktopCsp', () => {
  const engineCsp = "default-src 'self'";

  it("adds the desktop policy beside the engine's own, whatever the header's case", () => {
    const headers = withDesktopCsp('http://127.0.0.1:4321/', {
      'content-security-policy': [engineCsp],
      'X-Content-Type-Options': ['nosniff'],
    });
    expect(headers).toEqual({
      'Content-Security-Policy': [engineCsp, DESKTOP_CSP],
      'X-Content-Type-Options': ['nosniff'],
    });
  });

  it('bounds a page that came without a policy, or with a broad one', () => {
    expect(withDesktopCsp('http://127.0.0.1:4321/', undefined)).toEqual({
      'Content-Security-Policy': [DESKTOP_CSP],
    });
    expect(withDesktopCsp('http://127.0.0.1:4321/', { 'Content-Security-Policy': 'script-src *' })).toEqual({
      'Content-Security-Policy': ['script-src *', DESKTOP_CSP],
    });
  });

  it("leaves Chromium's own pages alone", () => {
    const headers = { 'content-security-policy': ['x'] };
    expect(withDesktopCsp('devtools://devtools/bundled/x.html', headers)).toEqual(headers);
  });
});
