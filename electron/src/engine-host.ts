/**
 * The engine as an Electron utility process: `emu3 serve --json --port 0`, which prints one JSON line
 * with its URL when it is listening. The supervisor (engine-supervisor.ts) does the rest; this file only
 * adapts `utilityProcess` to the supervisor's `EngineProcess`.
 */
import { utilityProcess } from 'electron';
import { fileURLToPath } from 'node:url';
import type { EngineProcess } from './engine-supervisor.js';

const CLI = fileURLToPath(new URL('../../engine/src/cli/main.js', import.meta.url));

export function forkEngine(): EngineProcess {
  const child = utilityProcess.fork(CLI, ['serve', '--json', '--port', '0'], {
    stdio: 'pipe',
    serviceName: 'Emu3 Studio engine',
  });
  return {
    stdout: child.stdout,
    stderr: child.stderr,
    kill: () => void child.kill(),
    onExit: (listener) => void child.once('exit', listener),
  };
}
