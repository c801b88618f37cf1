/**
 * Replaying a record: the recorded prompt tokens through the same loop, processors, seed and parameters.
 * Every token must come out the same, or the first difference is reported.
 */
import { EngineError, type GenerationRecord } from '../api/index.js';
import type { ModelHandle } from '../model/open-model.js';
import { decodeTokens } from './decode-loop.js';
import {
  LogitsProcessorList,
  PrefixConstraint,
  Temperature,
  TopK,
  TopP,
  type LogitsProcessor,
} from './logits-processors.js';
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
  const { special, visualTokens } = model.manifest;
  const processors: LogitsProcessor[] = [];
  if (record.mode !== 'understand') {
    const grid = record.grid;
    if (!grid) throw new EngineError('invalid_file', 'the record has no grid for its vision block');
    const prompt = record.tokens.prompt;
    processors.push(
      new PrefixConstraint({
        ...grid,
        contextTokens: prompt.length - 1 - prompt.lastIndexOf(special.img),
        special,
        visual: visualTokens,
      }),
    );
  }
  const { sampling } = record;
  if (!sampling.greedy)
    processors.push(new Temperature(sampling.temperature), new TopK(sampling.topK), new TopP(sampling.topP));
  const { tokens } = await decodeTokens(model, {
    rows: record.tokens.negative ? [record.tokens.prompt, record.tokens.negative] : [record.tokens.prompt],
    guidance: sampling.guidance,
    processors: new LogitsProcessorList(processors),
    rng: sampling.greedy ? null : new Rng(record.seed),
    maxNewTokens: record.maxNewTokens,
    stopToken: special.eos,
    ...(signal ? { signal } : {}),
  });
  const expected = record.tokens.output;
  const length = Math.max(tokens.length, expected.length);
  let firstDifference: number | null = null;
  for (let i = 0; i < length && firstDifference === null; i++)
    if (tokens[i] !== expected[i]) firstDifference = i;
  return { tokens, matches: firstDifference === null, firstDifference };
}
