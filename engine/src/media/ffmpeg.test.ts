import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError, EngineError } from '../api/index.js';
import { abortAllFfmpeg, findFfmpeg, runFfmpeg, runningFfmpegPids } from './ffmpeg.js';

let dir: string;
let staticPath: string | null = null;
// A lavfi source with no end: runs until it is stopped.
const ENDLESS = ['-f', 'lavfi', '-i', 'testsrc=size=64x64:rate=25', '-f', 'null', '-'];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'emu3-ffmpeg-'));
  try {
    const specifier = 'ffmpeg-static';
    staticPath = ((await import(specifier)) as { default: string | null }).default;
  } catch {
    staticPath = null; // the optional package is usually absent: its install downloads a binary
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fakeBinary(sub: string): Promise<string> {
  const folder = join(dir, sub);
  await rm(folder, { recursive: true, force: true });
  await mkdir(folder);
  const file = join(folder, 'ffmpeg');
  await writeFile(file, '#!/bin/sh\nexit 0\n');
  await chmod(file, 0o755);
  return file;
}

describe.skipIf(process.platform === 'win32')('findFfmpeg', () => {
  it('prefers FFMPEG_PATH over PATH', async () => {
    const explicit = await fakeBinary('explicit');
    const onPath = await fakeBinary('on-path');
    expect(await findFfmpeg({ FFMPEG_PATH: explicit, PATH: join(onPath, '..') })).toBe(explicit);
  });

  it('passes over a missing FFMPEG_PATH to ffmpeg-static, then PATH', async () => {
    const onPath = await fakeBinary('on-path');
    const found = await findFfmpeg({
      FFMPEG_PATH: join(dir, 'missing'),
      PATH: `/nonexistent:${join(onPath, '..')}`,
    });
    expect(found).toBe(staticPath ?? onPath);
  });

  it('names all three places when none has ffmpeg', async () => {
    if (staticPath) return; // with ffmpeg-static installed there is always one
    const missing = join(dir, 'missing');
    const error = await findFfmpeg({ FFMPEG_PATH: missing, PATH: '' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).code).toBe('not_found');
    expect((error as EngineError).message).toBe(
      `ffmpeg not found: set FFMPEG_PATH, install the optional ffmpeg-static package, or put ffmpeg on PATH (FFMPEG_PATH=${missing} is not an executable file)`,
    );
    await expect(findFfmpeg({ PATH: '' })).rejects.toThrow(
      /^ffmpeg not found: set FFMPEG_PATH, install the optional ffmpeg-static package, or put ffmpeg on PATH$/,
    );
  });

  it('does not take a directory or a non-executable file', async () => {
    const file = join(dir, 'plain');
    await writeFile(file, '');
    const onPath = await fakeBinary('on-path');
    expect(await findFfmpeg({ FFMPEG_PATH: file, PATH: join(onPath, '..') })).toBe(staticPath ?? onPath);
    expect(await findFfmpeg({ FFMPEG_PATH: dir, PATH: join(onPath, '..') })).toBe(staticPath ?? onPath);
  });
});

describe('runFfmpeg', () => {
  it('reports progress and is cancelled by its signal, quickly, leaving no child', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const started = Date.now();
    const run = runFfmpeg(['-stats_period', '0.05', ...ENDLESS], {
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(p.seconds);
        if (seen.length === 3) controller.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(Date.now() - started).toBeLessThan(4000);
    expect(seen[2]).toBeGreaterThanOrEqual(seen[0]!);
    expect(runningFfmpegPids()).toHaveLength(0);
  });

  it('abortAllFfmpeg stops every running child', async () => {
    const runs = Promise.allSettled([runFfmpeg(ENDLESS), runFfmpeg(ENDLESS)]);
    while (runningFfmpegPids().length < 2) await new Promise((r) => setTimeout(r, 10));
    abortAllFfmpeg();
    for (const run of await runs)
      expect(run).toMatchObject({ status: 'rejected', reason: expect.any(CancelledError) });
    expect(runningFfmpegPids()).toHaveLength(0);
  });

  it('never starts for an already aborted signal', async () => {
    await expect(runFfmpeg(ENDLESS, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(CancelledError);
  });

  it('turns a kill by someone else into a one-line EngineError', async () => {
    const run = runFfmpeg(ENDLESS, { file: 'endless.mp4' });
    while (runningFfmpegPids().length === 0) await new Promise((r) => setTimeout(r, 10));
    process.kill(runningFfmpegPids()[0]!, 'SIGKILL');
    const error = (await run.catch((e: unknown) => e)) as EngineError;
    expect(error).toBeInstanceOf(EngineError);
    expect(error.message).toBe('endless.mp4: ffmpeg was killed by SIGKILL before it finished');

    // Once running, ffmpeg catches SIGTERM and exits with 255, silently at -loglevel error.
    let sent = false;
    const quiet = runFfmpeg(['-loglevel', 'error', '-stats', ...ENDLESS], {
      file: 'endless.mp4',
      onProgress: () => {
        if (!sent) process.kill(runningFfmpegPids()[0]!, 'SIGTERM');
        sent = true;
      },
    });
    await expect(quiet).rejects.toThrow(/^endless\.mp4: stopped by a signal \(ffmpeg exit 255\)$/);
  });

  it('names the file and the reason of a failure on one line', async () => {
    const missing = join(dir, 'no such.mp4');
    const error = (await runFfmpeg(['-i', missing, '-f', 'null', '-'], { file: missing }).catch(
      (e: unknown) => e,
    )) as EngineError;
    expect(error).toBeInstanceOf(EngineError);
    expect(error.code).toBe('not_found');
    expect(error.message).toBe(`${missing}: No such file or directory (ffmpeg exit 1)`);
  });

  it('collects stdout', async () => {
    const { stdout } = await runFfmpeg([
      '-loglevel', 'error', '-f', 'lavfi', '-i', 'color=c=red:size=4x2:rate=1', '-frames:v', '1',
      '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1',
    ]); // prettier-ignore
    expect(stdout).toHaveLength(4 * 2 * 3);
    // lavfi's red goes through YUV, so 253 rather than 255.
    for (let i = 0; i < stdout.length; i += 3)
      expect([stdout[i]! > 245, stdout[i + 1], stdout[i + 2]]).toEqual([true, 0, 0]);
  });
});
