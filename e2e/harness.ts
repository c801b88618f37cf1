/** What every end-to-end test needs: a served studio, a browser, and a place for screenshots. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

export interface ServedStudio {
  url: string;
  origin: string;
  stop(): Promise<void>;
}

/** Reads lines from a child's stdout until `match` returns a value. */
export function waitForLine<T>(child: ChildProcess, match: (line: string) => T | undefined): Promise<T> {
  return new Promise((resolve, reject) => {
    if (!child.stdout) return reject(new Error('child has no stdout'));
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) =>
      reject(new Error(`exited with ${code} before the expected line: ${stderr}`)),
    );
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const value = match(line);
      if (value !== undefined) {
        lines.close();
        resolve(value);
      }
    });
  });
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** `emu3 serve --json` exactly as a user runs it, from the built engine. */
export async function serveStudio(
  extraArgs: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<ServedStudio> {
  const args = [join(repoRoot, 'engine/bin/emu3.js'), 'serve', '--json', '--port', '0', ...extraArgs];
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const listening = await waitForLine(child, (line) => {
    const message = JSON.parse(line) as { event?: string; url: string; origin: string };
    return message.event === 'listening' ? message : undefined;
  });
  return { url: listening.url, origin: listening.origin, stop: () => stopChild(child) };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Screenshots go to docs/screenshots/ when UPDATE_SCREENSHOTS=1 (`npm run screenshots`), else e2e/.artifacts/. */
export function screenshotPath(name: string): string {
  const dir = join(repoRoot, process.env.UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : 'e2e/.artifacts');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name}.png`);
}
