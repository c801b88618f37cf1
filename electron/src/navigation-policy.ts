/**
 * Where the studio window may go. It shows the engine's page and nothing else: no other origin, no
 * file:, data: or javascript: URLs, no new windows, no webviews. Links to https sites open in the
 * user's browser, outside the app, where they get none of the bridge.
 */
import { ExportFormat, MediaExt } from '../../engine/src/api/index.js';
import { originOf } from './ipc-policy.js';

export type NavigationDecision = 'allow' | 'open-external' | 'deny';

/** A navigation of the window itself (a link click, `location = …`, a redirect). */
export function decideNavigation(target: string, engineOrigin: string | null): NavigationDecision {
  if (engineOrigin !== null && isHttp(target) && originOf(target) === engineOrigin) return 'allow';
  return isExternalLink(target) ? 'open-external' : 'deny';
}

/** `window.open` and `target=_blank`: the studio has one window, so even its own origin is refused. */
export function decideWindowOpen(target: string): Exclude<NavigationDecision, 'allow'> {
  return isExternalLink(target) ? 'open-external' : 'deny';
}

/**
 * Two harmless permissions are granted to the engine's page: writing text to the clipboard (copying a
 * prompt or a seed) and fullscreen (for a video). Everything else (camera, microphone, geolocation,
 * notifications, USB…) is refused, and so is every permission for any other origin.
 */
const GRANTED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write', 'fullscreen']);

export function decidePermission(
  permission: string,
  requestingUrl: string,
  engineOrigin: string | null,
): boolean {
  return (
    GRANTED_PERMISSIONS.has(permission) && engineOrigin !== null && originOf(requestingUrl) === engineOrigin
  );
}

/** The engine's export and media routes, named by an item id or a content hash and nothing else. */
const DOWNLOAD_PATH = new RegExp(
  `^/api/(?:export/[1-9]\\d{0,15}\\.(?:${ExportFormat.options.join('|')})` +
    `|media/[0-9a-f]{64}\\.(?:${MediaExt.options.join('|')}))$`,
);

/**
 * Downloads the page may start (an `<a download>` of an export or a media file): only from the running
 * engine's export and media routes. The file then goes through the native save dialog, so where it
 * lands is the user's choice; any other download (a data: or blob: URL, another origin) is cancelled.
 */
export function decideDownload(target: string, engineOrigin: string | null): 'allow' | 'deny' {
  if (engineOrigin === null || !isHttp(target) || originOf(target) !== engineOrigin) return 'deny';
  return DOWNLOAD_PATH.test(new URL(target).pathname) ? 'allow' : 'deny';
}

/** https only, and no user:password@ part, which is only ever used to make a link look like another. */
function isExternalLink(target: string): boolean {
  try {
    const url = new URL(target);
    return url.protocol === 'https:' && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

function isHttp(target: string): boolean {
  return target.startsWith('http://');
}
