/**
 * Keeps the engine process running: starts it, reads the line it prints when listening, restarts it with
 * backoff after it dies unexpectedly, and gives up on a crash loop. It knows nothing of Electron: main
 * injects a `fork` built on `utilityProcess.fork`, and the tests one built on `child_process.fork`.
 */
import { createInterface } from 'node:readline';
import { finished } from 'node:stream';
import type { EngineState } from './ipc-channels.js';

/** The slice of a child process the supervisor uses; main and the tests adapt their process type to it. */
export interface EngineProcess {
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
  kill(): void;
  /** Calls `listener` once, when the process has gone; `code` is null when a signal ended it. */
  onExit(listener: (code: number | null) => void): void;
}

export type ForkEngine = () => EngineProcess;

/** Where a ready engine listens. The secret authenticates main's own requests (media) to the engine. */
export interface EngineEndpoint {
  url: string;
  origin: string;
  secret: string;
}

export interface RestartPolicy {
  /** Wait before the first restart; each further crash within `windowMs` doubles it. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** This many crashes within `windowMs` is a crash loop: the supervisor stops trying. */
  maxCrashes: number;
  windowMs: number;
  /** An engine that prints nothing for this long is hung, not slow: it is killed and reported. */
  startTimeoutMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  firstDelayMs: 500,
  maxDelayMs: 8_000,
  maxCrashes: 5,
  windowMs: 60_000,
  startTimeoutMs: 30_000,
};

/** How long an exit waits for the engine's pipes to end (a grandchild may hold them open). */
const DRAIN_TIMEOUT_MS = 1_000;

export interface SupervisorOptions {
  fork: ForkEngine;
  onState: (state: EngineState) => void;
  /** The engine's stderr, passed through (main copies it to its own stderr). */
  onStderr?: (chunk: string) => void;
  policy?: Partial<RestartPolicy>;
  now?: () => number;
}

/**
 * What to do after a crash, given the times of the crashes so far (this one included): wait and
 * restart, or give up because the crashes come too fast for a restart to help.
 */
export function restartDecision(
  crashTimes: readonly number[],
  now: number,
  policy: RestartPolicy,
): { restartInMs: number } | { giveUp: number } {
  const recent = crashTimes.filter((time) => now - time < policy.windowMs).length;
  if (recent >= policy.maxCrashes) return { giveUp: recent };
  return { restartInMs: Math.min(policy.firstDelayMs * 2 ** Math.max(0, recent - 1), policy.maxDelayMs) };
}

/**
 * Reads the engine's first stdout line (`emu3 serve --json`): `{event:'listening', url, origin}`, or
 * `{error}` when it could not start. The origin must be plain http on 127.0.0.1, because main grants
 * that origin the IPC bridge: an engine that printed any other address would hand it to someone else.
 */
export function parseListeningLine(
  line: string,
): { ok: true; engine: EngineEndpoint } | { ok: false; reason: string } {
  let message: unknown;
  try {
    message = JSON.parse(line);
  } catch {
    return { ok: false, reason: `the engine printed ${quote(line)} instead of its address` };
  }
  if (typeof message !== 'object' || message === null) {
    return { ok: false, reason: `the engine printed ${quote(line)} instead of its address` };
  }
  const { url, origin, error } = message as {
    url?: unknown;
    origin?: unknown;
    error?: { message?: unknown };
  };
  if (error !== undefined) {
    const why = typeof error?.message === 'string' ? firstLine(error.message) : quote(line);
    return { ok: false, reason: `the engine could not start: ${why}` };
  }
  if (typeof url !== 'string' || typeof origin !== 'string') {
    return { ok: false, reason: `the engine printed ${quote(line)} instead of its address` };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: `the engine printed an unreadable address ${quote(url)}` };
  }
  if (parsed.protocol !== 'http:' || parsed.hostname !== '127.0.0.1' || parsed.origin !== origin) {
    return { ok: false, reason: `the engine's address ${quote(url)} is not on 127.0.0.1` };
  }
  const secret = new URLSearchParams(parsed.hash.slice(1)).get('token');
  if (!secret) return { ok: false, reason: `the engine's address ${quote(url)} carries no launch secret` };
  return { ok: true, engine: { url, origin, secret } };
}

/** One line for a window title or a log: what the engine is doing. */
export function describeEngineState(state: EngineState): string {
  switch (state.state) {
    case 'starting':
      return state.attempt === 1 ? 'starting the engine' : `restarting the engine (attempt ${state.attempt})`;
    case 'ready':
      return 'engine ready';
    case 'crashed':
      return `the engine stopped (${state.detail}); restarting in ${formatSeconds(state.restartInMs)}`;
    case 'failed':
      return state.reason;
    case 'stopped':
      return 'engine stopped';
  }
}

export class EngineSupervisor {
  readonly #fork: ForkEngine;
  readonly #onState: (state: EngineState) => void;
  readonly #onStderr: (chunk: string) => void;
  readonly #policy: RestartPolicy;
  readonly #now: () => number;
  #state: EngineState = { state: 'stopped' };
  #endpoint: EngineEndpoint | null = null;
  #child: EngineProcess | null = null;
  #exited: Promise<void> = Promise.resolve();
  #restartTimer: NodeJS.Timeout | undefined;
  #crashTimes: number[] = [];
  #attempt = 0;
  /** Set by stop(): the next exit is the one we asked for. */
  #stopping = false;

  constructor(options: SupervisorOptions) {
    this.#fork = options.fork;
    this.#onState = options.onState;
    this.#onStderr = options.onStderr ?? (() => {});
    this.#policy = { ...DEFAULT_RESTART_POLICY, ...options.policy };
    this.#now = options.now ?? Date.now;
  }

  get state(): EngineState {
    return this.#state;
  }

  /** The running engine's address and secret; null unless it is ready. */
  get endpoint(): EngineEndpoint | null {
    return this.#endpoint;
  }

  /** Starts the engine; after `failed` or `stopped` it starts afresh, with the crash history forgotten. */
  start(): void {
    if (this.#child || this.#restartTimer) return;
    this.#stopping = false;
    this.#crashTimes = [];
    this.#attempt = 0;
    this.#spawn();
  }

  /** Stops the engine for good (the app is quitting): no restart follows. Resolves once it has exited. */
  stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
    if (this.#child) this.#child.kill();
    else if (this.#state.state !== 'failed') this.#setState({ state: 'stopped' });
    return this.#exited;
  }

  #spawn(): void {
    this.#restartTimer = undefined;
    this.#attempt += 1;
    this.#setState({ state: 'starting', attempt: this.#attempt });
    let child: EngineProcess;
    try {
      child = this.#fork();
    } catch (error) {
      // A fork that throws (a missing file, no more processes) is a crash that happened at once.
      return this.#crashed(null, error instanceof Error ? firstLine(error.message) : String(error));
    }
    this.#child = child;
    let stderrTail = '';
    let settled = false;
    // A startup failure decided here (bad line, timeout) is final; the exit that follows only confirms it.
    let failure: string | null = null;
    const timer = setTimeout(() => {
      failure = `the engine printed nothing within ${formatSeconds(this.#policy.startTimeoutMs)}`;
      child.kill();
    }, this.#policy.startTimeoutMs);

    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.#onStderr(chunk);
      const lines = chunk.split('\n').filter((line) => line.trim() !== '');
      if (lines.length > 0) stderrTail = lines[lines.length - 1]!.trim();
    });
    if (child.stdout) {
      // The interface keeps reading after the first line, so a chatty engine never fills its pipe.
      createInterface({ input: child.stdout }).once('line', (line) => {
        clearTimeout(timer);
        settled = true;
        const parsed = parseListeningLine(line);
        if (!parsed.ok) {
          failure = parsed.reason;
          return child.kill();
        }
        this.#endpoint = parsed.engine;
        this.#setState({ state: 'ready', url: parsed.engine.url, origin: parsed.engine.origin });
      });
    }

    // 'exit' can come before the last output has been read, and that output (the error line, the last
    // stderr line) is the explanation; so the verdict waits for both pipes to end, or a second at most.
    const pipesEnded = Promise.all([child.stdout, child.stderr].map((stream) => stream && ended(stream)));
    this.#exited = new Promise((resolve) => {
      child.onExit(
        (code) =>
          void within(pipesEnded, DRAIN_TIMEOUT_MS).then(() => {
            clearTimeout(timer);
            this.#child = null;
            this.#endpoint = null;
            if (this.#stopping) this.#setState({ state: 'stopped' });
            else if (failure !== null) this.#setState({ state: 'failed', reason: failure });
            else {
              const how = code === null ? 'killed by a signal' : `exit code ${code}`;
              const when = settled ? '' : ' before listening';
              this.#crashed(code, `${how}${when}${stderrTail ? `: ${stderrTail}` : ''}`);
            }
            resolve();
          }),
      );
    });
  }

  #crashed(code: number | null, detail: string): void {
    this.#child = null;
    const now = this.#now();
    this.#crashTimes = [...this.#crashTimes, now].filter((time) => now - time < this.#policy.windowMs);
    const decision = restartDecision(this.#crashTimes, now, this.#policy);
    if ('giveUp' in decision) {
      const window = formatSeconds(this.#policy.windowMs);
      return this.#setState({
        state: 'failed',
        reason: `the engine crashed ${decision.giveUp} time${decision.giveUp === 1 ? '' : 's'} within ${window}; last: ${detail}`,
      });
    }
    this.#setState({ state: 'crashed', code, restartInMs: decision.restartInMs, detail });
    this.#restartTimer = setTimeout(() => this.#spawn(), decision.restartInMs);
  }

  #setState(state: EngineState): void {
    this.#state = state;
    this.#onState(state);
  }
}

/** Resolves when `promise` settles or `ms` have passed, whichever is first. */
function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([promise.then(() => undefined), timeout]).finally(() => clearTimeout(timer));
}

/** Resolves when a stream has ended, errored or closed (at once if it already has). */
function ended(stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve) => finished(stream, () => resolve()));
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').trim();
}

/** A line quoted for a one-line message: its first line, cut short. */
function quote(text: string): string {
  const line = firstLine(text);
  return JSON.stringify(line.length > 120 ? `${line.slice(0, 117)}...` : line);
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
