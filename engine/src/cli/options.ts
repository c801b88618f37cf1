/** Options shared by the commands that run a model, and their parsing. */
import { InvalidArgumentError, type Command } from 'commander';
import { ProviderChoice } from '../runtime/execution-provider.js';
import { Precision } from '../model/package-manifest.js';

export interface ModelCommandOptions {
  json?: boolean;
  provider: ProviderChoice;
  threads?: number;
  vq?: string;
  precision?: Precision;
}

/** `--json`, `--provider`, `--threads`, and `--vq`/`--precision` for checkpoints imported on the fly. */
export function withModelOptions(command: Command): Command {
  return command
    .option('--json', 'print machine-readable JSON')
    .option('--provider <name>', 'execution provider: auto, webgpu, cuda, dml or cpu', parseProvider, 'auto')
    .option('--threads <n>', 'CPU threads', parsePositiveInt)
    .option('--vq <dir>', 'vision tokenizer folder, for a BAAI checkpoint folder given as MODEL')
    .option(
      '--precision <p>',
      'precision when MODEL is a checkpoint: fp32, fp16, int8 or int4',
      parsePrecision,
    );
}

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`'${value}' is not a positive integer`);
  return n;
}

export function parseIdList(value: string): number[] {
  const ids = value.split(',').map((part) => part.trim());
  if (ids.some((id) => !/^\d+$/.test(id)))
    throw new InvalidArgumentError(`'${value}' is not a comma-separated list of token ids`);
  return ids.map(Number);
}

export function parsePrecision(value: string): Precision {
  const parsed = Precision.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(`'${value}' is not one of fp32, fp16, int8, int4`);
  return parsed.data;
}

function parseProvider(value: string): ProviderChoice {
  const parsed = ProviderChoice.safeParse(value);
  if (!parsed.success)
    throw new InvalidArgumentError(`'${value}' is not one of auto, webgpu, cuda, dml, cpu`);
  return parsed.data;
}
