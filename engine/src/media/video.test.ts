import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError, EngineError, type RgbFrame } from '../api/index.js';
import { runFfmpeg, runningFfmpegPids } from './ffmpeg.js';
import {
  escapeMetadata,
  parseFfmetadata,
  parseVideoInfo,
  probeVideo,
  readMp4Comment,
  readVideoFrames,
  writeMp4,
} from './video.js';

let dir: string;
let mp4: string;

/** Frame i: red grows along x, green along y, blue is 20·i everywhere (so frames can be told apart). */
function synthetic(count: number, width = 64, height = 48): RgbFrame[] {
  return Array.from({ length: count }, (_, i) => {
    const data = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++)
        data.set([(x * 4) % 256, (y * 5) % 256, (i * 20) % 256], (y * width + x) * 3);
    return { width, height, data };
  });
}

const channelMean = (frame: RgbFrame, channel: number): number =>
  frame.data.filter((_, i) => i % 3 === channel).reduce((a, b) => a + b, 0) / (frame.width * frame.height);

async function leftovers(name: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.startsWith(name));
}

/** Enough noise frames that x264 is still busy when the test steps in; the buffers are shared. */
function busyFrames(): RgbFrame[] {
  const noise = Array.from({ length: 4 }, () => {
    const data = new Uint8Array(256 * 256 * 3);
    for (let i = 0; i < data.length; i++) data[i] = (Math.random() * 256) | 0;
    return { width: 256, height: 256, data };
  });
  return Array.from({ length: 400 }, (_, i) => noise[i % 4]!);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'emu3-video-'));
  mp4 = join(dir, 'ten.mp4');
  await writeMp4(mp4, synthetic(10), { fps: 12 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeMp4 and readVideoFrames', () => {
  it('round-trips size, fps, frame count and pixels', async () => {
    const input = synthetic(10);
    const { info, frames } = await readVideoFrames(mp4);
    expect(info).toMatchObject({ width: 64, height: 48, fps: 12, frames: 10 });
    expect(info.durationSeconds).toBeCloseTo(10 / 12, 1);
    expect(frames).toHaveLength(10);
    for (const [i, frame] of frames.entries()) {
      expect(frame).toMatchObject({ width: 64, height: 48 });
      // H.264 is lossy: the mean absolute difference per channel stays small.
      let diff = 0;
      for (let j = 0; j < frame.data.length; j++) diff += Math.abs(frame.data[j]! - input[i]!.data[j]!);
      expect(diff / frame.data.length).toBeLessThan(4);
      expect(channelMean(frame, 2)).toBeCloseTo(i * 20, -1);
    }
  });

  it('writes H.264 yuv420p with the moov atom first (+faststart)', async () => {
    const { stderr } = await runFfmpeg(['-i', mp4, '-f', 'null', '-']);
    expect(stderr.join('\n')).toMatch(/Video: h264 \(High\).*yuv420p\(tv, bt709/);
    const bytes = await readFile(mp4);
    expect(bytes.indexOf('moov')).toBeLessThan(bytes.indexOf('mdat'));
  });

  it('reads only the last frames, at most max frames, resized, or resampled', async () => {
    const last = await readVideoFrames(mp4, { last: 3 });
    expect(last.frames.map((f) => Math.round(channelMean(f, 2) / 20))).toEqual([7, 8, 9]);
    const first = await readVideoFrames(mp4, { max: 4 });
    expect(first.frames.map((f) => Math.round(channelMean(f, 2) / 20))).toEqual([0, 1, 2, 3]);
    const small = await readVideoFrames(mp4, { size: { width: 32, height: 16 }, last: 2 });
    expect(small.frames.map((f) => [f.width, f.height, f.data.length])).toEqual([
      [32, 16, 32 * 16 * 3],
      [32, 16, 32 * 16 * 3],
    ]);
    expect(channelMean(small.frames[1]!, 0)).toBeCloseTo(channelMean(last.frames[2]!, 0), -1);
    // More than there are: all of them (no seek), here resampled from 12 to 6 fps.
    expect((await readVideoFrames(mp4, { fps: 6, last: 50 })).frames).toHaveLength(5);
  });

  it('pads an odd size by one pixel', async () => {
    const path = join(dir, 'odd.mp4');
    await writeMp4(path, synthetic(2, 33, 17), { fps: 8 });
    expect(await probeVideo(path)).toMatchObject({ width: 34, height: 18, frames: 2 });
  });

  it('reads other containers and codecs (GIF, WebM)', async () => {
    const gif = join(dir, 'clip.gif');
    const webm = join(dir, 'clip.webm');
    const source = ['-t', '1', '-f', 'lavfi', '-i', 'testsrc=size=48x32:rate=10']; // -t before -i: for both outputs
    await runFfmpeg(['-loglevel', 'error', ...source, gif, '-c:v', 'libvpx', webm]);
    for (const path of [gif, webm]) {
      const { info, frames } = await readVideoFrames(path);
      expect(info).toMatchObject({ width: 48, height: 32, fps: 10, frames: 10 });
      expect(frames).toHaveLength(10);
      expect(frames[0]!.data.length).toBe(48 * 32 * 3);
    }
  });

  it('fails on a corrupt or truncated video with one line naming the file', async () => {
    const garbage = join(dir, 'garbage.mp4');
    await writeFile(garbage, Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 7919) % 251)));
    const truncated = join(dir, 'truncated.mp4');
    await writeFile(truncated, (await readFile(mp4)).subarray(0, 300));
    for (const path of [garbage, truncated]) {
      const error = (await readVideoFrames(path).catch((e: unknown) => e)) as EngineError;
      expect(error).toBeInstanceOf(EngineError);
      expect(error.code).toBe('invalid_file');
      expect(error.message.startsWith(`${path}: `)).toBe(true);
      expect(error.message).not.toContain('\n');
    }
    const audio = join(dir, 'tone.wav');
    await runFfmpeg(['-loglevel', 'error', '-f', 'lavfi', '-i', 'sine', '-t', '0.1', audio]);
    await expect(readVideoFrames(audio)).rejects.toThrow(`${audio}: no video stream`);
  });

  it('rejects frames of different sizes before starting ffmpeg', async () => {
    const frames = [...synthetic(1), ...synthetic(1, 32, 32)];
    await expect(writeMp4(join(dir, 'mixed.mp4'), frames, { fps: 8 })).rejects.toThrow(
      /frame 1 is not 64x48/,
    );
  });
});

describe('stopping a write', () => {
  it('cancels quickly and leaves neither the file nor a partial file', async () => {
    const path = join(dir, 'cancelled.mp4');
    const controller = new AbortController();
    const started = Date.now();
    const write = writeMp4(path, busyFrames(), {
      fps: 24,
      comment: 'x'.repeat(5000),
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await expect(write).rejects.toBeInstanceOf(CancelledError);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await leftovers('cancelled.mp4')).toEqual([]);
  });

  it('turns a kill from outside into a one-line EngineError and leaves no file', async () => {
    const path = join(dir, 'killed.mp4');
    let killed = false;
    const write = writeMp4(path, busyFrames(), {
      fps: 24,
      onProgress: () => {
        if (!killed) process.kill(runningFfmpegPids()[0]!, 'SIGKILL');
        killed = true;
      },
    });
    const error = (await write.catch((e: unknown) => e)) as EngineError;
    expect(error).toBeInstanceOf(EngineError);
    expect(error.message).toBe(`${path}: ffmpeg was killed by SIGKILL before it finished`);
    expect(await leftovers('killed.mp4')).toEqual([]);
  });
});

describe('MP4 comment', () => {
  it('round-trips a 1 MB record and a short comment with ffmetadata specials', async () => {
    const record = JSON.stringify({ tokens: Array.from({ length: 180_000 }, (_, i) => (i * 7919) % 32768) });
    expect(record.length).toBeGreaterThan(1_000_000);
    const big = join(dir, 'record.mp4');
    await writeMp4(big, synthetic(2), { fps: 8, comment: record });
    expect(await readMp4Comment(big)).toBe(record);

    const small = join(dir, 'small.mp4');
    const text = 'a=b; c#d \\ e\nf ünïcødé [x]';
    await writeMp4(small, synthetic(1), { fps: 8, comment: text });
    expect(await readMp4Comment(small)).toBe(text);
    expect(await readMp4Comment(mp4)).toBeNull();
  });

  it('escapes and parses ffmetadata', () => {
    const value = 'k=v;#\\\nend';
    const text = `;FFMETADATA1\ntitle=t\n# note\ncomment=${escapeMetadata(value)}\n[STREAM]\ncomment=stream\n`;
    expect(Object.fromEntries(parseFfmetadata(text))).toEqual({ title: 't', comment: value });
  });
});

describe('parseVideoInfo', () => {
  it('reads captured `ffmpeg -i` output, swapping width and height for a 90° display matrix', () => {
    const rotated = [
      "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'rot.mp4':",
      '  Duration: 00:00:03.00, start: 0.000000, bitrate: 16 kb/s',
      '  Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(progressive), 64x48 [SAR 1:1 DAR 4:3], 12 kb/s, 25 fps, 25 tbr, 12800 tbn (default)',
      '    Side data:',
      '      displaymatrix: rotation of 90.00 degrees',
    ];
    expect(parseVideoInfo(rotated)).toEqual({ width: 48, height: 64, fps: 25, durationSeconds: 3 });
    const withAudio = [
      "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'av.mp4':",
      '  Duration: N/A, start: 0.000000, bitrate: N/A',
      '  Stream #0:0[0x1](und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, mono, fltp, 69 kb/s (default)',
      '  Stream #0:1[0x2](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(progressive), 1280x720 [SAR 1:1 DAR 16:9], 2692 kb/s, 29.97 fps, 29.97 tbr, 15360 tbn (default)',
      "Output #0, null, to 'pipe:':",
      '  Stream #0:0: Video: wrapped_avframe, 640x360, 25 fps',
    ];
    expect(parseVideoInfo(withAudio)).toEqual({ width: 1280, height: 720, fps: 30000 / 1001 });
    expect(
      parseVideoInfo(['Input #0, wav, from a.wav:', '  Stream #0:0: Audio: pcm_s16le, 44100 Hz']),
    ).toBeNull();
  });
});
