/**
 * Runs the engine beside the window, as an Electron utility process. Until the IPC protocol arrives, the
 * engine serves the studio through its web host and the window loads that page; the engine prints one
 * JSON line with the URL when it is listening.
 */
import { utilityProcess, type UtilityProcess } from 'electron';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface RunningEngine {
  url: string;
  origin: string;
  process: UtilityProcess;
}

const CLI = fileURLToPath(new URL('../../engine/src/cli/main.js', import.meta.url));
const START_TIMEOUT_MS = 30_000;

export function startEngine(): Promise<RunningEngine> {
  const child = utilityProcess.fork(CLI, ['serve', '--json', '--port', '0'], {
    stdio: 'pipe',
    serviceName: 'Emu3 Studio engine',
  });
  child.stderr?.pipe(process.stderr);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('the engine did not start within 30 s')),
      START_TIMEOUT_MS,
    );
    child.once('exit', (code) => reject(new Error(`the engine exited with code ${code} before listening`)));
    if (!child.stdout) return reject(new Error('the engine has no stdout'));
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      const message = JSON.parse(line) as { url?: string; origin?: string; error?: { message: string } };
      if (message.url && message.origin)
        resolve({ url: message.url, origin: message.origin, process: child });
      else reject(new Error(message.error?.message ?? `unexpected engine output: ${line}`));
    });
  });
}
