/** One forward pass of the decoder graph with an empty cache: the diagnostics path (`emu3 logits`). */
import { EngineError } from '../api/index.js';
import { DecoderStep, openDecoder } from './decoder-step.js';
import type { ModelHandle } from './open-model.js';

export interface PositionLogits {
  position: number;
  logits: Float32Array; // [V]
}

/** Logits at the last position, or at every position with `all`. */
export async function forwardLogits(
  model: ModelHandle,
  ids: readonly number[],
  all: boolean,
): Promise<PositionLogits[]> {
  const { decoder } = model.manifest;
  if (ids.length === 0) throw new EngineError('bad_request', 'no token ids given');
  const bad = ids.find((id) => !Number.isInteger(id) || id < 0 || id >= decoder.vocabSize);
  if (bad !== undefined)
    throw new EngineError('bad_request', `token id ${bad} is outside 0..${decoder.vocabSize - 1}`);
  if (ids.length > decoder.maxPositionEmbeddings) {
    throw new EngineError(
      'bad_request',
      `${ids.length} tokens exceed the model's ${decoder.maxPositionEmbeddings} positions`,
    );
  }
  const seq = ids.length;
  const keep = all ? seq : 1;
  const step = new DecoderStep(await openDecoder(model), { batch: 1 });
  try {
    const logits = await step.run([ids], keep); // [1, K, V]
    const vocab = decoder.vocabSize;
    return Array.from({ length: keep }, (_, k) => ({
      position: seq - keep + k,
      logits: logits.slice(k * vocab, (k + 1) * vocab),
    }));
  } finally {
    step.dispose();
  }
}
