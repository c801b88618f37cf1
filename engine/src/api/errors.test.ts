import { describe, expect, it } from 'vitest';
import {
  CancelledError,
  deserializeError,
  EngineError,
  InternalError,
  SerializedError,
  serializeError,
} from './errors.js';

/** Through JSON and the schema, as every process boundary does. */
function roundTrip(error: unknown): Error {
  return deserializeError(SerializedError.parse(JSON.parse(JSON.stringify(serializeError(error)))));
}

describe('errors across a boundary', () => {
  it('keeps an EngineError and its code', () => {
    const back = roundTrip(new EngineError('invalid_file', 'model.safetensors: header is truncated'));
    expect(back).toBeInstanceOf(EngineError);
    expect(back).toMatchObject({ code: 'invalid_file', message: 'model.safetensors: header is truncated' });
  });

  it('keeps a cancellation apart from failures', () => {
    expect(roundTrip(new CancelledError())).toBeInstanceOf(CancelledError);
  });

  it('turns anything else into an InternalError that keeps its stack', () => {
    const bug = new TypeError('x is undefined');
    const back = roundTrip(bug);
    expect(back).toBeInstanceOf(InternalError);
    expect(back.message).toBe('x is undefined');
    expect(back.stack).toBe(bug.stack);
    expect(roundTrip('a thrown string')).toMatchObject({ name: 'InternalError', message: 'a thrown string' });
  });

  it('rejects a malformed error on the wire', () => {
    expect(SerializedError.safeParse({ name: 'Error', message: 'x' }).success).toBe(false);
    expect(SerializedError.safeParse({ name: 'EngineError', code: 'nope', message: 'x' }).success).toBe(
      false,
    );
  });
});
