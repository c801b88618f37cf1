/**
 * `emu3 eval look --prompts FILE --videos FILE --out DIR`: the model's look for people, written as
 * DIR/shapes-grid.png (its pictures of the first prompts, captioned) and DIR/video-strip.png (a generated and
 * an extended video). `npm run nano:look` runs it on the bundled model with the nano sets.
 */
import type { Command } from 'commander';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { studioVersion } from '../install/package-info.js';
import { readSet } from '../eval/eval-io.js';
import { drawShapesSheet, drawVideoStrip } from '../eval/look.js';
import { checkVideoLine, VideoLine } from '../eval/video-eval.js';
import { checkPrompt, GenevalPrompt } from '../world/geneval.js';
import { loadWorldSpec } from '../world/spec.js';
import { parsePositiveInt, withModelOptions, type ModelCommandOptions } from './options.js';
import { createOutput } from './output.js';
import { runModelJob } from './run-job.js';
import { generationChoices, withSamplingOptions, type SamplingFlags } from './sampling-options.js';

interface LookFlags extends ModelCommandOptions, SamplingFlags {
  prompts: string;
  videos: string;
  out: string;
  pictures: number;
  columns: number;
  frames: number;
  model?: string;
  world?: string;
}

/** The seed of the README's pictures, as the evaluations' tables use. */
const LOOK_SEED = 1;
export const GRID_FILE = 'shapes-grid.png';
export const STRIP_FILE = 'video-strip.png';

export function registerLook(evaluate: Command): void {
  const command = evaluate
    .command('look')
    .description('contact sheets of what the model draws: captioned pictures and a strip of two videos')
    .requiredOption('--prompts <file>', 'GenEval prompt lines (JSONL); the grid shows the first --pictures')
    .requiredOption(
      '--videos <file>',
      'video lines (JSONL); the strip shows the first generate and extend lines',
    )
    .requiredOption('--out <dir>', `folder for ${GRID_FILE} and ${STRIP_FILE}`)
    .option('--pictures <n>', 'pictures in the grid', parsePositiveInt, 64)
    .option('--columns <n>', 'pictures a row', parsePositiveInt, 8)
    .option('--frames <n>', 'latent frames of the generated video', parsePositiveInt, 4)
    .option('--model <dir>', 'model package or checkpoint folder (default: the bundled nano model)')
    .option('--world <file>', "the world's constants (default: models/recipes/nano/world.json)");
  withModelOptions(withSamplingOptions(command)).action(async (flags: LookFlags) => {
    const output = createOutput(flags.json ?? false);
    try {
      const started = performance.now();
      const spec = loadWorldSpec(flags.world ? resolve(flags.world) : undefined);
      const prompts = await readSet(flags.prompts, GenevalPrompt, {
        limit: flags.pictures,
        check: (prompt, label) => checkPrompt(prompt, spec, label),
      });
      const videos = await readSet(flags.videos, VideoLine, { check: checkVideoLine(spec) });
      await mkdir(flags.out, { recursive: true });
      const { model, grid, strip } = await runModelJob(flags.model, flags, async (context) => {
        const choices = {
          ...generationChoices(context.model, { ...flags, seed: flags.seed ?? LOOK_SEED }),
          signal: context.signal,
        };
        const grid = await drawShapesSheet(context.model, prompts, spec, {
          ...choices,
          columns: flags.columns,
          onStep: (done, total) => context.progress.update('pictures', done, total),
        });
        await writeFile(join(flags.out, GRID_FILE), grid.png);
        const strip = await drawVideoStrip(context.model, videos, spec, {
          ...choices,
          latentFrames: flags.frames,
          onStep: (done, total) => context.progress.update('videos', done, total),
        });
        await writeFile(join(flags.out, STRIP_FILE), strip.png);
        const { id, precision } = context.model.manifest;
        return { model: { id, precision, seed: choices.seed }, grid, strip };
      });
      const seconds = (performance.now() - started) / 1000;
      const gridPath = join(flags.out, GRID_FILE);
      const stripPath = join(flags.out, STRIP_FILE);
      const text = [
        `${gridPath}: ${grid.pictures} pictures of ${model.id} (${model.precision}, seeds from ${model.seed}), ` +
          `${grid.correct} right by the detector; ${kib(grid.png)}`,
        `${stripPath}: ${strip.rows.length} videos; ${kib(strip.png)}`,
        ...strip.rows.map((row) => `  ${row.label}`),
        `${seconds.toFixed(1)} s`,
      ].join('\n');
      output.result(text, {
        event: 'result',
        command: 'eval look',
        model: { id: model.id, precision: model.precision },
        seed: model.seed,
        engineVersion: studioVersion(),
        seconds,
        grid: { path: gridPath, pictures: grid.pictures, correct: grid.correct, bytes: grid.png.length },
        strip: {
          path: stripPath,
          bytes: strip.png.length,
          rows: strip.rows.map(({ kind, seed, direction, correct }) => ({ kind, seed, direction, correct })),
        },
      });
    } catch (error) {
      output.fail(error);
    }
  });
}

function kib(png: Buffer): string {
  return `${(png.length / 1024).toFixed(0)} KiB`;
}
