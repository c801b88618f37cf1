/** The web host's defences: a per-launch secret, loopback-only Host headers, and a strict CSP. */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export function newLaunchSecret(): string {
  return randomBytes(24).toString('base64url');
}

/** Accepts `Authorization: Bearer <secret>` or, for WebSocket upgrades that cannot set headers, `?token=`. */
export function hasLaunchSecret(request: IncomingMessage, url: URL, secret: string): boolean {
  const header = request.headers.authorization;
  const offered = header?.startsWith('Bearer ')
    ? header.slice('Bearer '.length)
    : url.searchParams.get('token');
  if (offered == null) return false;
  const a = Buffer.from(offered);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Only loopback Host headers are answered: a page on another site that rebinds its DNS name to
 * 127.0.0.1 still sends its own name, and is refused.
 */
export function isLoopbackHost(hostHeader: string | undefined, port: number): boolean {
  if (hostHeader === undefined) return false;
  const separator = hostHeader.lastIndexOf(':');
  if (separator <= 0) return false;
  return (
    LOOPBACK_NAMES.has(hostHeader.slice(0, separator)) && hostHeader.slice(separator + 1) === String(port)
  );
}

/**
 * The renderer's policy, in a browser and in the desktop app alike: the desktop window loads this host's
 * page, and Electron main adds its own copy of this policy beside it (electron/src/content-security.ts),
 * so the two must stay the same text. `emu3-media:` is the desktop app's media scheme, which main serves
 * by content hash; in a browser nothing answers it, so naming it there allows nothing.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob: emu3-media:",
  "media-src 'self' blob: emu3-media:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
};
