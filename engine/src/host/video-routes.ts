/**
 * The web host's export route, behind the launch secret: `GET /api/export/<item id>.<format>`, a gallery
 * item to download (`?token=` works, for links): a video as mp4, gif or webp, an image as png (its own file,
 * the record inside), webp or jpg. Videos to extend arrive by the one upload route (upload-route.ts).
 */
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EngineError, ExportFormat, serializeError } from '../api/index.js';
import { hasLaunchSecret } from './security.js';
import type { VideoTransfers } from '../app/video-methods.js';

export const EXPORT_PREFIX = '/api/export/';
const EXPORT_NAME = /^([1-9]\d{0,15})\.([a-z0-9]+)$/;

export function isVideoRoute(pathname: string): boolean {
  return pathname.startsWith(EXPORT_PREFIX);
}

export async function routeVideo(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  context: { secret: string; video: VideoTransfers },
): Promise<void> {
  const fail = (status: number, error: unknown) => {
    if (response.headersSent) return void response.destroy();
    // An unread body is not waited for: the answer goes out and the connection closes after it.
    if (!request.readableEnded) response.setHeader('Connection', 'close');
    sendJson(response, status, { error: serializeError(error) });
  };
  try {
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return fail(405, new EngineError('bad_request', `${request.method} ${url.pathname} is not allowed`));
    if (!hasLaunchSecret(request, url, context.secret))
      return fail(401, new EngineError('unauthorized', 'missing or wrong launch secret'));
    const match = EXPORT_NAME.exec(url.pathname.slice(EXPORT_PREFIX.length));
    const format = ExportFormat.safeParse(match?.[2]);
    if (!match || !format.success)
      return fail(
        404,
        new EngineError(
          'not_found',
          `no export at ${url.pathname}: ask for <id>.mp4, .gif or .webp (a video), .png, .webp or .jpg (an image)`,
        ),
      );
    const file = await context.video.exportFile(Number(match[1]), format.data);
    response.writeHead(200, {
      'Content-Type': file.contentType,
      'Content-Length': file.bytes,
      'Content-Disposition': `attachment; filename="${file.fileName}"`,
      'Cache-Control': 'no-store',
    });
    if (request.method === 'HEAD') return void response.end();
    const stream = createReadStream(file.path);
    stream.on('error', () => response.destroy());
    stream.pipe(response);
  } catch (error) {
    fail(statusOf(error), error);
  }
}

function statusOf(error: unknown): number {
  if (!(error instanceof EngineError)) return 500;
  switch (error.code) {
    case 'not_found':
      return 404;
    case 'unsupported':
      return 415;
    case 'disk_full':
      return 507;
    case 'engine_unavailable':
      return 503;
    default:
      return /larger than/.test(error.message) ? 413 : 400;
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  response.end(JSON.stringify(body));
}
