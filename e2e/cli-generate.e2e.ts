/**
 * Generation through the real `emu3` binary on the tiny fixture model: images and videos carry records that
 * replay token for token, videos extend, questions get answers, and bad input fails in one line without
 * leaving a partial output.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emu3, lastJson } from './cli.js';
import { repoRoot } from './harness.js';

const MODEL = join(repoRoot, 'models/reference/fixtures/tiny/original/decoder');

describe('emu3 generate, extend, understand and replay', () => {
  let work: string;
  let env: NodeJS.ProcessEnv;
  const at = (name: string) => join(work, name);

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'emu3-generate-'));
    env = { EMU3_HOME: join(work, 'home') };
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('generates an image whose embedded record replays token for token', () => {
    const made = emu3(
      [
        'generate',
        'image',
        '--model',
        MODEL,
        '--prompt',
        'a red cube',
        '--ratio',
        '4:3',
        '--area',
        '192',
        '--seed',
        '11',
        '--out',
        at('cube.png'),
        '--json',
      ],
      env,
    );
    expect(made.status, made.stderr).toBe(0);
    expect(lastJson(made.stdout)).toMatchObject({ event: 'result', seed: 11, tokens: 3 * 5 + 3 });
    const replay = emu3(['replay', at('cube.png')], env);
    expect(replay.status, replay.stderr).toBe(0);
    expect(replay.stdout).toMatch(/^All 18 tokens match \(image, seed 11\)\./);
  });

  it('generates a video, extends it, and both replay', () => {
    const video = emu3(
      [
        'generate',
        'video',
        '--model',
        MODEL,
        '--prompt',
        'a blue ring',
        '--frames',
        '2',
        '--fps',
        '6',
        '--seed',
        '5',
        '--out',
        at('ring.mp4'),
      ],
      env,
    );
    expect(video.status, video.stderr).toBe(0);
    expect(video.stdout).toMatch(/8 frames, seed 5/);
    const extended = emu3(
      [
        'extend',
        at('ring.mp4'),
        '--model',
        MODEL,
        '--frames',
        '1',
        '--seed',
        '9',
        '--out',
        at('ring-longer.mp4'),
        '--json',
      ],
      env,
    );
    expect(extended.status, extended.stderr).toBe(0);
    expect(lastJson(extended.stdout)).toMatchObject({ frames: 12, newFrames: 4 });
    for (const file of ['ring.mp4', 'ring-longer.mp4']) {
      const replay = emu3(['replay', at(file)], env);
      expect(replay.status, replay.stderr).toBe(0);
      expect(replay.stdout).toMatch(/^All \d+ tokens match/);
    }
  });

  it('answers a question about an image, the same answer every time', () => {
    const ask = () =>
      emu3(
        [
          'understand',
          '--model',
          MODEL,
          '--image',
          at('cube.png'),
          '--question',
          'What is this?',
          '--max-tokens',
          '8',
          '--json',
        ],
        env,
      );
    const first = ask();
    expect(first.status, first.stderr).toBe(0);
    const answer = lastJson(first.stdout).answer;
    expect(typeof answer).toBe('string');
    expect(lastJson(ask().stdout).answer).toBe(answer);
  });

  it('answers a question about a video', () => {
    const result = emu3(
      [
        'understand',
        '--model',
        MODEL,
        '--video',
        at('ring.mp4'),
        '--question',
        'What is this?',
        '--max-tokens',
        '6',
        '--json',
      ],
      env,
    );
    expect(result.status, result.stderr).toBe(0);
    expect(lastJson(result.stdout)).toMatchObject({ event: 'result', tokens: expect.any(Number) });
  });

  it('fails in one line on a corrupt video and leaves no output file', () => {
    writeFileSync(at('broken.mp4'), Buffer.alloc(4096, 7));
    const result = emu3(['extend', at('broken.mp4'), '--model', MODEL, '--out', at('never.mp4')], env);
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^emu3: .*broken\.mp4/);
    expect(existsSync(at('never.mp4'))).toBe(false);
    expect(readdirSync(work).filter((name) => name.includes('never'))).toEqual([]);
  });

  it('refuses an output it cannot write, and a record-less file to replay', () => {
    const wrongKind = emu3(
      ['generate', 'image', '--model', MODEL, '--prompt', 'x', '--out', at('cube.jpg')],
      env,
    );
    expect(wrongKind.status).toBe(1);
    expect(wrongKind.stderr.trim()).toBe(
      `emu3: ${at('cube.jpg')}: results are written as .png (images) or .mp4 (videos)`,
    );
    const noRecord = emu3(
      ['replay', join(repoRoot, 'models/reference/fixtures/goldens/image-24x40.png')],
      env,
    );
    expect(noRecord.status).toBe(1);
    expect(noRecord.stderr).toMatch(/image-24x40\.png: carries no Emu3 Studio record/);
  });
});
