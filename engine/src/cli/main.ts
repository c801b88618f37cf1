/** The `emu3` command: the engine from a terminal. Each command lives in its own file and registers itself. */
import { Command } from 'commander';
import { studioVersion } from '../host/package-info.js';
import { registerServe } from './serve.js';

export function buildProgram(): Command {
  const program = new Command('emu3')
    .description('Emu3 Studio engine: next-token image and video generation on ONNX Runtime')
    .version(studioVersion())
    .showHelpAfterError('(run `emu3 --help` for usage)');
  registerServe(program);
  return program;
}

await buildProgram().parseAsync(process.argv);
