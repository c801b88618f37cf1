#!/usr/bin/env node
// @ts-check
/**
 * `npm start`: opens the studio in Electron; where the Electron binary cannot be had (an offline machine,
 * a machine with no display), says so in one line and serves the same studio through the web host.
 * `npm start -- --web` asks for the web host directly.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const electronDir = fileURLToPath(new URL('../node_modules/electron/', import.meta.url));
const DOWNLOAD_TIMEOUT_MS = 5 * 60_000;

/** @returns {{ binary: string } | { unavailable: string }} */
function findElectron() {
  if (process.argv.includes('--web')) return { unavailable: 'the web host was asked for with --web' };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { unavailable: 'no display ($DISPLAY and $WAYLAND_DISPLAY are unset)' };
  }
  const installed = installedBinary();
  if (installed) return { binary: installed };
  process.stdout.write('Fetching the Electron binary (first run only)…\n');
  const download = spawnSync(process.execPath, [`${electronDir}install.js`], {
    encoding: 'utf8',
    timeout: DOWNLOAD_TIMEOUT_MS,
  });
  const binary = installedBinary();
  if (binary) return { binary };
  const output = `${download.stderr ?? ''}\n${download.stdout ?? ''}`;
  const firstError = output
    .split('\n')
    .find((line) => /error/i.test(line))
    ?.trim();
  const why = download.error?.message ?? firstError ?? `installer exited with ${download.status}`;
  return { unavailable: `its download failed (${why})` };
}

/** @returns {string | null} */
function installedBinary() {
  const pathFile = `${electronDir}path.txt`;
  if (!existsSync(pathFile)) return null;
  const binary = `${electronDir}dist/${readFileSync(pathFile, 'utf8')}`;
  return existsSync(binary) ? binary : null;
}

/** @param {string} command @param {string[]} args */
function run(command, args) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
  for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM']))
    process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const electron = findElectron();
if ('binary' in electron) {
  run(electron.binary, [root]);
} else {
  process.stdout.write(
    `Electron is unavailable: ${electron.unavailable}; serving the studio through the web host instead.\n`,
  );
  run(process.execPath, [fileURLToPath(new URL('../engine/bin/emu3.js', import.meta.url)), 'serve']);
}
