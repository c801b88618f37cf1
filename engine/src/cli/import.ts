/** `emu3 import SRC`: a checkpoint folder into an engine model package. */
import type { Command } from 'commander';
import { importModel } from '../model/import-model.js';
import { modelsDir } from '../library/paths.js';
import { parsePrecision } from './options.js';
import { createOutput } from './output.js';
import { createProgress } from './progress.js';

export function registerImport(program: Command): void {
  program
    .command('import')
    .description('import an Emu3 checkpoint folder (BAAI or transformers layout) as an engine model package')
    .argument('<src>', 'checkpoint folder')
    .option('--vq <dir>', 'the vision tokenizer folder of a BAAI checkpoint (found beside SRC when left out)')
    .option(
      '--precision <p>',
      'fp32, fp16 (GPU), int8 or int4 weights (default: fp32, int4 above 1B parameters)',
      parsePrecision,
    )
    .option('--out <dir>', 'folder that holds model packages (default: the library)')
    .option('--json', 'print machine-readable JSON')
    .action(
      async (
        src: string,
        options: { vq?: string; precision?: 'fp32' | 'fp16' | 'int8' | 'int4'; out?: string; json?: boolean },
      ) => {
        const output = createOutput(options.json ?? false);
        const progress = createProgress(options.json ?? false);
        try {
          const started = Date.now();
          const result = await importModel(src, {
            ...(options.vq ? { visionDir: options.vq } : {}),
            ...(options.precision ? { precision: options.precision } : {}),
            modelsDir: options.out ?? modelsDir(),
            onProgress: ({ phase, done, total }) => progress.update(phase, done, total),
          });
          progress.finish();
          const { manifest } = result;
          output.result(
            `${result.reused ? 'Already imported' : 'Imported'}: ${result.dir}\n` +
              `  ${manifest.source.layout} layout, ${manifest.precision}, ${manifest.decoder.numLayers} layers, ` +
              `vocabulary ${manifest.decoder.vocabSize}, codebook ${manifest.vision.codebookSize} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
            {
              event: 'result',
              dir: result.dir,
              id: manifest.id,
              reused: result.reused,
              precision: manifest.precision,
            },
          );
        } catch (error) {
          progress.finish();
          output.fail(error);
        }
      },
    );
}
