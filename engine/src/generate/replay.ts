/**
 * Replaying a record: the recorded prompt tokens through the same loop, processors, seed and parameters.
 * Every token must come out the same, or the first difference is reported.
 */
import { EngineError, type GenerationRecord } from '../api/index.js';
import type { ModelHandle } from '../runtime/open-model.js';
import { decodeTokens } from './decode-loop.js';
import { processorsFor } from './processors-for.js';
import { Rng } from './rng.js';

export interface ReplayResult {
  tokens: number[];
  matches: boolean;
  /** Index of the first output token that differs, or null. */
  firstDifference: number | null;
}

export async function replayRecord(
  model: ModelHandle,
  record: GenerationRecord,
  signal?: AbortSignal,
): Promise<ReplayResult> {
  if (record.model.id !== model.manifest.id) {
    throw new EngineError(
      'bad_request',
      `the record was made with model ${record.model.id.slice(0, 12)}…, not ${model.manifest.id.slice(0, 12)}…`,
    );
  }
  if (record.mode !== 'understand' && !record.grid) {
    throw new EngineError('invalid_file', 'the record has no grid for its vision block');
  }
  const { sampling } = record;
  const block = record.mode === 'understand' ? undefined : { ...record.grid!, prompt: record.tokens.prompt };
  const { list } = processorsFor(model.manifest, sampling, block);
  const { tokens } = await decodeTokens(model, {
    rows: record.tokens.negative ? [record.tokens.prompt, record.tokens.negative] : [record.tokens.prompt],
    guidance: sampling.guidance,
    processors: list,
    rng: sampling.greedy ? null : new Rng(record.seed),
    maxNewTokens: record.maxNewTokens,
    stopToken: model.manifest.special.eos,
    ...(signal ? { signal } : {}),
  });
  const expected = record.tokens.output;
  const length = Math.max(tokens.length, expected.length);
  let firstDifference: number | null = null;
  for (let i = 0; i < length && firstDifference === null; i++)
    if (tokens[i] !== expected[i]) firstDifference = i;
  return { tokens, matches: firstDifference === null, firstDifference };
}
