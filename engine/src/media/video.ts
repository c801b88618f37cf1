/**
 * Video in and out of the engine through ffmpeg: frames of any video ffmpeg decodes, read as RGB, and
 * H.264 MP4s written from RGB frames with the result record in their metadata.
 * Needs ffmpeg 5.1 or newer (`-fps_mode`); ffmpeg-static ships 6.x.
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { deflateRaw, inflateRaw } from 'node:zlib';
import { CancelledError, EngineError, type RgbFrame } from '../api/index.js';
import { runFfmpeg, type FfmpegProgress } from './ffmpeg.js';
import { parseDuration } from './progress.js';

export interface VideoInfo {
  width: number;
  height: number;
  fps: number;
  frames?: number;
  durationSeconds?: number;
}

/**
 * The first video stream of `ffmpeg -i` stderr: its displayed size (ffmpeg rotates frames by the display
 * matrix when decoding, so a 90° rotation swaps width and height), frame rate and the input's duration.
 */
export function parseVideoInfo(lines: readonly string[]): VideoInfo | null {
  const start = lines.findIndex((line) => line.startsWith('Input #0'));
  if (start < 0) return null;
  const end = lines.findIndex((line, i) => i > start && /^(Output #|Stream mapping:)/.test(line));
  const input = lines.slice(start, end < 0 ? undefined : end);
  const at = input.findIndex((line) => /^\s*Stream #0:\d+.*: Video:/.test(line));
  if (at < 0) return null;
  const stream = input[at]!;
  const size = /\b([1-9]\d*)x([1-9]\d*)\b/.exec(stream.slice(stream.indexOf('Video:')));
  const rate = /([\d.]+)(k?) fps/.exec(stream) ?? /([\d.]+)(k?) tbr/.exec(stream);
  if (!size || !rate) return null;
  let [width, height] = [Number(size[1]), Number(size[2])];
  const next = input.findIndex((line, i) => i > at && /^\s*Stream #/.test(line));
  const sideData = input.slice(at + 1, next < 0 ? undefined : next).join('\n');
  const rotation = /rotation of (-?[\d.]+) degrees/.exec(sideData);
  if (rotation && Math.abs(Number(rotation[1])) % 180 === 90) [width, height] = [height, width];
  const info: VideoInfo = { width, height, fps: exactRate(Number(rate[1]) * (rate[2] ? 1000 : 1)) };
  const duration = parseDuration(input.join('\n'));
  if (duration !== undefined) info.durationSeconds = duration;
  return info;
}

/** ffmpeg prints rates rounded to two decimals; give the NTSC ones back their exact value. */
function exactRate(printed: number): number {
  for (const base of [24, 30, 48, 60, 120]) {
    if (Math.abs(printed - (base * 1000) / 1001) < 0.006) return (base * 1000) / 1001;
  }
  return printed;
}

/** Size, rate and duration of the first video stream; `frames` counts its packets (demuxed, not decoded). */
export async function probeVideo(path: string, signal?: AbortSignal): Promise<VideoInfo> {
  const noVideo = new EngineError('invalid_file', `${path}: no video stream`);
  const result = await runFfmpeg(['-i', path, '-map', '0:v:0?', '-c', 'copy', '-f', 'null', '-'], {
    file: path,
    ...(signal ? { signal } : {}),
  }).catch((error: unknown) => {
    // The optional map leaves an input without video with nothing to write, which ffmpeg calls an error.
    throw error instanceof EngineError && error.message.includes('does not contain any stream')
      ? noVideo
      : error;
  });
  const info = parseVideoInfo(result.stderr);
  if (!info) throw noVideo;
  if (result.frames) info.frames = result.frames;
  return info;
}

export interface ReadFramesOptions {
  /** A rectangle of the source (in its displayed pixels) cut out before resizing. */
  crop?: { x: number; y: number; width: number; height: number };
  size?: { width: number; height: number };
  fps?: number;
  last?: number;
  max?: number;
  signal?: AbortSignal;
}

/**
 * Decodes frames as RGB at the video's size or resized (`size`), optionally only the last `last` frames or at
 * most `max` frames (both: the last min(last, max)), at the source fps or resampled to `fps`.
 */
export async function readVideoFrames(
  path: string,
  options: ReadFramesOptions = {},
): Promise<{ info: VideoInfo; frames: RgbFrame[] }> {
  const { crop, size, fps, last, max, signal } = options;
  if (size) {
    checkPositiveInteger(size.width, 'width', 16384);
    checkPositiveInteger(size.height, 'height', 16384);
  }
  if (last !== undefined) checkPositiveInteger(last, 'last');
  if (max !== undefined) checkPositiveInteger(max, 'max');
  if (fps !== undefined && !(fps > 0 && fps <= 1000))
    throw new EngineError('bad_request', `fps ${fps} is not in (0, 1000]`);

  const info = await probeVideo(path, signal);
  if (crop) {
    for (const [name, value] of Object.entries(crop)) checkPositiveInteger(value + 1, `crop ${name}`);
    if (
      crop.width < 1 ||
      crop.height < 1 ||
      crop.x + crop.width > info.width ||
      crop.y + crop.height > info.height
    )
      throw new EngineError(
        'bad_request',
        `${path}: crop ${JSON.stringify(crop)} is outside the ${info.width}x${info.height} video`,
      );
  }
  const target = {
    width: size?.width ?? crop?.width ?? info.width,
    height: size?.height ?? crop?.height ?? info.height,
  };
  const tail = last === undefined ? undefined : Math.min(last, max ?? last);
  const decode = (seekSeconds?: number): Promise<RgbFrame[]> =>
    decodeFrames(path, target, {
      crop,
      fps,
      keepLast: tail,
      max: tail === undefined ? max : undefined,
      seekSeconds,
      signal,
    });

  // For the tail, seek close to the end instead of decoding the whole video; a few frames of margin cover
  // keyframe and timestamp rounding. With `fps`, the resampling grid then starts at the seek point.
  const seek = tail === undefined ? undefined : (tail + 2) / (fps ?? info.fps) + 0.25;
  let frames = seek !== undefined && seek < (info.durationSeconds ?? 0) ? await decode(seek) : [];
  // No tail, no known duration, or a container that outlasts its video stream (a longer audio track):
  // decode it all.
  if (frames.length < (tail ?? Infinity)) frames = await decode();
  if (frames.length === 0) throw new EngineError('invalid_file', `${path}: no video frames could be decoded`);
  return { info, frames };
}

async function decodeFrames(
  path: string,
  size: { width: number; height: number },
  options: {
    crop?: ReadFramesOptions['crop'];
    fps?: number;
    keepLast?: number;
    max?: number;
    seekSeconds?: number;
    signal?: AbortSignal;
  },
): Promise<RgbFrame[]> {
  const { crop } = options;
  const filters = [
    ...(options.fps ? [`fps=${options.fps}`] : []),
    ...(crop ? [`crop=${crop.width}:${crop.height}:${crop.x}:${crop.y}:exact=1`] : []),
    `scale=${size.width}:${size.height}:flags=bicubic`,
  ];
  const args = [
    '-loglevel', 'error',
    ...(options.seekSeconds === undefined ? [] : ['-sseof', `-${options.seekSeconds.toFixed(3)}`]),
    '-i', path, '-map', '0:v:0', '-vf', filters.join(','),
    // One output frame per decoded (or resampled) frame: no duplicates or drops to make a constant rate.
    '-fps_mode', 'passthrough',
    ...(options.max === undefined ? [] : ['-frames:v', String(options.max)]),
    '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1',
  ]; // prettier-ignore
  const frameBytes = size.width * size.height * 3;
  const frames: RgbFrame[] = [];
  let current = new Uint8Array(frameBytes);
  let filled = 0;
  const onStdout = (chunk: Buffer): void => {
    for (let offset = 0; offset < chunk.length;) {
      const n = Math.min(frameBytes - filled, chunk.length - offset);
      current.set(chunk.subarray(offset, offset + n), filled);
      filled += n;
      offset += n;
      if (filled < frameBytes) continue;
      frames.push({ width: size.width, height: size.height, data: current });
      // Keep only the tail, so a long video never has all its frames in memory at once.
      if (options.keepLast !== undefined && frames.length > options.keepLast) frames.shift();
      current = new Uint8Array(frameBytes);
      filled = 0;
    }
  };
  await runFfmpeg(args, { file: path, onStdout, ...(options.signal ? { signal: options.signal } : {}) });
  return frames;
}

// Comments longer than this are stored deflated and base64-encoded behind COMPRESSED: result records are
// JSON of token ids and shrink 2-4×. Shorter comments stay readable in other players.
const COMPRESS_ABOVE = 1024;
const COMPRESSED = 'emu3-deflate-base64:';
/**
 * The largest comment stored, measured after encoding (32 MiB, about 40 MiB of token JSON). ffmpeg passes it
 * through an ffmetadata file (an argument is capped at 128 KiB on Linux); MP4 holds it in an `ilst` ©cmt
 * atom. 40 MB comments were seen to round-trip; the tests cover a 1 MB record.
 */
export const MAX_MP4_COMMENT_BYTES = 32 * 1024 * 1024;
// Asynchronous: deflating a large record would otherwise stall the engine's event loop.
const deflate = promisify(deflateRaw);
const inflate = promisify(inflateRaw);

export interface WriteMp4Options {
  fps: number;
  comment?: string;
  signal?: AbortSignal;
  onProgress?: (progress: FfmpegProgress) => void;
}

/**
 * H.264, yuv420p, +faststart, playable in Chromium; frames piped as raw RGB on stdin; written to
 * `${path}.partial-<pid>` then renamed, so a failure or cancel leaves no file at `path`.
 * `comment` goes into the MP4 metadata (the result record); read it back with `readMp4Comment`.
 */
export async function writeMp4(
  path: string,
  frames: readonly RgbFrame[],
  options: WriteMp4Options,
): Promise<void> {
  const first = frames[0];
  if (!first) throw new EngineError('bad_request', `${path}: no frames to write`);
  const { width, height } = first;
  for (const [i, frame] of frames.entries()) {
    if (frame.width !== width || frame.height !== height || frame.data.length !== width * height * 3)
      throw new EngineError('bad_request', `${path}: frame ${i} is not ${width}x${height} RGB like frame 0`);
  }
  if (!(options.fps > 0 && options.fps <= 1000))
    throw new EngineError('bad_request', `${path}: fps ${options.fps} is not in (0, 1000]`);
  const comment = options.comment === undefined ? undefined : await encodeComment(options.comment);
  if (comment !== undefined && comment.length > MAX_MP4_COMMENT_BYTES)
    throw new EngineError(
      'bad_request',
      `${path}: the record is too large for the MP4 metadata (over 32 MiB)`,
    );

  const partial = `${path}.partial-${process.pid}`;
  const metadata = `${partial}.ffmetadata`;
  // yuv420p halves the chroma resolution, so H.264 needs even sizes: an odd width or height gets one black
  // column or row (pad, not scale, so every source pixel stays put). Emu3 sizes are multiples of 8 anyway.
  const pad = width % 2 || height % 2 ? ['pad=ceil(iw/2)*2:ceil(ih/2)*2'] : [];
  // Tagged BT.709 with the matching matrix, so Chromium and ffmpeg convert back to the same RGB.
  const filters = [...pad, 'scale=out_color_matrix=bt709:out_range=tv', 'format=yuv420p'];
  const args = [
    '-y', '-loglevel', 'error', '-stats',
    '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-framerate', String(options.fps), '-i', 'pipe:0',
    ...(comment === undefined ? [] : ['-f', 'ffmetadata', '-i', metadata, '-map_metadata', '1']),
    '-map', '0:v', '-vf', filters.join(','),
    '-c:v', 'libx264', '-preset', 'medium', '-crf', '18', '-pix_fmt', 'yuv420p',
    '-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-color_range', 'tv',
    '-movflags', '+faststart', '-f', 'mp4', partial,
  ]; // prettier-ignore
  try {
    if (comment !== undefined)
      await writeFile(metadata, `;FFMETADATA1\ncomment=${escapeMetadata(comment)}\n`);
    await runFfmpeg(args, {
      file: path,
      stdin: frames.map((frame) => frame.data),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    if (options.signal?.aborted) throw new CancelledError();
    await rename(partial, path);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  } finally {
    await rm(metadata, { force: true });
  }
}

/** The MP4's comment as `writeMp4` was given it; null when it has none. */
export async function readMp4Comment(path: string, signal?: AbortSignal): Promise<string | null> {
  const { stdout } = await runFfmpeg(['-loglevel', 'error', '-i', path, '-f', 'ffmetadata', 'pipe:1'], {
    file: path,
    ...(signal ? { signal } : {}),
  });
  const comment = parseFfmetadata(stdout.toString('utf8')).get('comment');
  if (comment === undefined) return null;
  if (!comment.startsWith(COMPRESSED)) return comment;
  try {
    const packed = Buffer.from(comment.slice(COMPRESSED.length), 'base64');
    return (await inflate(packed, { maxOutputLength: 512 * 1024 * 1024 })).toString('utf8');
  } catch (error) {
    throw new EngineError(
      'invalid_file',
      `${path}: damaged record in the MP4 comment (${(error as Error).message})`,
    );
  }
}

async function encodeComment(comment: string): Promise<string> {
  if (comment.length <= COMPRESS_ABOVE) return comment;
  return COMPRESSED + (await deflate(Buffer.from(comment, 'utf8'))).toString('base64');
}

/** ffmetadata escapes `=`, `;`, `#`, `\` and newlines with a backslash. */
export function escapeMetadata(value: string): string {
  return value.replace(/[=;#\\\n]/g, (c) => `\\${c}`);
}

/** The global (file-level) entries of an ffmetadata text, unescaped; stream and chapter sections are ignored. */
export function parseFfmetadata(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  let [key, value, lineStart, comment] = [null as string | null, '', true, false];
  // Tokens: an escaped character, '=', a newline, or a run of anything else (so a long value is one token).
  for (const [token, escaped] of text.matchAll(/\\([\s\S])|[=\n]|[^\\=\n]+/g)) {
    if (token === '\n') {
      if (key !== null && !comment) entries.set(key, value);
      [key, value, lineStart, comment] = [null, '', true, false];
      continue;
    }
    if (lineStart && token.startsWith('[')) break;
    if (lineStart && (token.startsWith(';') || token.startsWith('#'))) comment = true;
    lineStart = false;
    if (comment) continue;
    if (escaped !== undefined) value += escaped;
    else if (token === '=' && key === null) [key, value] = [value, ''];
    else value += token;
  }
  if (key !== null && !comment) entries.set(key, value);
  return entries;
}

function checkPositiveInteger(value: number, name: string, limit = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(value) || value < 1 || value > limit)
    throw new EngineError('bad_request', `${name} ${value} is not a whole number in 1..${limit}`);
}
