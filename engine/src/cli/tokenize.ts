/** `emu3 tokenize MODEL TEXT` and `emu3 tokenize MODEL --decode 1,2,3`. */
import type { Command } from 'commander';
import { EngineError } from '../api/index.js';
import { openModelForCli } from './open-model-cli.js';
import { parseIdList, withModelOptions, type ModelCommandOptions } from './options.js';
import { createOutput } from './output.js';

export function registerTokenize(program: Command): void {
  withModelOptions(
    program
      .command('tokenize')
      .description("turn text into the model's token ids, or ids back into text")
      .argument('<model>', 'model package or checkpoint folder')
      .argument('[text]', 'text to encode (no BOS is added)')
      .option('--decode <ids>', 'comma-separated token ids to decode', parseIdList),
  ).action(
    async (model: string, text: string | undefined, options: ModelCommandOptions & { decode?: number[] }) => {
      const output = createOutput(options.json ?? false);
      try {
        if ((text === undefined) === (options.decode === undefined)) {
          throw new EngineError('bad_request', 'give either TEXT or --decode IDS');
        }
        const handle = await openModelForCli(model, options);
        const tokenizer = await handle.tokenizer();
        if (options.decode) {
          const decoded = tokenizer.decode(options.decode);
          output.result(decoded, { event: 'result', ids: options.decode, text: decoded });
        } else {
          const ids = tokenizer.encode(text!);
          const tokens = ids.map((id) => tokenizer.idToToken(id) ?? '?');
          output.result(`${ids.join(',')}\n${tokens.map((t) => JSON.stringify(t)).join(' ')}`, {
            event: 'result',
            text,
            ids,
            tokens,
          });
        }
        await handle.close();
      } catch (error) {
        output.fail(error);
      }
    },
  );
}
