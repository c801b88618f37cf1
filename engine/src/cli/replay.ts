/** `emu3 replay FILE.png|FILE.mp4`: regenerate from the embedded record and say whether every token matches. */
import type { Command } from 'commander';
import { join } from 'node:path';
import { EngineError } from '../api/index.js';
import { parseRecord } from '../generate/record.js';
import { replayRecord } from '../generate/replay.js';
import { modelsDir } from '../library/paths.js';
import { readResultRecord } from '../media/result-files.js';
import { withModelOptions, type ModelCommandOptions } from './options.js';
import { createOutput } from './output.js';
import { runModelJob } from './run-job.js';

export function registerReplay(program: Command): void {
  withModelOptions(
    program
      .command('replay')
      .description('regenerate a result from its embedded record and compare every token')
      .argument('<file>', 'a .png or .mp4 written by the studio')
      .option('--model <dir>', 'model to replay with (default: the package in the library the record names)'),
  ).action(async (file: string, flags: ModelCommandOptions & { model?: string }) => {
    const output = createOutput(flags.json ?? false);
    try {
      const data = await readResultRecord(file);
      if (data === null) throw new EngineError('invalid_file', `${file}: carries no Emu3 Studio record`);
      const record = parseRecord(data, file);
      const modelPath = flags.model ?? join(modelsDir(), record.model.id);
      const result = await runModelJob(modelPath, flags, ({ model, signal }) =>
        replayRecord(model, record, signal),
      );
      const total = record.tokens.output.length;
      const index = result.firstDifference;
      output.result(
        result.matches
          ? `All ${total} tokens match (${record.mode}, seed ${record.seed}).`
          : `Token ${index} differs: the record has ${record.tokens.output[index!] ?? 'nothing'}, the replay gave ${result.tokens[index!] ?? 'nothing'}.`,
        { event: 'result', matches: result.matches, tokens: total, firstDifference: index },
      );
      if (!result.matches) process.exitCode = 1;
    } catch (error) {
      output.fail(error);
    }
  });
}
