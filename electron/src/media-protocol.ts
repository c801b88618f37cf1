/**
 * `emu3-media://<sha256>.<ext>`: library media for the desktop page, fetched from the engine by main.
 * The URL names a content hash and nothing else, so it can never become a filesystem path: the resolver
 * accepts exactly 64 lowercase hex digits and an allow-listed extension, and maps them to the engine's
 * `/api/media/` route, which answers only hashes its library holds. Main adds the launch secret as a
 * header, so the page never needs it in a media URL.
 */
import { MediaExt } from '../../engine/src/api/index.js';

export const MEDIA_SCHEME = 'emu3-media';

/** Registered before `ready`: standard (a real host part), secure, usable by fetch, and streamable. */
export const MEDIA_SCHEME_PRIVILEGES = {
  scheme: MEDIA_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true },
} as const;

/** What the library's media store keeps: generated media, and the JPEGs and movies uploaded to Ask. */
const MEDIA_EXTENSIONS: ReadonlySet<string> = new Set(MediaExt.options);

/**
 * A standard scheme's URL arrives canonical: `emu3-media://<host>/`, the host lowercased. Anything that
 * does not fit this shape exactly is refused before it is looked at further.
 */
const MEDIA_URL = /^emu3-media:\/\/([^/?#]*)\/?$/;
const MEDIA_NAME = /^([0-9a-f]{64})\.([a-z0-9]{1,5})$/;

/** Request headers worth passing on: ranges (video seeking) and revalidation. */
const FORWARDED_HEADERS = ['range', 'if-none-match', 'if-range'];

export type MediaTarget =
  | { ok: true; url: string; sha256: string; ext: string }
  | { ok: false; status: 400 | 404 | 405; message: string };

export function resolveMediaUrl(requestUrl: string, method: string, engineOrigin: string): MediaTarget {
  if (method !== 'GET' && method !== 'HEAD') return fail(405, `${method} is not allowed on media`);
  const match = MEDIA_URL.exec(requestUrl);
  if (!match) return fail(400, 'a media URL is emu3-media://<sha256>.<ext>, with no path, query or fragment');
  const name = MEDIA_NAME.exec(match[1]!);
  if (!name) return fail(404, `no media named ${JSON.stringify(match[1])}`);
  const [, sha256, ext] = name as unknown as [string, string, string];
  if (!MEDIA_EXTENSIONS.has(ext)) return fail(404, `no media of type .${ext}`);
  return { ok: true, url: `${engineOrigin}/api/media/${sha256}.${ext}`, sha256, ext };
}

/** The headers main sends the engine: the allow-listed ones from the page, and the launch secret. */
export function mediaRequestHeaders(from: Headers, secret: string): Headers {
  const headers = new Headers();
  for (const name of FORWARDED_HEADERS) {
    const value = from.get(name);
    if (value !== null) headers.set(name, value);
  }
  headers.set('authorization', `Bearer ${secret}`);
  return headers;
}

export interface MediaEngine {
  origin: string;
  secret: string;
}

/**
 * The protocol handler: main passes it to `protocol.handle` with `net.fetch`; the tests with Node's
 * fetch and a real HTTP server standing in for the engine.
 */
export function createMediaHandler(
  engine: () => MediaEngine | null,
  fetchEngine: (url: string, init: RequestInit) => Promise<Response>,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const current = engine();
    if (!current) return new Response('the engine is not running', { status: 503 });
    const target = resolveMediaUrl(request.url, request.method, current.origin);
    if (!target.ok) return new Response(target.message, { status: target.status });
    return fetchEngine(target.url, {
      method: request.method,
      headers: mediaRequestHeaders(request.headers, current.secret),
      redirect: 'error',
    });
  };
}

function fail(status: 400 | 404 | 405, message: string): MediaTarget {
  return { ok: false, status, message };
}
