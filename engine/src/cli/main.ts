/** The `emu3` command: the engine from a terminal. Each command lives in its own file and registers itself. */
import { Command } from 'commander';
import { studioVersion } from '../install/package-info.js';
import { registerEval } from './eval-command.js';
import { registerExtend } from './extend.js';
import { registerGenerate } from './generate.js';
import { registerImport } from './import.js';
import { registerInfo } from './info.js';
import { registerLogits } from './logits.js';
import { registerReplay } from './replay.js';
import { registerServe } from './serve.js';
import { registerTokenize } from './tokenize.js';
import { registerUnderstand } from './understand.js';
import { registerVq } from './vq.js';

export function buildProgram(): Command {
  const program = new Command('emu3')
    .description('Emu3 Studio engine: next-token image and video generation on ONNX Runtime')
    .version(studioVersion())
    .showHelpAfterError('(run `emu3 --help` for usage)');
  registerImport(program);
  registerInfo(program);
  registerTokenize(program);
  registerLogits(program);
  registerVq(program);
  registerGenerate(program);
  registerExtend(program);
  registerUnderstand(program);
  registerEval(program);
  registerReplay(program);
  registerServe(program);
  return program;
}

await buildProgram().parseAsync(process.argv);
