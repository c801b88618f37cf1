/**
 * The desktop window's own Content-Security-Policy. The window shows the engine's page, which arrives
 * with the web host's CSP (engine/src/host/security.ts); main adds this policy beside it. A browser
 * enforces every policy a response carries, so the page may do only what both allow: whatever the
 * engine's header says, the desktop window runs no eval'd or inline script, loads nothing from another
 * origin, and reads library media only from its own origin and the `emu3-media:` scheme
 * (media-protocol.ts). The two policies are meant to be the same text; a test pins each.
 */
import { MEDIA_SCHEME } from './media-protocol.js';

const MEDIA_SOURCE = `${MEDIA_SCHEME}:`;

export const DESKTOP_CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:', 'blob:', MEDIA_SOURCE],
  'media-src': ["'self'", 'blob:', MEDIA_SOURCE],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'frame-ancestors': ["'none'"],
};

export const DESKTOP_CSP = Object.entries(DESKTOP_CSP_DIRECTIVES)
  .map(([name, sources]) => [name, ...sources].join(' '))
  .join('; ');

/**
 * The sources a studio policy may name: its own origin and nothing everywhere, and the schemes that
 * images and videos need in those two directives only. Anything else is broader than the studio needs.
 */
const ALLOWED_EVERYWHERE: ReadonlySet<string> = new Set(["'self'", "'none'"]);
const ALLOWED_IN: Readonly<Record<string, ReadonlySet<string>>> = {
  'img-src': new Set(['data:', 'blob:', MEDIA_SOURCE]),
  'media-src': new Set(['blob:', MEDIA_SOURCE]),
};

/** A policy's directives by name, each with its sources; a repeated directive counts once, as in CSP. */
export function parseCsp(policy: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (!name || directives.has(name.toLowerCase())) continue;
    directives.set(name.toLowerCase(), sources);
  }
  return directives;
}

/**
 * What a policy allows beyond the studio's needs, as `directive source` pairs: `'unsafe-eval'`,
 * `'unsafe-inline'`, `*`, `https:`, a remote host, `data:` for scripts… Empty for a strict policy.
 */
export function broadSources(policy: string): string[] {
  const broad: string[] = [];
  for (const [name, sources] of parseCsp(policy)) {
    for (const source of sources) {
      const allowed = ALLOWED_EVERYWHERE.has(source) || ALLOWED_IN[name]?.has(source.toLowerCase());
      if (!allowed) broad.push(`${name} ${source}`);
    }
  }
  return broad;
}

/** Response headers as Electron's `onHeadersReceived` hands them over: any case, several values each. */
export type ResponseHeaders = Record<string, string[] | string>;

/**
 * The response's headers with the desktop policy added beside the engine's own. Only http(s) responses
 * get it: those are the engine's pages (the navigation policy allows no others), while Chromium's own
 * schemes (devtools:, chrome:) are left as they are.
 */
export function withDesktopCsp(url: string, headers: ResponseHeaders | undefined): ResponseHeaders {
  const result: ResponseHeaders = { ...headers };
  if (!/^https?:/i.test(url)) return result;
  const key = Object.keys(result).find((name) => name.toLowerCase() === 'content-security-policy');
  const existing = key === undefined ? [] : [result[key]!].flat();
  if (key !== undefined) delete result[key];
  result['Content-Security-Policy'] = [...existing, DESKTOP_CSP];
  return result;
}
