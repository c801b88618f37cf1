/**
 * The one decoding loop: a prefill over the prompt rows, then one-token steps with the KV cache carried
 * between steps and logits for the last position only. With guidance, the conditional and unconditional
 * prompts run as ONE batch of 2 (left-padded to one length); both rows are then fed the token chosen from
 * the mixed scores, as the reference's guidance does (docs/emu3-facts.md#guidance,
 * docs/generation.md#one-step).
 */
import * as ort from 'onnxruntime-node';
import { CancelledError, EngineError, InternalError } from '../api/index.js';
import type { ModelHandle } from '../runtime/open-model.js';
import { guidanceMix, type LogitsProcessorList } from './logits-processors.js';
import type { Rng } from './rng.js';
import { selectToken } from './sampling.js';

export interface DecodeRequest {
  /** One prompt, or [conditional, unconditional] for guidance. */
  rows: readonly (readonly number[])[];
  guidance: number;
  processors: LogitsProcessorList;
  /** null: greedy. */
  rng: Rng | null;
  maxNewTokens: number;
  /** Stops after this token (it is kept). */
  stopToken: number;
  signal?: AbortSignal;
  /** Called after every chosen token; `done` counts new tokens so far. */
  onToken?: (token: number, done: number) => void;
}

export interface DecodeStats {
  promptTokens: number;
  prefillSeconds: number;
  decodeSeconds: number;
  steps: number;
}

export async function decodeTokens(
  model: ModelHandle,
  request: DecodeRequest,
): Promise<{ tokens: number[]; stats: DecodeStats }> {
  const { decoder } = model.manifest;
  const batch = request.rows.length;
  if (batch !== 1 && batch !== 2) throw new InternalError(`decode runs 1 or 2 rows, got ${batch}`);
  const longest = Math.max(...request.rows.map((row) => row.length));
  if (longest + request.maxNewTokens > decoder.maxPositionEmbeddings) {
    throw new EngineError(
      'bad_request',
      `${longest} prompt tokens + ${request.maxNewTokens} new tokens exceed the model's ${decoder.maxPositionEmbeddings} positions`,
    );
  }
  const { session } = await model.session('decoder');
  const vocab = decoder.vocabSize;
  const kvType = model.manifest.precision === 'fp16' ? 'float16' : 'float32';

  // Left padding: real tokens end at the same column, so the last position is every row's newest token.
  const mask: number[][] = request.rows.map((row) => [
    ...new Array<number>(longest - row.length).fill(0),
    ...row.map(() => 1),
  ]);
  const nextPosition = request.rows.map((row) => row.length); // position of each row's next token
  const prefillIds = request.rows.map((row) => [
    ...new Array<number>(longest - row.length).fill(model.manifest.special.pad),
    ...row,
  ]);
  const prefillPositions = mask.map((row) => {
    let seen = 0;
    return row.map((m) => (m ? seen++ : 0));
  });

  let past: Record<string, ort.Tensor> = {};
  for (let layer = 0; layer < decoder.numLayers; layer++) {
    for (const kind of ['key', 'value']) {
      past[`past_key_values.${layer}.${kind}`] =
        kvType === 'float16'
          ? new ort.Tensor('float16', new Uint16Array(0), [batch, decoder.numKvHeads, 0, decoder.headDim])
          : new ort.Tensor('float32', new Float32Array(0), [batch, decoder.numKvHeads, 0, decoder.headDim]);
    }
  }

  const mixed = new Float32Array(vocab);
  const tokens: number[] = [];
  let input = { ids: prefillIds, positions: prefillPositions };
  const started = performance.now();
  let prefillSeconds = 0;
  try {
    while (tokens.length < request.maxNewTokens) {
      if (request.signal?.aborted) throw new CancelledError();
      const width = input.ids[0]!.length;
      const outputs = await session.run({
        input_ids: int64(input.ids.flat(), [batch, width]), // [B, S]
        position_ids: int64(input.positions.flat(), [batch, width]), // [B, S]
        attention_mask: int64(mask.flat(), [batch, mask[0]!.length]), // [B, P + S]
        num_logits_to_keep: int64([1], []),
        ...past,
      });
      if (tokens.length === 0) prefillSeconds = (performance.now() - started) / 1000;
      const logits = (await outputs.logits!.getData()) as Float32Array; // [B, 1, V]
      disposeAll(past);
      past = Object.fromEntries(
        Object.entries(outputs)
          .filter(([name]) => name.startsWith('present.'))
          .map(([name, tensor]) => [name.replace('present.', 'past_key_values.'), tensor]),
      );
      if (outputs.logits!.location === 'gpu-buffer') outputs.logits!.dispose();

      let scores: Float32Array = mixed; // [V]
      if (batch === 2)
        guidanceMix(logits.subarray(0, vocab), logits.subarray(vocab, 2 * vocab), request.guidance, mixed);
      else scores = logits.subarray(0, vocab);
      request.processors.apply(scores, { generated: tokens });
      const token = selectToken(scores, request.rng);
      tokens.push(token);
      request.onToken?.(token, tokens.length);
      if (token === request.stopToken) break;

      input = { ids: request.rows.map(() => [token]), positions: nextPosition.map((p) => [p]) };
      for (let b = 0; b < batch; b++) {
        nextPosition[b]!++;
        mask[b]!.push(1);
      }
    }
  } finally {
    disposeAll(past);
  }
  return {
    tokens,
    stats: {
      promptTokens: longest,
      prefillSeconds,
      decodeSeconds: (performance.now() - started) / 1000 - prefillSeconds,
      steps: tokens.length,
    },
  };
}

function int64(values: readonly number[], dims: number[]): ort.Tensor {
  return new ort.Tensor('int64', BigInt64Array.from(values, BigInt), dims);
}

/** GPU-resident cache tensors (WebGPU) must be released by hand; CPU tensors ignore it. */
function disposeAll(tensors: Record<string, ort.Tensor>): void {
  for (const tensor of Object.values(tensors)) if (tensor.location === 'gpu-buffer') tensor.dispose();
}
