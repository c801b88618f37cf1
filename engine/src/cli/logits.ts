/** `emu3 logits MODEL --ids 1,2,3 [--all]`: the decoder's logits, for diagnostics and parity checks. */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { forwardLogits } from '../runtime/decoder-runner.js';
import { openModelForCli, reportFallbacks } from './open-model-cli.js';
import { parseIdList, withModelOptions, type ModelCommandOptions } from './options.js';
import { createOutput } from './output.js';

const TOP = 5;

export function registerLogits(program: Command): void {
  withModelOptions(
    program
      .command('logits')
      .description('logits of the next token at the last position (or every position with --all)')
      .argument('<model>', 'model package or checkpoint folder')
      .requiredOption('--ids <ids>', 'comma-separated token ids', parseIdList)
      .option('--all', 'logits at every position'),
  ).action(async (model: string, options: ModelCommandOptions & { ids: number[]; all?: boolean }) => {
    const output = createOutput(options.json ?? false);
    try {
      if (options.ids.length === 0) throw new InvalidArgumentError('--ids is empty');
      const handle = await openModelForCli(model, options);
      const { provider, fallbacks } = await handle.session('decoder');
      reportFallbacks(options.provider, fallbacks);
      const tokenizer = await handle.tokenizer();
      const positions = await forwardLogits(handle, options.ids, options.all ?? false);
      const lines = positions.map(({ position, logits }) => {
        const top = topK(logits, TOP)
          .map((id) => `${JSON.stringify(tokenizer.idToToken(id) ?? String(id))}=${logits[id]!.toFixed(3)}`)
          .join(' ');
        return `position ${position}: ${top}`;
      });
      output.result(lines.join('\n'), {
        event: 'result',
        provider,
        fallbacks,
        positions: positions.map(({ position, logits }) => ({ position, logits: Array.from(logits) })),
      });
      await handle.close();
    } catch (error) {
      output.fail(error);
    }
  });
}

function topK(values: Float32Array, k: number): number[] {
  return Array.from(values.keys())
    .sort((a, b) => values[b]! - values[a]!)
    .slice(0, k);
}
