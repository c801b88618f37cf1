/**
 * The one place the engine runs ffmpeg: finding the binary, spawning it, feeding stdin, reading its
 * output, cancelling it and turning its failures into one-line EngineErrors.
 * Every child is tracked with its own AbortController, so `abortAllFfmpeg()` can stop them all at quit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CancelledError, EngineError, type ErrorCode } from '../api/index.js';
import { meaningfulLine, parseProgressLine } from './progress.js';

export { parseProgressLine } from './progress.js';

const NOT_FOUND =
  'ffmpeg not found: set FFMPEG_PATH, install the optional ffmpeg-static package, or put ffmpeg on PATH';
/** How long a cancelled ffmpeg gets to exit on SIGTERM before it is SIGKILLed. */
const KILL_GRACE_MS = 1500;
/** Lines of stderr kept; a damaged input can make ffmpeg print one warning per frame. */
const MAX_STDERR_LINES = 2000;

/**
 * FFMPEG_PATH, then the ffmpeg-static package, then `ffmpeg` on PATH. ffmpeg-static is optional because it
 * downloads its binary at install, which offline installs skip; the error names all three ways.
 */
export async function findFfmpeg(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const fromEnv = env.FFMPEG_PATH?.trim();
  if (fromEnv && (await isExecutable(fromEnv))) return fromEnv;
  const fromPackage = await ffmpegStaticPath();
  if (fromPackage && (await isExecutable(fromPackage))) return fromPackage;
  const names = process.platform === 'win32' ? ['ffmpeg.exe', 'ffmpeg'] : ['ffmpeg'];
  for (const dir of (env.PATH ?? env.Path ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const name of names) if (await isExecutable(join(dir, name))) return join(dir, name);
  }
  // Say why FFMPEG_PATH was passed over: a typo there is the likeliest cause.
  const hint = fromEnv ? ` (FFMPEG_PATH=${fromEnv} is not an executable file)` : '';
  throw new EngineError('not_found', NOT_FOUND + hint);
}

async function ffmpegStaticPath(): Promise<string | null> {
  // A variable specifier: the package is optional (its install downloads the binary, which fails
  // offline), so neither TypeScript nor the bundler may require it to exist.
  const specifier = 'ffmpeg-static';
  try {
    const module = (await import(specifier)) as { default?: unknown };
    if (typeof module.default !== 'string') return null;
    // Inside a packaged Electron app the binary is unpacked next to the asar archive.
    return module.default.replace(/app\.asar([\\/])/, 'app.asar.unpacked$1');
  } catch {
    return null;
  }
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    await access(path, process.platform === 'win32' ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface FfmpegProgress {
  seconds: number;
  frame?: number;
}

export interface FfmpegOptions {
  signal?: AbortSignal;
  /** Bytes for ffmpeg's stdin (`-i pipe:0`), written with backpressure and closed at the end. */
  stdin?: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;
  onProgress?: (progress: FfmpegProgress) => void;
  /** Receives stdout as it comes; without it stdout is collected into the result. */
  onStdout?: (chunk: Buffer) => void;
  /** The file the run is about, named at the start of error messages. */
  file?: string;
}

export interface FfmpegResult {
  /** Collected stdout; empty when `onStdout` was given. */
  stdout: Buffer;
  /** stderr lines other than progress lines. */
  stderr: string[];
  /** The last progress line's frame count, when ffmpeg printed one. */
  frames?: number;
}

const running = new Map<ChildProcess, AbortController>();

/** Stops every running ffmpeg (at quit); each run rejects with CancelledError. */
export function abortAllFfmpeg(): void {
  for (const controller of running.values()) controller.abort();
}

/** The process ids of the running ffmpeg children. */
export function runningFfmpegPids(): number[] {
  return [...running.keys()].flatMap((child) => (child.pid === undefined ? [] : [child.pid]));
}

/**
 * Runs ffmpeg with `-hide_banner -nostdin` before `args` (-nostdin: stdin carries data, never keystrokes).
 * Resolves on exit code 0. Rejects with CancelledError once the process has exited after `signal` fired
 * (SIGTERM, then SIGKILL after a grace period), and with a one-line EngineError on any other exit.
 */
export async function runFfmpeg(args: readonly string[], options: FfmpegOptions = {}): Promise<FfmpegResult> {
  const { signal, file } = options;
  if (signal?.aborted) throw new CancelledError();
  const binary = await findFfmpeg();
  if (signal?.aborted) throw new CancelledError();

  const child = spawn(binary, ['-hide_banner', '-nostdin', ...args], {
    stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    windowsHide: true,
  });
  const controller = new AbortController();
  running.set(child, controller);
  const forward = (): void => controller.abort();
  signal?.addEventListener('abort', forward, { once: true });

  let input: Readable | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  controller.signal.addEventListener(
    'abort',
    () => {
      input?.destroy();
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    },
    { once: true },
  );

  if (options.stdin !== undefined && child.stdin) {
    const source = options.stdin instanceof Uint8Array ? [options.stdin] : options.stdin;
    input = Readable.from(source, { objectMode: false });
    // A write error (EPIPE when ffmpeg exits early) is reported by the exit status instead.
    pipeline(input, child.stdin).catch(() => undefined);
  }

  const chunks: Buffer[] = [];
  child.stdout!.on('data', (chunk: Buffer) =>
    options.onStdout ? options.onStdout(chunk) : chunks.push(chunk),
  );

  const lines: string[] = [];
  let frames: number | undefined;
  let pending = '';
  const takeLine = (line: string): void => {
    const progress = parseProgressLine(line);
    if (progress) {
      if (progress.frame !== undefined) frames = progress.frame;
      if (progress.seconds !== undefined) options.onProgress?.({ ...progress, seconds: progress.seconds });
      return;
    }
    if (!line.trim()) return;
    // Metadata dumps can hold megabytes on one line; nothing needs more than the start of it.
    lines.push(line.length > 4096 ? line.slice(0, 4096) : line);
    if (lines.length > MAX_STDERR_LINES)
      lines.splice(MAX_STDERR_LINES / 2, lines.length - MAX_STDERR_LINES / 2 - 100);
  };
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => {
    // Only the new text is split, and an unfinished line is capped: a metadata dump can put megabytes
    // on one line, and re-splitting a growing remainder would be quadratic.
    const parts = text.split(/\r\n|\r|\n/);
    const rest = parts.pop()!;
    for (const part of parts) {
      takeLine(pending + part);
      pending = '';
    }
    pending = (pending + rest).slice(0, 8192);
  });

  let spawnError: Error | undefined;
  child.on('error', (error) => (spawnError = error));

  try {
    const [code, killedBy] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal])),
    );
    takeLine(pending);
    if (controller.signal.aborted) throw new CancelledError();
    const about = file === undefined ? 'ffmpeg' : `${file}: ffmpeg`;
    if (spawnError)
      throw new EngineError('engine_unavailable', `${about} could not start (${spawnError.message})`);
    if (killedBy)
      throw new EngineError('engine_unavailable', `${about} was killed by ${killedBy} before it finished`);
    if (code !== 0) {
      let reason = meaningfulLine(lines);
      // ffmpeg starts many messages with the input's name; it is already at the start of ours.
      if (file !== undefined && reason.startsWith(`${file}: `)) reason = reason.slice(file.length + 2);
      // 255 is ffmpeg's exit after it caught SIGINT or SIGTERM; at -loglevel error it says nothing.
      if (code === 255 && reason === 'no error message') reason = 'stopped by a signal';
      throw new EngineError(
        codeFor(reason),
        `${file === undefined ? 'ffmpeg' : file}: ${reason} (ffmpeg exit ${code})`,
      );
    }
    return frames === undefined
      ? { stdout: Buffer.concat(chunks), stderr: lines }
      : { stdout: Buffer.concat(chunks), stderr: lines, frames };
  } finally {
    clearTimeout(killTimer);
    signal?.removeEventListener('abort', forward);
    running.delete(child);
  }
}

function codeFor(reason: string): ErrorCode {
  if (/no space left/i.test(reason)) return 'disk_full';
  if (/cannot allocate memory|out of memory/i.test(reason)) return 'out_of_memory';
  if (/no such file or directory/i.test(reason)) return 'not_found';
  if (/unknown encoder|encoder .*not found|unknown decoder|not compiled|unrecognized option/i.test(reason))
    return 'unsupported';
  return 'invalid_file';
}
