/**
 * The errors that cross process boundaries. Three kinds are kept apart:
 * - `EngineError`: something the user can act on (bad input, missing file, no model); carries a `code`.
 * - `CancelledError`: the user stopped the work. Not a failure.
 * - `InternalError`: a bug in the studio. Shown with its stack, never blamed on the user.
 * Each serializes to `SerializedError` and is rebuilt on the far side with `deserializeError`.
 */
import { z } from 'zod';

export const ErrorCode = z.enum([
  'bad_request',
  'unauthorized',
  'not_found',
  'invalid_file',
  'unsupported',
  'out_of_memory',
  'disk_full',
  'engine_unavailable',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const SerializedError = z.object({
  name: z.enum(['EngineError', 'CancelledError', 'InternalError']),
  code: ErrorCode.optional(),
  message: z.string(),
  stack: z.string().optional(),
});
export type SerializedError = z.infer<typeof SerializedError>;

/** A failure the user can act on; `message` is one line that names the thing and the problem. */
export class EngineError extends Error {
  override readonly name = 'EngineError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The user cancelled the work. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor(message = 'Cancelled') {
    super(message);
  }
}

/** A bug: an invariant of the studio itself did not hold. */
export class InternalError extends Error {
  override readonly name = 'InternalError';
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof EngineError) return { name: error.name, code: error.code, message: error.message };
  if (error instanceof CancelledError) return { name: error.name, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  const stack = error instanceof Error ? error.stack : undefined;
  return stack === undefined ? { name: 'InternalError', message } : { name: 'InternalError', message, stack };
}

export function deserializeError(data: SerializedError): Error {
  switch (data.name) {
    case 'EngineError':
      return new EngineError(data.code ?? 'bad_request', data.message);
    case 'CancelledError':
      return new CancelledError(data.message);
    case 'InternalError': {
      const error = new InternalError(data.message);
      if (data.stack !== undefined) error.stack = data.stack;
      return error;
    }
  }
}
