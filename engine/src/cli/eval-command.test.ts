/**
 * `emu3 eval shapes|vqa|video|tokenizer` end to end on the tiny fixture model, through the real command
 * definitions (in process, so no build is needed). The tiny model's pictures are not of the nano world, so
 * its scores only need to be numbers in [0, 1]; the ceilings must be computed and high.
 */
import { Command } from 'commander';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TINY } from '../model/reference-fixtures.js';
import { WORLD_SPEC_PATH } from '../world/spec.js';
import { registerEval } from './eval-command.js';

let work: string;
const at = (name: string) => join(work, name);
const fraction = expect.toSatisfy(
  (x: unknown) => typeof x === 'number' && x >= 0 && x <= 1,
  'a number in [0, 1]',
);

const scene = (motion?: object) => ({
  background: { kind: 'gradient', family: 'sand', angle: 0.4 },
  objects: [
    { class: 'heart', color: 'red', cx: 80, cy: 64, r: 19.2, ...(motion ? { motion } : {}) },
    { class: 'square', color: 'blue', cx: 30, cy: 30, r: 14.08 },
  ],
});
const left = { kind: 'left', vx: -2.5, vy: 0 };

function writeSet(name: string, lines: object[]): string {
  writeFileSync(at(name), lines.map((line) => JSON.stringify(line)).join('\n') + '\n');
  return at(name);
}

/** Runs `emu3 eval …` with the tiny model on the CPU and returns the report it wrote. */
async function evalCli(args: string[]): Promise<Record<string, unknown>> {
  const program = new Command('emu3').exitOverride();
  registerEval(program);
  const out = at(`${args[0]}-report.json`);
  const common = ['--model', TINY.originalDecoder, '--provider', 'cpu', '--threads', '2', '--limit', '2'];
  await program.parseAsync(['node', 'emu3', 'eval', ...args, ...common, '--out', out, '--json']);
  expect(process.exitCode ?? 0).toBe(0);
  return JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'emu3-eval-'));
  process.env.EMU3_HOME = join(work, 'home'); // the tiny checkpoint is imported here on first use
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('emu3 eval', () => {
  it('shapes: scores the model, the ground truth and the tokenizer per tag', async () => {
    const prompts = writeSet('shapes.jsonl', [
      {
        tag: 'colors',
        include: [{ class: 'star', count: 1, color: 'green' }],
        prompt: 'a photo of a green star',
      },
      {
        tag: 'position',
        include: [
          { class: 'circle', count: 1 },
          { class: 'cross', count: 1, position: ['left of', 0] },
        ],
        prompt: 'a photo of a cross left of a circle',
      },
      { tag: 'single_object', include: [{ class: 'ring', count: 1 }], prompt: 'beyond the limit' },
    ]);
    const pictures = at('pictures');
    const report = await evalCli([
      'shapes',
      ...['--prompts', prompts, '--images-per-prompt', '1', '--seed', '4', '--save-pictures', pictures],
    ]);
    expect(report).toMatchObject({ command: 'eval shapes', prompts: 2, imagesPerPrompt: 1, seed: 4 });
    const scores = report.scores as Record<string, { perTag: object; overall: number }>;
    for (const source of ['model', 'groundTruth', 'tokenizer']) {
      expect(scores[source]!.perTag).toEqual({
        colors: { correct: expect.any(Number), total: 1, accuracy: fraction },
        position: { correct: expect.any(Number), total: 1, accuracy: fraction },
      });
      expect(scores[source]!.overall).toEqual(fraction);
    }
    expect(scores.groundTruth!.overall).toBe(1); // the detector finds what was rendered
    expect(report.items).toHaveLength(2);
    // --save-pictures: the model's pictures as scored, named by line and seed, at the model's size.
    expect(readdirSync(pictures).sort()).toEqual(['1-4.png', '2-5.png']);
    for (const name of readdirSync(pictures))
      expect(await sharp(join(pictures, name)).metadata()).toMatchObject({
        format: 'png',
        width: 24, // the tiny model's 6×6 grid at spatial factor 4
        height: 24,
        channels: 3,
      });
  });

  it('look: draws the captioned pictures and the strip of a generated and an extended video', async () => {
    const prompts = writeSet('look-shapes.jsonl', [
      { tag: 'single_object', include: [{ class: 'ring', count: 1 }], prompt: 'a photo of a ring' },
      { tag: 'single_object', include: [{ class: 'star', count: 1 }], prompt: 'a photo of a star' },
      { tag: 'single_object', include: [{ class: 'cross', count: 1 }], prompt: 'not drawn' },
    ]);
    const videos = writeSet('look-videos.jsonl', [
      { kind: 'extend', scene: scene(left), motion: 'left', contextFrames: 1, addFrames: 1 },
      {
        kind: 'generate',
        prompt: 'a video of a red heart moving left',
        motion: 'left',
        class: 'heart',
        color: 'red',
      },
    ]);
    const out = at('look');
    const program = new Command('emu3').exitOverride();
    registerEval(program);
    const args = ['--prompts', prompts, '--videos', videos, '--out', out, '--pictures', '2', '--frames', '2'];
    const model = ['--model', TINY.originalDecoder, '--provider', 'cpu', '--threads', '2'];
    await program.parseAsync(['node', 'emu3', 'eval', 'look', ...args, ...model, '--columns', '2']);
    expect(process.exitCode ?? 0).toBe(0);
    const tile = 128 + 6; // a tile and the gap after it
    const grid = await sharp(join(out, 'shapes-grid.png')).metadata();
    expect(grid).toMatchObject({ format: 'png', width: 6 + 2 * tile });
    expect(grid.height).toBeGreaterThan(6 + 128 + 4 + 10); // one row: picture, verdict bar, caption
    expect(grid.height).toBeLessThan(2 * tile); // not two
    // Two rows of every second frame: a video of 2 latent frames (8 frames) and an extension of 4 + 4 frames.
    const strip = await sharp(join(out, 'video-strip.png')).metadata();
    expect(strip).toMatchObject({ format: 'png', width: 6 + 4 * tile + 18 });
    expect(strip.height).toBeGreaterThan(2 * tile);
  }, 60_000);

  it('vqa: answers questions about an image and a video', async () => {
    const set = writeSet('vqa.jsonl', [
      { scene: scene(), video: false, question: 'What color is the heart?', answer: 'red', kind: 'color' },
      {
        scene: scene(left),
        video: true,
        question: 'How is the heart moving?',
        answer: 'moving left',
        kind: 'motion',
      },
    ]);
    const report = await evalCli(['vqa', '--set', set, '--max-tokens', '4']);
    expect(report).toMatchObject({
      command: 'eval vqa',
      questions: 2,
      perKind: { color: { total: 1, accuracy: fraction }, motion: { total: 1, accuracy: fraction } },
      overall: { total: 2, accuracy: fraction },
    });
    expect(report.items).toEqual([
      expect.objectContaining({ video: false, expected: 'red', answer: expect.any(String) }),
      expect.objectContaining({ video: true, expected: 'moving left', answer: expect.any(String) }),
    ]);
  });

  it('video: tracks generated and extended videos, with ground-truth ceilings', async () => {
    const set = writeSet('video.jsonl', [
      {
        kind: 'generate',
        prompt: 'a video of a red heart moving left',
        motion: 'left',
        class: 'heart',
        color: 'red',
      },
      { kind: 'extend', scene: scene(left), motion: 'left', contextFrames: 1, addFrames: 1 },
    ]);
    const report = await evalCli(['video', '--set', set, '--frames', '2', '--seed', '1']);
    const summary = {
      count: 1,
      motionAccuracy: fraction,
      subjectConsistency: fraction,
      smoothness: fraction,
    };
    expect(report).toMatchObject({
      command: 'eval video',
      latentFrames: 2,
      perKind: {
        generate: { model: summary, groundTruth: { ...summary, motionAccuracy: 1, subjectConsistency: 1 } },
        extend: { model: summary, groundTruth: { ...summary, motionAccuracy: 1, subjectConsistency: 1 } },
      },
    });
    expect((report.items as { groundTruth: object }[])[1]!.groundTruth).toMatchObject({
      direction: 'left',
      sourceDirection: 'left',
    });
  });

  it('tokenizer: PSNR and SSIM for images and videos apart', async () => {
    const set = writeSet('tokenizer.jsonl', [
      { scene: scene(), video: false },
      { scene: scene(left), video: true },
    ]);
    const report = await evalCli(['tokenizer', '--set', set]);
    const psnr = expect.toSatisfy((x: unknown) => typeof x === 'number' && x > 0 && x <= 100, 'a PSNR');
    expect(report).toMatchObject({
      command: 'eval tokenizer',
      size: { width: 24, height: 24 }, // the tiny model's 6×6 grid at spatial factor 4
      images: { count: 1, psnr, ssim: expect.any(Number) },
      videos: { count: 1, psnr, ssim: expect.any(Number) },
    });
  });

  it('fails in one line naming the file and line of a bad set, before opening any model', async () => {
    const set = writeSet('bad.jsonl', [
      { scene: scene(), video: false },
      { scene: scene(), video: 'yes' },
    ]);
    const error = await evalFailing(['tokenizer', '--set', set, '--model', at('no-such-model')]);
    expect(error.code).toBe('invalid_file');
    expect(error.message).toMatch(new RegExp(`^${set}:2: field video: `));
    expect(error.message).not.toContain('\n');
  });

  it('--world checks the set against another world file, and names a missing one in one line', async () => {
    const set = writeSet('hearts.jsonl', [{ scene: scene(), video: false }]);
    const world = JSON.parse(readFileSync(WORLD_SPEC_PATH, 'utf8')) as { classes: string[] };
    writeFileSync(
      at('no-hearts.json'),
      JSON.stringify({ ...world, classes: world.classes.filter((c) => c !== 'heart') }),
    );
    const model = ['--model', at('no-such-model')];
    const refused = await evalFailing(['tokenizer', '--set', set, '--world', at('no-hearts.json'), ...model]);
    expect(refused.message).toMatch(new RegExp(`^${set}:1: .*heart`));
    const missing = await evalFailing(['tokenizer', '--set', set, '--world', at('no-world.json'), ...model]);
    expect(missing).toMatchObject({ code: 'not_found', message: `${at('no-world.json')}: no such file` });
  });
});

/** Runs `emu3 eval … --json` that must fail, and returns the error it printed. */
async function evalFailing(args: string[]): Promise<{ code: string; message: string }> {
  const program = new Command('emu3').exitOverride();
  registerEval(program);
  let printed = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (chunk: string | Uint8Array) => ((printed += String(chunk)), true);
  try {
    await program.parseAsync(['node', 'emu3', 'eval', ...args, '--json']);
  } finally {
    process.stdout.write = write;
  }
  expect(process.exitCode).toBe(1);
  process.exitCode = 0;
  return (JSON.parse(printed.trim()) as { error: { code: string; message: string } }).error;
}
