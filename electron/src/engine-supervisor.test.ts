import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_RESTART_POLICY,
  describeEngineState,
  EngineSupervisor,
  parseListeningLine,
  restartDecision,
  type EngineProcess,
  type RestartPolicy,
} from './engine-supervisor.js';
import type { EngineState } from './ipc-channels.js';

const FAKE_ENGINE = fileURLToPath(new URL('./testdata/fake-engine.mjs', import.meta.url));
const FAST: Partial<RestartPolicy> = {
  firstDelayMs: 20,
  maxDelayMs: 80,
  maxCrashes: 3,
  startTimeoutMs: 5_000,
};

type Mode = 'ok' | 'crash-at-start' | 'garbage' | 'error' | 'silent';

/** A supervisor over real fake-engine processes; each fork takes the next mode (the last one repeats). */
function harness(modes: Mode[], policy: Partial<RestartPolicy> = FAST) {
  const states: EngineState[] = [];
  const exits: (number | null)[] = [];
  let forks = 0;
  const supervisor = new EngineSupervisor({
    policy,
    onState: (state) => states.push(state),
    fork: (): EngineProcess => {
      const mode = modes[Math.min(forks, modes.length - 1)]!;
      forks += 1;
      const child = fork(FAKE_ENGINE, [mode], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
      return {
        stdout: child.stdout,
        stderr: child.stderr,
        kill: () => void child.kill(),
        onExit: (listener) =>
          void child.once('exit', (code) => {
            exits.push(code);
            listener(code);
          }),
      };
    },
  });
  running.push(supervisor);
  return { supervisor, states, exits, forks: () => forks };
}

const running: EngineSupervisor[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((supervisor) => supervisor.stop()));
});

const names = (states: EngineState[]) => states.map((state) => state.state);
const readyStates = (states: EngineState[]) =>
  states.filter((state): state is Extract<EngineState, { state: 'ready' }> => state.state === 'ready');
// Each fake engine is a fresh Node process; on a busy machine a few of them take seconds, not milliseconds.
const until = (check: () => void) => vi.waitFor(check, { timeout: 15_000, interval: 10 });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('EngineSupervisor with a real child process', () => {
  it('restarts a crashed engine, which comes back ready at a new URL', async () => {
    const { supervisor, states } = harness(['ok']);
    supervisor.start();
    await until(() => expect(readyStates(states)).toHaveLength(1));
    const first = readyStates(states)[0]!;
    expect(supervisor.endpoint).toMatchObject({ url: first.url, origin: first.origin });

    await fetch(`${first.origin}/crash`);
    await until(() => expect(readyStates(states)).toHaveLength(2));
    const second = readyStates(states)[1]!;

    expect(second.url).not.toBe(first.url);
    expect(names(states)).toEqual(['starting', 'ready', 'crashed', 'starting', 'ready']);
    expect(states[2]).toEqual({
      state: 'crashed',
      code: 3,
      restartInMs: 20,
      detail: 'exit code 3: panic: the test asked for a crash',
    });
    expect(states[3]).toEqual({ state: 'starting', attempt: 2 });
  });

  it('gives up on a crash loop with one clear message', async () => {
    const { supervisor, states, forks } = harness(['crash-at-start']);
    supervisor.start();
    await until(() => expect(states.at(-1)?.state).toBe('failed'));
    expect(names(states)).toEqual(['starting', 'crashed', 'starting', 'crashed', 'starting', 'failed']);
    expect(states.filter((s) => s.state === 'crashed').map((s) => s.restartInMs)).toEqual([20, 40]);
    expect(states.at(-1)).toEqual({
      state: 'failed',
      reason:
        'the engine crashed 3 times within 60 s; last: exit code 7 before listening: fatal: out of memory while loading the model',
    });
    await sleep(100);
    expect(forks()).toBe(3);
  });

  it('does not restart after a clean quit', async () => {
    const { supervisor, states, exits, forks } = harness(['ok']);
    supervisor.start();
    await until(() => expect(supervisor.state.state).toBe('ready'));
    await supervisor.stop();
    expect(exits).toEqual([0]);
    await sleep(100);
    expect(names(states)).toEqual(['starting', 'ready', 'stopped']);
    expect(forks()).toBe(1);
    expect(supervisor.endpoint).toBeNull();
  });

  it('does not restart when stopped while waiting to restart', async () => {
    const { supervisor, states, forks } = harness(['crash-at-start'], { ...FAST, firstDelayMs: 5_000 });
    supervisor.start();
    await until(() => expect(supervisor.state.state).toBe('crashed'));
    await supervisor.stop();
    await sleep(300);
    expect(names(states)).toEqual(['starting', 'crashed', 'stopped']);
    expect(forks()).toBe(1);
  });

  it('fails in one line, and kills the engine, when the first line is not its address', async () => {
    const { supervisor, states, exits } = harness(['garbage']);
    supervisor.start();
    await until(() => expect(states.at(-1)?.state).toBe('failed'));
    expect(states.at(-1)).toEqual({
      state: 'failed',
      reason: 'the engine printed "Segmentation fault (core dumped)" instead of its address',
    });
    expect(exits).toHaveLength(1);
  });

  it("reports the engine's own startup error as its first line, without restarting", async () => {
    const { supervisor, states, forks } = harness(['error']);
    supervisor.start();
    await until(() => expect(states.at(-1)?.state).toBe('failed'));
    expect(states.at(-1)).toEqual({
      state: 'failed',
      reason:
        'the engine could not start: renderer build not found: /x/index.html is missing (run `npm run build`)',
    });
    expect(forks()).toBe(1);
  });

  it('kills and reports an engine that prints nothing', async () => {
    const { supervisor, states, exits } = harness(['silent'], { ...FAST, startTimeoutMs: 300 });
    supervisor.start();
    await until(() => expect(states.at(-1)?.state).toBe('failed'));
    expect(states.at(-1)).toEqual({ state: 'failed', reason: 'the engine printed nothing within 0.3 s' });
    expect(exits).toHaveLength(1);
  });

  it('starts afresh after failing, when asked to', async () => {
    const { supervisor, states } = harness(['garbage', 'ok']);
    supervisor.start();
    await until(() => expect(supervisor.state.state).toBe('failed'));
    supervisor.start();
    await until(() => expect(supervisor.state.state).toBe('ready'));
    expect(names(states)).toEqual(['starting', 'failed', 'starting', 'ready']);
  });

  it('treats a fork that throws as a crash', async () => {
    const states: EngineState[] = [];
    const supervisor = new EngineSupervisor({
      policy: { ...FAST, maxCrashes: 1 },
      onState: (state) => states.push(state),
      fork: () => {
        throw new Error('spawn ENOENT\nstack');
      },
    });
    supervisor.start();
    expect(states).toEqual([
      { state: 'starting', attempt: 1 },
      { state: 'failed', reason: 'the engine crashed 1 time within 60 s; last: spawn ENOENT' },
    ]);
  });
});

describe('restartDecision', () => {
  const policy = DEFAULT_RESTART_POLICY;

  it('doubles the wait with each crash in the window, up to the cap', () => {
    const waits = [1, 2, 3, 4].map((n) => restartDecision(Array(n).fill(0), 0, { ...policy, maxCrashes: 9 }));
    expect(waits).toEqual([
      { restartInMs: 500 },
      { restartInMs: 1000 },
      { restartInMs: 2000 },
      { restartInMs: 4000 },
    ]);
    expect(restartDecision(Array(8).fill(0), 0, { ...policy, maxCrashes: 9 })).toEqual({ restartInMs: 8000 });
  });

  it('gives up at the limit, and forgets crashes older than the window', () => {
    expect(restartDecision([0, 1, 2, 3, 4], 5, policy)).toEqual({ giveUp: 5 });
    expect(restartDecision([0, 1, 2, 3, 70_000], 70_000, policy)).toEqual({ restartInMs: 500 });
  });
});

describe('parseListeningLine', () => {
  const line = (value: unknown) => JSON.stringify(value);
  const origin = 'http://127.0.0.1:4321';

  it('reads the address and the launch secret', () => {
    expect(parseListeningLine(line({ event: 'listening', url: `${origin}/#token=abc`, origin }))).toEqual({
      ok: true,
      engine: { url: `${origin}/#token=abc`, origin, secret: 'abc' },
    });
  });

  it('refuses addresses off loopback, other schemes, and mismatched origins', () => {
    for (const [url, claimed] of [
      ['http://example.com/#token=abc', 'http://example.com'],
      ['https://127.0.0.1:4321/#token=abc', 'https://127.0.0.1:4321'],
      [`${origin}/#token=abc`, 'http://127.0.0.1:9999'],
      ['http://localhost:4321/#token=abc', 'http://localhost:4321'],
    ]) {
      expect(parseListeningLine(line({ url, origin: claimed }))).toEqual({
        ok: false,
        reason: `the engine's address "${url}" is not on 127.0.0.1`,
      });
    }
  });

  it('refuses an address without a secret, and lines that are not an address', () => {
    expect(parseListeningLine(line({ url: `${origin}/`, origin }))).toMatchObject({ ok: false });
    expect(parseListeningLine('null')).toMatchObject({ ok: false });
    expect(parseListeningLine(line({ event: 'listening' }))).toMatchObject({ ok: false });
    expect(parseListeningLine(line({ url: 'not a url', origin }))).toMatchObject({ ok: false });
  });

  it('cuts a long line short', () => {
    const result = parseListeningLine('x'.repeat(500));
    expect(result).toEqual({
      ok: false,
      reason: `the engine printed "${'x'.repeat(117)}..." instead of its address`,
    });
  });
});

describe('describeEngineState', () => {
  it('says what the engine is doing in one line', () => {
    expect(describeEngineState({ state: 'starting', attempt: 1 })).toBe('starting the engine');
    expect(describeEngineState({ state: 'starting', attempt: 3 })).toBe('restarting the engine (attempt 3)');
    expect(describeEngineState({ state: 'crashed', code: 3, restartInMs: 500, detail: 'exit code 3' })).toBe(
      'the engine stopped (exit code 3); restarting in 0.5 s',
    );
  });
});
