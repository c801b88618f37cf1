import { describe, expect, it } from 'vitest';
import { meaningfulLine, parseDuration, parseProgressLine } from './progress.js';

// Captured from Debian's ffmpeg 5.1.9 (stderr split on '\r' and '\n').
const CAPTURED = {
  firstFrame: 'frame=    1 fps=0.0 q=0.0 size=       0kB time=00:00:00.00 bitrate=N/A speed=N/A    ',
  encoding:
    'frame=   43 fps=0.0 q=29.0 size=     256kB time=00:00:00.78 bitrate=2656.9kbits/s speed=1.81x    ',
  last: 'frame=  120 fps=110 q=-1.0 Lsize=    1354kB time=00:00:04.01 bitrate=2761.8kbits/s speed=3.68x    ',
  rawOut:
    'frame=   75 fps=0.0 q=-0.0 Lsize=     675kB time=00:00:03.00 bitrate=1843.2kbits/s speed= 140x    ',
  negative: 'frame=    1 fps=0.0 q=-1.0 size=N/A time=-00:00:00.07 bitrate=N/A speed=N/A    ',
  audioOnly: 'size=N/A time=00:00:04.01 bitrate=N/A speed=3.38e+03x    ',
};

describe('parseProgressLine', () => {
  it('reads frame and time from captured stats lines', () => {
    expect(parseProgressLine(CAPTURED.firstFrame)).toEqual({ frame: 1, seconds: 0 });
    expect(parseProgressLine(CAPTURED.encoding)).toEqual({ frame: 43, seconds: 0.78 });
    expect(parseProgressLine(CAPTURED.last)).toEqual({ frame: 120, seconds: 4.01 });
    expect(parseProgressLine(CAPTURED.rawOut)).toEqual({ frame: 75, seconds: 3 });
  });

  it('clamps the negative start time and reads audio-only lines', () => {
    expect(parseProgressLine(CAPTURED.negative)).toEqual({ frame: 1, seconds: 0 });
    expect(parseProgressLine(CAPTURED.audioOnly)).toEqual({ seconds: 4.01 });
  });

  it('reads hours and keeps the frame of a time=N/A line', () => {
    expect(
      parseProgressLine('frame= 9000 fps=30 q=28.0 size=  1024kB time=01:02:03.50 bitrate=1kbits/s'),
    ).toEqual({
      frame: 9000,
      seconds: 3723.5,
    });
    expect(parseProgressLine('frame=   12 fps=0.0 q=0.0 size=N/A time=N/A bitrate=N/A speed=N/A')).toEqual({
      frame: 12,
    });
  });

  it('returns null for the other captured lines', () => {
    for (const line of [
      'video:4kB audio:0kB subtitle:0kB other streams:0kB global headers:0kB muxing overhead: 38.916904%',
      '[libx264 @ 0x561a01347180] frame I:1     Avg QP:24.17  size:   679',
      '  Duration: 00:00:03.00, start: 0.000000, bitrate: 16 kb/s',
      "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'out.mp4':",
      '',
    ])
      expect(parseProgressLine(line)).toBeNull();
  });
});

describe('parseDuration', () => {
  it('reads the Duration line and ignores N/A', () => {
    expect(parseDuration('  Duration: 00:00:02.00, start: 0.000000, bitrate: 45 kb/s')).toBe(2);
    expect(parseDuration('  Duration: 01:00:01.25, start: 0.000000')).toBe(3601.25);
    expect(parseDuration('  Duration: N/A, start: 0.000000, bitrate: N/A')).toBeUndefined();
  });
});

describe('meaningfulLine', () => {
  it('picks the error, not the generic last line, without the codec prefix', () => {
    // Captured: `ffmpeg -i garbage.mp4 -f null -` on random bytes.
    const stderr = [
      '[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55af859d2880] Format mov,mp4,m4a,3gp,3g2,mj2 detected only with low score of 1, misdetection possible!',
      '[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55af859d2880] moov atom not found',
      'garbage.mp4: Invalid data found when processing input',
    ];
    expect(meaningfulLine(stderr)).toBe('garbage.mp4: Invalid data found when processing input');
    expect(
      meaningfulLine(['[libx264 @ 0x5612] broken ffmpeg default settings detected', 'Conversion failed!']),
    ).toBe('broken ffmpeg default settings detected');
    expect(meaningfulLine([CAPTURED.last, 'something odd'])).toBe('something odd');
    expect(meaningfulLine([])).toBe('no error message');
    expect(meaningfulLine(['x'.repeat(1000) + ' error']).length).toBeLessThanOrEqual(300);
  });
});
