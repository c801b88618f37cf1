/** One forward pass of the decoder graph with an empty cache: the diagnostics path (`emu3 logits`). */
import * as ort from 'onnxruntime-node';
import { EngineError } from '../api/index.js';
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
  const { session } = await model.session('decoder');
  const seq = ids.length;
  const keep = all ? seq : 1;
  const kvType = model.manifest.precision === 'fp16' ? 'float16' : 'float32';
  const emptyCache = () =>
    kvType === 'float16'
      ? new ort.Tensor('float16', new Uint16Array(0), [1, decoder.numKvHeads, 0, decoder.headDim])
      : new ort.Tensor('float32', new Float32Array(0), [1, decoder.numKvHeads, 0, decoder.headDim]);
  const feeds: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, seq]), // [1, S]
    position_ids: new ort.Tensor(
      'int64',
      BigInt64Array.from(ids, (_, i) => BigInt(i)),
      [1, seq],
    ), // [1, S]
    attention_mask: new ort.Tensor('int64', new BigInt64Array(seq).fill(1n), [1, seq]), // [1, S]
    num_logits_to_keep: new ort.Tensor('int64', BigInt64Array.from([BigInt(keep)]), []),
  };
  for (let layer = 0; layer < decoder.numLayers; layer++) {
    feeds[`past_key_values.${layer}.key`] = emptyCache(); // [1, KVH, 0, D]
    feeds[`past_key_values.${layer}.value`] = emptyCache();
  }
  // Fetch every output: under WebGPU, outputs left unfetched stay bound to the previous run's buffers.
  const outputs = await session.run(feeds);
  const logits = outputs.logits!.data as Float32Array; // [1, K, V]
  const vocab = decoder.vocabSize;
  return Array.from({ length: keep }, (_, k) => ({
    position: seq - keep + k,
    logits: logits.slice(k * vocab, (k + 1) * vocab),
  }));
}
