/** The sampling flags every generating command takes, as the sampling fields they choose. */
import { InvalidArgumentError, type Command } from 'commander';
import type { SamplingParams } from '../api/index.js';
import { completeRequest, withSampling } from '../generate/request-defaults.js';
import type { ModelHandle } from '../runtime/open-model.js';
import { parsePositiveInt } from './options.js';

export interface SamplingFlags {
  cfg?: number;
  temperature?: number;
  topK?: number;
  topP?: number;
  greedy?: boolean;
  seed?: number;
}

export function withSamplingOptions(command: Command): Command {
  return command
    .option('--cfg <g>', 'classifier-free guidance scale (1 = off)', parseNumber)
    .option('--temperature <t>', 'sampling temperature', parseNumber)
    .option('--top-k <k>', 'sample among the k most likely tokens', parsePositiveInt)
    .option('--top-p <p>', 'nucleus sampling probability mass', parseNumber)
    .option('--greedy', 'always take the most likely token')
    .option('--seed <n>', 'random seed (recorded in the result; random when left out)', parseSeed);
}

/** The sampling fields the flags give (the rest are left to the defaults). */
export function samplingChoices(flags: SamplingFlags): Partial<SamplingParams> {
  return {
    guidance: flags.cfg,
    temperature: flags.temperature,
    topK: flags.topK,
    topP: flags.topP,
    greedy: flags.greedy,
  };
}

export function samplingFrom(flags: SamplingFlags, defaults: SamplingParams): SamplingParams {
  return withSampling(defaults, samplingChoices(flags));
}

/**
 * The evaluations' generation choices: the flags' seed and sampling over the model's defaults, and the default
 * negative prompt.
 */
export function generationChoices(
  model: ModelHandle,
  flags: SamplingFlags,
): { seed: number; sampling: SamplingParams; negativePrompt: string } {
  const { seed, sampling, negativePrompt } = completeRequest(model.manifest, {
    seed: flags.seed,
    sampling: samplingChoices(flags),
  });
  return { seed, sampling, negativePrompt };
}

function parseNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`'${value}' is not a number`);
  return n;
}

function parseSeed(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new InvalidArgumentError(`'${value}' is not a seed (a whole number from 0 to 2^53-1)`);
  return n;
}
