/**
 * The JSON answers of the web host's HTTP routes: a body, an error (as the protocol serializes it), and the
 * HTTP status an engine error deserves.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EngineError, serializeError } from '../api/index.js';

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  response.end(JSON.stringify(body));
}

export function sendError(response: ServerResponse, status: number, error: unknown): void {
  sendJson(response, status, { error: serializeError(error) });
}

/**
 * How a route that may be answering, or still receiving a body, fails: an answer already under way is cut
 * off; otherwise the error goes out as JSON.
 */
export function routeFailure(
  request: IncomingMessage,
  response: ServerResponse,
): (status: number, error: unknown) => void {
  return (status, error) => {
    if (response.headersSent) return void response.destroy();
    // An unread body is not waited for: the answer goes out and the connection closes after it.
    if (!request.readableEnded) response.setHeader('Connection', 'close');
    sendError(response, status, error);
  };
}

/** The HTTP status of an error thrown while a route did its work. */
export function statusOf(error: unknown): number {
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
