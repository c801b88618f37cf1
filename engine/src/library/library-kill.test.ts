/**
 * A crash at any moment loses at most the job in flight: a child process adds items in a tight loop, is killed
 * with SIGKILL mid-write, and the library is reopened and checked. The child runs the compiled library (dist/),
 * rebuilt here first when the sources are newer.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Library } from './library.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..', '..');
const built = join(repo, 'dist', 'engine', 'src', 'library');

function stale(): boolean {
  return readdirSync(here)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .some((f) => {
      const out = join(built, f.replace(/\.ts$/, '.js'));
      return !existsSync(out) || statSync(out).mtimeMs < statSync(join(here, f)).mtimeMs;
    });
}

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'emu3-kill-'));
  if (stale()) {
    // Type errors elsewhere in the engine must not stop this test: tsc still emits, and freshness is re-checked.
    const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
    try {
      execFileSync(process.execPath, [tsc, '-b', join(repo, 'engine')], { stdio: 'ignore' });
    } catch {
      // checked below
    }
    if (stale()) throw new Error(`${built}: out of date; run npx tsc -b engine`);
  }
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const CHILD = (libraryUrl: string, fixturesUrl: string) => `
import { Library } from ${JSON.stringify(libraryUrl)};
import { makeTestRecord, randomTestMedia } from ${JSON.stringify(fixturesUrl)};
const [dir, sources, round] = process.argv.slice(2);
const lib = Library.open(dir);
process.stdout.write('ready\\n');
for (let i = 0; ; i++) {
  // Sizes up to ~1 MB so the kill lands in copies and fsyncs as well as in commits.
  const source = randomTestMedia(sources, round + '-' + i + '.png', 1000 + (i % 5) * 250000);
  const item = await lib.addItem({ record: makeTestRecord(i, { prompt: 'round ' + round + ' item ' + i }), mediaPath: source });
  process.stdout.write(item.id + '\\n');
}
`;

/** Runs the child until `afterMs` after it is ready, SIGKILLs it and returns the ids it reported as added. */
function runAndKill(script: string, dir: string, round: number, afterMs: number): Promise<number[]> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [script, dir, root, String(round)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      if (!out.includes('ready') && (out + d.toString()).includes('ready'))
        setTimeout(() => child.kill('SIGKILL'), afterMs);
      out += d.toString();
    });
    child.on('error', fail);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') return fail(new Error(`child exited with ${code}: ${err}`));
      const lines = out.split('\n');
      lines.pop(); // a line cut by the kill is not a finished add
      done(lines.filter((l) => /^\d+$/.test(l)).map(Number));
    });
  });
}

it('survives SIGKILL mid-write: integrity ok, every finished add present with its media, at most one more', async () => {
  const script = join(root, 'child.mjs');
  const url = (f: string) => pathToFileURL(join(built, f)).href;
  writeFileSync(script, CHILD(url('library.js'), url('fixtures.js')));
  const dir = join(root, 'library');
  const finished: number[] = [];

  for (let round = 0; round < 5; round++) {
    // ~300 ms, varied so the kills land at different points of an add.
    finished.push(...(await runAndKill(script, dir, round, 220 + round * 40)));
    const lib = Library.open(dir);
    try {
      expect(lib.db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(lib.db.pragma('foreign_key_check')).toEqual([]);
      for (const id of finished) expect(lib.get(id), `item ${id}`).not.toBeNull();
      const rows = lib.db
        .prepare('SELECT i.id, m.sha256, m.bytes FROM items i JOIN media m ON m.sha256 = i.media_sha256')
        .all() as { id: number; sha256: string; bytes: number }[];
      // Each round loses at most the add that was in flight: it may have committed without printing its id.
      expect(rows.length).toBeGreaterThanOrEqual(finished.length);
      expect(rows.length).toBeLessThanOrEqual(finished.length + round + 1);
      for (const row of rows) {
        const bytes = readFileSync(lib.mediaPath(row.sha256));
        expect(bytes.length).toBe(row.bytes);
        expect(createHash('sha256').update(bytes).digest('hex')).toBe(row.sha256);
      }
    } finally {
      lib.close();
    }
  }
  expect(finished.length).toBeGreaterThan(0);
  console.log(`kill test: ${finished.length} adds finished across 5 SIGKILLed children`);
}, 60_000);
