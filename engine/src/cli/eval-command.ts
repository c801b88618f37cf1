/**
 * `emu3 eval shapes|vqa|video|tokenizer`: the nano world's evaluations (models/recipes/nano/WORLD.md), each
 * printing a table (or, with `--json`, one result object) and writing the full report with `--out`.
 */
import type { Command } from 'commander';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { studioVersion } from '../install/package-info.js';
import { writePng } from '../media/images.js';
import { readSet } from '../eval/eval-io.js';
import { evaluateShapes, SHAPE_SOURCES, type ShapesReport } from '../eval/shapes-eval.js';
import {
  checkTokenizerLine,
  evaluateTokenizer,
  TokenizerLine,
  type TokenizerReport,
} from '../eval/tokenizer-eval.js';
import { checkVideoLine, evaluateVideo, VideoLine, type VideoReport } from '../eval/video-eval.js';
import { checkVqaLine, evaluateVqa, VqaLine, VQA_KINDS, type VqaReport } from '../eval/vqa-eval.js';
import { checkPrompt, GENEVAL_TAGS, GenevalPrompt } from '../world/geneval.js';
import { loadWorldSpec, type WorldSpec } from '../world/spec.js';
import type { ModelHandle } from '../runtime/open-model.js';
import { parsePositiveInt, withModelOptions, type ModelCommandOptions } from './options.js';
import { createOutput } from './output.js';
import { runModelJob, type JobContext } from './run-job.js';
import { registerLook } from './eval-look.js';
import { generationChoices, withSamplingOptions, type SamplingFlags } from './sampling-options.js';

interface EvalFlags extends ModelCommandOptions, SamplingFlags {
  model?: string;
  limit?: number;
  every?: number;
  out?: string;
  world?: string;
}

/** Short answers: the world's answers are a word or two. */
const VQA_ANSWER_TOKENS = 32;

export function registerEval(program: Command): void {
  const evaluate = program
    .command('eval')
    .description("measure a model on the nano world's evaluation sets (models/nano/eval/)");

  type ShapesFlags = EvalFlags & { prompts: string; imagesPerPrompt: number; savePictures?: string };
  evalCommand(
    evaluate,
    'shapes',
    'GenEval-style image generation, with ground-truth and tokenizer ceilings',
    true,
  )
    .requiredOption('--prompts <file>', 'GenEval prompt lines (JSONL)')
    .option('--images-per-prompt <n>', 'pictures generated per prompt', parsePositiveInt, 4)
    .option('--save-pictures <dir>', "write each of the model's pictures as DIR/LINE-SEED.png")
    .action(
      run(
        'shapes',
        (flags: ShapesFlags, spec) =>
          readSet(flags.prompts, GenevalPrompt, {
            ...limit(flags),
            check: (prompt, label) => checkPrompt(prompt, spec, label),
          }),
        async (flags, prompts, spec, { model, signal, progress }) => {
          const saveTo = flags.savePictures;
          if (saveTo) await mkdir(saveTo, { recursive: true });
          const report = await evaluateShapes(model, prompts, spec, {
            imagesPerPrompt: flags.imagesPerPrompt,
            ...generationChoices(model, flags),
            signal,
            onStep: (done, total) => progress.update('shapes', done, total),
            ...(saveTo
              ? {
                  onPicture: ({ line, seed, frame }) =>
                    writePng(join(saveTo, `${line.line}-${seed}.png`), frame),
                }
              : {}),
          });
          const { imagesPerPrompt: n, seed } = report;
          return {
            set: flags.prompts,
            title: `GenEval on the nano world: ${report.prompts} prompts × ${n} picture${n === 1 ? '' : 's'}, seed ${seed}`,
            report,
            table: shapesTable(report),
            summary: { prompts: report.prompts, imagesPerPrompt: n, seed, scores: report.scores },
          };
        },
      ),
    );

  type VqaFlags = EvalFlags & { set: string; maxTokens: number };
  evalCommand(evaluate, 'vqa', 'questions about rendered scenes, answered greedily')
    .requiredOption('--set <file>', 'question lines (JSONL)')
    .option('--max-tokens <n>', 'longest answer in tokens', parsePositiveInt, VQA_ANSWER_TOKENS)
    .action(
      run(
        'vqa',
        (flags: VqaFlags, spec) =>
          readSet(flags.set, VqaLine, { ...limit(flags), check: checkVqaLine(spec) }),
        async (flags, lines, spec, { model, signal, progress }) => {
          const report = await evaluateVqa(model, lines, spec, {
            maxNewTokens: flags.maxTokens,
            signal,
            onStep: (done, total) => progress.update('vqa', done, total),
          });
          const { questions, perKind, overall } = report;
          return {
            set: flags.set,
            title: `Questions about the nano world: ${questions}, answered greedily`,
            report,
            table: vqaTable(report),
            summary: { questions, perKind, overall },
          };
        },
      ),
    );

  type VideoFlags = EvalFlags & { set: string; frames: number };
  evalCommand(evaluate, 'video', 'motion in generated and extended videos, with ground-truth ceilings', true)
    .requiredOption('--set <file>', 'video lines (JSONL): generate or extend')
    .option('--frames <n>', 'latent frames of a generated video', parsePositiveInt, 4)
    .action(
      run(
        'video',
        (flags: VideoFlags, spec) =>
          readSet(flags.set, VideoLine, { ...limit(flags), check: checkVideoLine(spec) }),
        async (flags, lines, spec, { model, signal, progress }) => {
          const report = await evaluateVideo(model, lines, spec, {
            latentFrames: flags.frames,
            ...generationChoices(model, flags),
            signal,
            onStep: (done, total) => progress.update('video', done, total),
          });
          const { latentFrames, fps, seed, perKind } = report;
          const count = report.items.length;
          return {
            set: flags.set,
            title: `Videos of the nano world: ${count} lines, ${latentFrames} latent frames at ${fps} fps, seed ${seed}`,
            report,
            table: videoTable(report),
            nameColumns: 2,
            summary: { lines: count, latentFrames, fps, seed, perKind },
          };
        },
      ),
    );

  type TokenizerFlags = EvalFlags & { set: string };
  evalCommand(evaluate, 'tokenizer', 'PSNR and SSIM of rendered scenes through the vision tokenizer')
    .requiredOption('--set <file>', 'scene lines (JSONL)')
    .action(
      run(
        'tokenizer',
        (flags: TokenizerFlags, spec) =>
          readSet(flags.set, TokenizerLine, { ...limit(flags), check: checkTokenizerLine(spec) }),
        async (flags, lines, spec, { model, signal, progress }) => {
          const report = await evaluateTokenizer(model, lines, spec, {
            signal,
            onStep: (done, total) => progress.update('tokenizer', done, total),
          });
          const { size, images, videos } = report;
          return {
            set: flags.set,
            title: `Vision tokenizer on the nano world at ${size.width}×${size.height}`,
            report,
            table: tokenizerTable(report),
            summary: { size, images, videos },
          };
        },
      ),
    );

  registerLook(evaluate);
}

/** A subcommand with the options every evaluation takes; the generating ones also take the sampling flags. */
function evalCommand(parent: Command, name: string, description: string, generates = false): Command {
  const command = parent
    .command(name)
    .description(description)
    .option('--model <dir>', 'model package or checkpoint folder (default: the bundled nano model)')
    .option('--limit <n>', 'evaluate only the first n lines', parsePositiveInt)
    .option('--every <k>', 'evaluate every k-th line (a subset spread over the tags)', parsePositiveInt)
    .option('--out <file>', 'write the full report (every line scored) as JSON')
    .option('--world <file>', "the world's constants (default: models/recipes/nano/world.json)");
  return withModelOptions(generates ? withSamplingOptions(command) : command);
}

function limit(flags: EvalFlags): { limit?: number; every?: number } {
  return { ...(flags.limit ? { limit: flags.limit } : {}), ...(flags.every ? { every: flags.every } : {}) };
}

interface Evaluated {
  set: string;
  title: string;
  report: object;
  /** Rows of the printed table, header first. */
  table: string[][];
  /** How many leading columns hold names (left-aligned). */
  nameColumns?: number;
  /** What `--json` prints besides the event: the scores without the per-line detail. */
  summary: Record<string, unknown>;
}

/**
 * The action of one evaluation: read the set (so a bad line fails before any model loads), run the
 * evaluation with the model, print the table or the JSON, write the report.
 */
function run<F extends EvalFlags, L>(
  name: string,
  read: (flags: F, spec: WorldSpec) => Promise<L>,
  work: (flags: F, lines: L, spec: WorldSpec, context: JobContext) => Promise<Evaluated>,
) {
  return async (flags: F) => {
    const output = createOutput(flags.json ?? false);
    try {
      const started = performance.now();
      const spec = loadWorldSpec(flags.world ? resolve(flags.world) : undefined);
      const lines = await read(flags, spec);
      let modelInfo: { id: string; precision: string } | undefined;
      const evaluated = await runModelJob(flags.model, flags, (context) => {
        modelInfo = describeModel(context.model);
        return work(flags, lines, spec, context);
      });
      const seconds = (performance.now() - started) / 1000;
      const header = {
        command: `eval ${name}`,
        set: evaluated.set,
        model: modelInfo,
        ...(flags.world ? { world: resolve(flags.world) } : {}),
        engineVersion: studioVersion(),
      };
      if (flags.out)
        await writeFile(
          flags.out,
          `${JSON.stringify({ ...header, seconds, ...evaluated.report }, null, 1)}\n`,
        );
      const text = [
        evaluated.title,
        ...formatTable(evaluated.table, evaluated.nameColumns),
        `${seconds.toFixed(1)} s${flags.out ? `; report written to ${flags.out}` : ''}`,
      ].join('\n');
      output.result(text, {
        event: 'result',
        ...header,
        seconds,
        ...evaluated.summary,
        ...(flags.out ? { out: flags.out } : {}),
      });
    } catch (error) {
      output.fail(error);
    }
  };
}

function describeModel(model: ModelHandle): { id: string; precision: string } {
  return { id: model.manifest.id, precision: model.manifest.precision };
}

const SOURCE_NAMES = { model: 'model', groundTruth: 'ground truth', tokenizer: 'tokenizer' } as const;

function shapesTable(report: ShapesReport): string[][] {
  const rows = [['tag', ...SHAPE_SOURCES.map((s) => SOURCE_NAMES[s]), 'pictures']];
  for (const tag of GENEVAL_TAGS) {
    const model = report.scores.model.perTag[tag];
    if (!model) continue;
    rows.push([
      tag,
      ...SHAPE_SOURCES.map((s) => fixed(report.scores[s].perTag[tag]?.accuracy)),
      String(model.total),
    ]);
  }
  rows.push(['overall', ...SHAPE_SOURCES.map((s) => fixed(report.scores[s].overall)), '']);
  return rows;
}

function vqaTable(report: VqaReport): string[][] {
  const rows = [['kind', 'correct', 'questions', 'accuracy']];
  for (const kind of VQA_KINDS) {
    const score = report.perKind[kind];
    if (score) rows.push([kind, String(score.correct), String(score.total), fixed(score.accuracy)]);
  }
  const { correct, total, accuracy } = report.overall;
  rows.push(['overall', String(correct), String(total), fixed(accuracy)]);
  return rows;
}

function videoTable(report: VideoReport): string[][] {
  const rows = [['kind', 'videos of', 'motion', 'consistency', 'smoothness', 'videos']];
  for (const kind of ['generate', 'extend'] as const) {
    const scores = report.perKind[kind];
    if (!scores) continue;
    for (const source of ['model', 'groundTruth'] as const) {
      const s = scores[source];
      rows.push([
        kind,
        SOURCE_NAMES[source],
        fixed(s.motionAccuracy),
        fixed(s.subjectConsistency),
        fixed(s.smoothness),
        String(s.count),
      ]);
    }
  }
  return rows;
}

function tokenizerTable(report: TokenizerReport): string[][] {
  const rows = [['kind', 'count', 'PSNR (dB)', 'SSIM']];
  for (const [name, r] of [
    ['images', report.images],
    ['videos', report.videos],
  ] as const)
    if (r.count) rows.push([name, String(r.count), r.psnr.toFixed(2), fixed(r.ssim)]);
  return rows;
}

function fixed(value: number | undefined): string {
  return value === undefined ? '-' : value.toFixed(3);
}

/** Columns padded to their widest cell: the first `names` left-aligned, the rest (numbers) right-aligned. */
export function formatTable(rows: readonly string[][], names = 1): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length)));
  return rows.map((row) =>
    row
      .map((cell, c) => (c < names ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('  ')
      .trimEnd(),
  );
}
