/**
 * The one decoding loop: a prefill over the prompt rows, then one-token steps with the KV cache carried
 * between steps and logits for the last position only. With guidance, the conditional and unconditional
 * prompts run as ONE batch of 2 (left-padded to one length); both rows are then fed the token chosen from
 * the mixed scores, as the reference's guidance does (docs/emu3-facts.md#guidance,
 * docs/generation.md#one-step). The decoder itself (feeds, padding, the cache) is runtime/decoder-step.ts.
 * An observer may watch the conditional row's raw logits at each chosen token, which is how the completion's
 * log-probability is captured with no pass of its own (docs/token-format.md#the-scored-completion).
 */
import { CancelledError, EngineError, InternalError } from '../api/index.js';
import { DecoderStep, openDecoder } from '../runtime/decoder-step.js';
import type { ModelHandle } from '../runtime/open-model.js';
import {
  guidanceMix,
  logSumExp,
  type LogitsObserver,
  type LogitsProcessorList,
} from './logits-processors.js';
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
  /** false: recompute the whole sequence at every step (the benchmarks' no-cache baseline). Default true. */
  cache?: boolean;
  /** Sees the conditional row's raw logits at every chosen token (e.g. CompletionLogProb). */
  observer?: LogitsObserver;
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
  const vocab = decoder.vocabSize;
  const step = new DecoderStep(await openDecoder(model), { batch, cache: request.cache ?? true });

  const { observer } = request;
  const mixed = new Float32Array(vocab); // [V]
  const tokens: number[] = [];
  let input: readonly (readonly number[])[] = request.rows; // the prompts first (the step left-pads them)
  const started = performance.now();
  let prefillSeconds = 0;
  try {
    while (tokens.length < request.maxNewTokens) {
      if (request.signal?.aborted) throw new CancelledError();
      const logits = await step.run(input); // [B, 1, V]
      if (tokens.length === 0) prefillSeconds = (performance.now() - started) / 1000;

      const cond = logits.subarray(0, vocab); // [V], the conditional row
      // The observer's log Σ exp is the one guidance needs as well: computed once, and only when used.
      const condLogSumExp = observer ? logSumExp(cond) : undefined;
      let scores: Float32Array = mixed; // [V]
      if (batch === 2)
        guidanceMix(cond, logits.subarray(vocab, 2 * vocab), request.guidance, mixed, condLogSumExp);
      else if (observer)
        mixed.set(cond); // the processors change their row in place: the observer's stays raw
      else scores = cond;
      request.processors.apply(scores, { generated: tokens });
      const token = selectToken(scores, request.rng);
      observer?.observe(cond, condLogSumExp!, token);
      tokens.push(token);
      request.onToken?.(token, tokens.length);
      if (token === request.stopToken) break;
      input = request.rows.map(() => [token]); // every row takes the chosen token
    }
  } finally {
    step.dispose();
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
