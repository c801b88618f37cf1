/**
 * Evaluation sets: bad lines fail in one line naming the file and line; the sets shipped in models/nano/eval
 * all parse, and their ground truth scores at the ceiling through this renderer, detector and tracker.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../generate/rng.js';
import { packageRoot } from '../install/package-info.js';
import { readSet } from './eval-io.js';
import { TokenizerLine, checkTokenizerLine } from './tokenizer-eval.js';
import { VideoLine, checkVideoLine } from './video-eval.js';
import { VqaLine, checkVqaLine, normalizeAnswer } from './vqa-eval.js';
import { detectObjects } from '../world/detect.js';
import { GenevalPrompt, checkPrompt, scoreDetections, summarize } from '../world/geneval.js';
import { renderFrame, renderVideo } from '../world/render.js';
import { sceneForPrompt } from '../world/sample.js';
import { loadWorldSpec } from '../world/spec.js';
import { describeTrack, trackSubject } from '../world/track.js';

const spec = loadWorldSpec();
const checkGeneval = (prompt: GenevalPrompt, label: string) => checkPrompt(prompt, spec, label);
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'emu3-eval-sets-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function file(name: string, text: string): string {
  writeFileSync(join(work, name), text);
  return join(work, name);
}

describe('readSet', () => {
  const good = JSON.stringify({
    tag: 'colors',
    include: [{ class: 'star', count: 1, color: 'red' }],
    prompt: 'x',
  });

  it('skips blank lines and stops at the limit', async () => {
    const path = file('ok.jsonl', `${good}\n\n${good}\n${good}\n`);
    const lines = await readSet(path, GenevalPrompt, { limit: 2, check: checkGeneval });
    expect(lines.map((l) => l.label)).toEqual([`${path}:1`, `${path}:3`]);
  });

  it('takes every k-th non-blank line, then the limit', async () => {
    const path = file('every.jsonl', `${good}\n${good}\n\n${good}\n${good}\n${good}\n`);
    const lines = await readSet(path, GenevalPrompt, { every: 2, check: checkGeneval });
    expect(lines.map((l) => l.label)).toEqual([`${path}:1`, `${path}:4`, `${path}:6`]);
    const limited = await readSet(path, GenevalPrompt, { every: 2, limit: 2, check: checkGeneval });
    expect(limited.map((l) => l.label)).toEqual([`${path}:1`, `${path}:4`]);
  });

  it('names the file, the line and the problem in one line', async () => {
    const broken = file('broken.jsonl', `${good}\n{"tag": "colors",\n`);
    await expect(readSet(broken, GenevalPrompt)).rejects.toThrow(`${broken}:2: not valid JSON`);
    const missing = file(
      'missing.jsonl',
      `${good}\n${JSON.stringify({ tag: 'colors', include: [{ class: 'star' }], prompt: 'x' })}\n`,
    );
    await expect(readSet(missing, GenevalPrompt)).rejects.toThrow(
      `${missing}:2: missing field include.0.count`,
    );
    const badClass = file(
      'class.jsonl',
      JSON.stringify({ tag: 'colors', include: [{ class: 'cube', count: 1 }], prompt: 'x' }),
    );
    await expect(readSet(badClass, GenevalPrompt)).rejects.toThrow(
      new RegExp(`^${badClass}:1: field include\\.0\\.class: `),
    );
    const colour = file('colour.jsonl', good.replace('red', 'mauve'));
    await expect(readSet(colour, GenevalPrompt, { check: checkGeneval })).rejects.toThrow(
      `${colour}:1: include.0: unknown colour "mauve"`,
    );
    const scene = { background: { kind: 'plain', family: 'lava' }, objects: [] };
    const family = file('family.jsonl', JSON.stringify({ scene, video: false }));
    await expect(readSet(family, TokenizerLine, { check: checkTokenizerLine(spec) })).rejects.toThrow(
      `${family}:1: scene: unknown background family "lava"`,
    );
    await expect(readSet(join(work, 'nothing.jsonl'), TokenizerLine)).rejects.toThrow('no such file');
    await expect(readSet(file('empty.jsonl', '\n'), TokenizerLine)).rejects.toThrow('no lines to evaluate');
  });
});

describe('normalizeAnswer', () => {
  it('ignores case, surrounding space and final punctuation', () => {
    expect(normalizeAnswer('  Moving Left. ')).toBe('moving left');
    expect(normalizeAnswer('three!')).toBe('three');
    expect(normalizeAnswer('top left')).toBe('top left');
  });
});

const SETS = join(packageRoot(), 'models', 'nano', 'eval');
const shipped = existsSync(join(SETS, 'shapes.jsonl'));

describe.skipIf(!shipped)(shipped ? 'the shipped sets' : 'SKIPPED: no models/nano/eval/*.jsonl yet', () => {
  const at = (name: string) => join(SETS, name);

  it('parse line by line, and their GenEval ground truth scores at the ceiling', async () => {
    const results = [];
    for (const name of ['shapes.jsonl', 'shapes-heldout.jsonl']) {
      const prompts = await readSet(at(name), GenevalPrompt, { check: checkGeneval });
      const rng = new Rng(17);
      // Every seventh prompt keeps this quick while covering every tag of both sets.
      for (const { value: prompt } of prompts.filter((_, i) => i % 7 === 0)) {
        const objects = detectObjects(renderFrame(sceneForPrompt(rng, spec, prompt), 0, spec), spec);
        results.push({ tag: prompt.tag, correct: scoreDetections(prompt, objects, spec).correct });
      }
    }
    const { overall } = summarize(results);
    console.log(`GenEval ground-truth ceiling on ${results.length} shipped prompts: ${overall.toFixed(3)}`);
    expect(overall).toBeGreaterThanOrEqual(0.97);
  });

  it('parse the question, video and tokenizer sets', async () => {
    expect(
      (await readSet(at('vqa-heldout.jsonl'), VqaLine, { check: checkVqaLine(spec) })).length,
    ).toBeGreaterThan(0);
    expect(
      (await readSet(at('tokenizer-heldout.jsonl'), TokenizerLine, { check: checkTokenizerLine(spec) }))
        .length,
    ).toBeGreaterThan(0);
    expect(
      (await readSet(at('video-heldout.jsonl'), VideoLine, { check: checkVideoLine(spec) })).length,
    ).toBeGreaterThan(0);
  });

  it('give the captioned extensions the held-out extensions with their mover named as the prompt', async () => {
    const read = async (name: string) =>
      (await readSet(at(name), VideoLine, { check: checkVideoLine(spec) }))
        .map((l) => l.value)
        .filter((l) => l.kind === 'extend');
    const plain = await read('video-heldout.jsonl');
    const captioned = await read('video-extend-captioned.jsonl');
    expect(captioned).toHaveLength(plain.length);
    captioned.forEach(({ prompt, ...line }, i) => {
      expect(line).toEqual(plain[i]);
      const mover = line.scene.objects.find((o) => o.motion)!;
      expect(prompt).toMatch(
        new RegExp(`^a video of an? ${mover.color} ${mover.class} moving ${line.motion}$`),
      );
    });
  });

  it('track the motion of the extend lines in their rendered videos', async () => {
    const lines = await readSet(at('video-heldout.jsonl'), VideoLine, { check: checkVideoLine(spec) });
    const extend = lines.map((l) => l.value).filter((l) => l.kind === 'extend');
    let right = 0;
    for (const line of extend.slice(0, 16)) {
      const mover = line.scene.objects.find((o) => o.motion)!;
      const track = trackSubject(renderVideo(line.scene, spec), spec, {
        class: mover.class,
        color: mover.color,
      });
      if (describeTrack(track) === line.motion) right++;
    }
    expect(right).toBe(Math.min(16, extend.length));
  });
});
