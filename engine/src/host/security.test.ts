import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from './security.js';

/** The policy's directives by name, each with its sources. */
function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy.split(';').map((part) => {
      const [name, ...sources] = part.trim().split(/\s+/);
      return [name!, sources];
    }),
  );
}

describe('the Content-Security-Policy', () => {
  it('is the exact policy Electron main adds beside it (electron/src/content-security.ts)', () => {
    // Changing either side means changing both: the desktop window enforces the two together.
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; " +
        "img-src 'self' data: blob: emu3-media:; media-src 'self' blob: emu3-media:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    );
    expect(SECURITY_HEADERS['Content-Security-Policy']).toBe(CONTENT_SECURITY_POLICY);
  });

  it("lets images and videos come from the desktop app's media scheme, and nothing else from it", () => {
    const policy = directives(CONTENT_SECURITY_POLICY);
    expect(policy.get('img-src')).toContain('emu3-media:');
    expect(policy.get('media-src')).toContain('emu3-media:');
    const elsewhere = [...policy].filter(
      ([name, sources]) => name !== 'img-src' && name !== 'media-src' && sources.includes('emu3-media:'),
    );
    expect(elsewhere).toEqual([]);
  });

  it('allows no eval, no inline code, no wildcard and no other origin or scheme', () => {
    const mediaSchemes: Record<string, string[]> = {
      'img-src': ['data:', 'blob:', 'emu3-media:'],
      'media-src': ['blob:', 'emu3-media:'],
    };
    const broad = [...directives(CONTENT_SECURITY_POLICY)].flatMap(([name, sources]) =>
      sources
        .filter((source) => !["'self'", "'none'", ...(mediaSchemes[name] ?? [])].includes(source))
        .map((source) => `${name} ${source}`),
    );
    expect(broad).toEqual([]);
    for (const word of ["'unsafe-eval'", "'unsafe-inline'", '*', 'http:', 'https:', 'ws:'])
      expect(CONTENT_SECURITY_POLICY.split(/[\s;]+/)).not.toContain(word);
  });
});
