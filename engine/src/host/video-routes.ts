/**
 * The web host's export route, behind the launch secret: `GET /api/export/<item id>.<format>`, a gallery
 * item to download (`?token=` works, for links): a video as mp4, gif or webp, an image as png (its own file,
 * the record inside), webp or jpg. Videos to extend arrive by the one upload route (upload-route.ts).
 */
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EngineError, ExportFormat } from '../api/index.js';
import type { VideoTransfers } from '../app/video-methods.js';
import { routeFailure, statusOf } from './json-answers.js';
import { hasLaunchSecret } from './security.js';

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
  const fail = routeFailure(request, response);
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
