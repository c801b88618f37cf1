/** `emu3 generate image|video`: text to a PNG or an MP4 that carries its record. */
import type { Command } from 'commander';
import { completeRequest } from '../generate/request-defaults.js';
import { generateVision } from '../generate/vision.js';
import { resultKind, writeResult } from '../media/result-files.js';
import { parsePositiveInt, withModelOptions, type ModelCommandOptions } from './options.js';
import { createOutput } from './output.js';
import { describeSpeed, runModelJob } from './run-job.js';
import { samplingChoices, withSamplingOptions, type SamplingFlags } from './sampling-options.js';

interface GenerateFlags extends ModelCommandOptions, SamplingFlags {
  model?: string;
  prompt: string;
  negative?: string;
  ratio: string;
  area?: number;
  frames?: number;
  fps?: number;
  out: string;
}

export function registerGenerate(program: Command): void {
  const generate = program.command('generate').description('generate an image or a video from a prompt');
  for (const kind of ['image', 'video'] as const) {
    const command = generate
      .command(kind)
      .description(kind === 'image' ? 'text to image (PNG)' : 'text to video (MP4)')
      .option('--model <dir>', 'model package or checkpoint folder (default: the bundled nano model)')
      .requiredOption('--prompt <text>', 'what to generate')
      .option('--negative <text>', 'what to steer away from (default: the reference negative prompt)')
      .option('--ratio <W:H>', 'aspect ratio', '1:1')
      .option('--area <pixels>', "image area in pixels (default: the model's)", parsePositiveInt)
      .requiredOption('--out <file>', kind === 'image' ? 'output .png' : 'output .mp4');
    if (kind === 'video') {
      command.option(
        '--frames <n>',
        'latent frames (each decodes to the temporal factor in video frames)',
        parsePositiveInt,
        2,
      );
      command.option('--fps <n>', 'frames per second', parsePositiveInt, 8);
    }
    withModelOptions(withSamplingOptions(command)).action(async (flags: GenerateFlags) => {
      const output = createOutput(flags.json ?? false);
      try {
        resultKind(flags.out);
        const started = performance.now();
        const result = await runModelJob(flags.model, flags, async ({ model, signal, onProgress }) => {
          const generated = await generateVision(
            model,
            completeRequest(model.manifest, {
              prompt: flags.prompt,
              negativePrompt: flags.negative,
              ratio: flags.ratio,
              area: flags.area,
              ...(kind === 'video' ? { frames: flags.frames!, fps: flags.fps! } : {}),
              sampling: samplingChoices(flags),
              seed: flags.seed,
            }),
            { signal, onProgress },
          );
          await writeResult(flags.out, generated.frames, generated.record, { signal });
          return generated;
        });
        const seconds = (performance.now() - started) / 1000;
        const { record, frames } = result;
        output.result(
          `Wrote ${flags.out}: ${frames[0]!.width}×${frames[0]!.height}${kind === 'video' ? `, ${frames.length} frames` : ''}, seed ${record.seed}, ${describeSpeed(record.tokens.output.length, seconds)}`,
          {
            event: 'result',
            out: flags.out,
            seed: record.seed,
            tokens: record.tokens.output.length,
            seconds,
            provider: record.provider,
          },
        );
      } catch (error) {
        output.fail(error);
      }
    });
  }
}
