/** `emu3 info MODEL`: what a model package holds. */
import type { Command } from 'commander';
import { join } from 'node:path';
import { EngineError } from '../api/index.js';
import { sha256File } from '../model/file-hash.js';
import { openModelForCli } from './open-model-cli.js';
import { withModelOptions, type ModelCommandOptions } from './options.js';
import { createOutput } from './output.js';

export function registerInfo(program: Command): void {
  withModelOptions(
    program
      .command('info')
      .description('describe a model: package folder, or checkpoint folder (imported on the fly)')
      .argument('<model>', 'model package or checkpoint folder')
      .option('--verify', 'recompute the sha256 of every package file'),
  ).action(async (model: string, options: ModelCommandOptions & { verify?: boolean }) => {
    const output = createOutput(options.json ?? false);
    try {
      const handle = await openModelForCli(model, options);
      const { manifest } = handle;
      if (options.verify) {
        for (const file of manifest.files) {
          if ((await sha256File(join(handle.dir, file.path))) !== file.sha256) {
            throw new EngineError(
              'invalid_file',
              `${join(handle.dir, file.path)}: sha256 does not match the manifest`,
            );
          }
        }
      }
      const d = manifest.decoder;
      const v = manifest.vision;
      const bytes = manifest.files.reduce((sum, f) => sum + f.bytes, 0);
      output.result(
        [
          `Model package ${handle.dir}`,
          `  id          ${manifest.id}`,
          `  source      ${manifest.source.layout} layout, ${manifest.source.paths.join(', ')}`,
          `  precision   ${manifest.precision}, ${(bytes / 1e6).toFixed(1)} MB in ${manifest.files.length} files${options.verify ? ' (verified)' : ''}`,
          `  decoder     ${d.numLayers} layers, hidden ${d.hiddenSize}, ${d.numHeads}/${d.numKvHeads} heads, MLP ${d.intermediateSize}, vocabulary ${d.vocabSize}, rope θ ${d.ropeTheta}, ${d.maxPositionEmbeddings} positions`,
          `  vision      codebook ${v.codebookSize}, spatial ×${v.spatialFactor}, temporal ×${v.temporalDownsampleFactor}`,
          `  tokens      BOS ${manifest.special.bos}, EOS ${manifest.special.eos}, image start ${manifest.special.boi}, first visual ${manifest.visualTokens.first}`,
          `  image area  ${manifest.imageArea} pixels`,
        ].join('\n'),
        { event: 'result', dir: handle.dir, manifest, verified: options.verify ?? false },
      );
      await handle.close();
    } catch (error) {
      output.fail(error);
    }
  });
}
