/**
 * A library of many items: gallery queries give the right totals (asserted) and their times are printed (not
 * asserted: machines differ). 1,000 items by default, to keep the suite quick; EMU3_LIBRARY_ITEMS=10000 for the
 * figures in the notes.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { makeTestRecord, writeTestMedia } from './fixtures.js';
import { Library, type ListQuery } from './library.js';

const N = Number(process.env.EMU3_LIBRARY_ITEMS ?? 1000);
/** An item number that occurs once (prompts carry "number i"), and the id it gets (ids start at 1). */
const RARE = Math.floor(N * 0.4321);
const ADJECTIVES = ['red', 'misty', 'golden', 'Neon', 'quiet', 'ancient', 'tiny', 'stormy', 'pale', 'vivid'];
const NOUNS = ['dragon', 'castle', 'harbor', 'forest', 'robot', 'Cathedral', 'meadow'];
const prompt = (i: number) =>
  `a ${ADJECTIVES[i % 10]} ${NOUNS[i % 7]} at dusk, highly detailed, cinematic lighting, number ${i}`;
const model = (i: number) => `sha256-model-${i % 3}`;
const kind = (i: number) => (i % 4 === 0 ? 'video' : 'image');

const root = mkdtempSync(join(tmpdir(), 'emu3-10k-'));
afterAll(() => rmSync(root, { recursive: true, force: true }), 120_000);

function median(run: () => unknown, times = 25): number {
  run(); // first run prepares the statement
  const ms: number[] = [];
  for (let k = 0; k < times; k++) {
    const start = performance.now();
    run();
    ms.push(performance.now() - start);
  }
  return ms.sort((a, b) => a - b)[Math.floor(times / 2)]!;
}

it(`adds ${N} items and lists, searches and filters them`, async () => {
  const sources = join(root, 'sources');
  mkdirSync(sources);
  const files = Array.from({ length: N }, (_, i) => writeTestMedia(join(sources, `${i}.png`), i));
  const lib = Library.open(join(root, 'library'));
  const start = performance.now();
  for (let i = 0; i < N; i++) {
    const record = makeTestRecord(i, { prompt: prompt(i), model: model(i), mode: kind(i) });
    const item = await lib.addItem({ record, mediaPath: files[i]! });
    if (i % 100 === 0) lib.setStarred(item.id, true);
  }
  const insertMs = performance.now() - start;

  const expected = (q: ListQuery): number =>
    Array.from({ length: N }, (_, i) => i).filter(
      (i) =>
        (q.search === undefined ||
          q.search.split(' ').every((t) => prompt(i).toLowerCase().includes(t.toLowerCase()))) &&
        (q.model === undefined || model(i) === q.model) &&
        (q.kind === undefined || kind(i) === q.kind) &&
        (q.starred === undefined || i % 100 === 0),
    ).length;
  const queries: [string, ListQuery][] = [
    ['first page', { limit: 100 }],
    ['page near the end', { limit: 100, offset: Math.floor(N * 0.9) }],
    ['search "dragon" (1 in 7)', { search: 'dragon', limit: 100 }],
    ['search one item (rare)', { search: `number ${RARE}`, limit: 100 }],
    ['search "CATHEDRAL neon"', { search: 'CATHEDRAL neon', limit: 100 }],
    ['model + kind + search', { model: 'sha256-model-1', kind: 'video', search: 'golden', limit: 100 }],
    ['starred', { starred: true, limit: 100 }],
  ];
  const lines = [
    `insert ${N} items: ${(insertMs / 1000).toFixed(1)} s (${(insertMs / N).toFixed(2)} ms/item)`,
  ];
  for (const [name, q] of queries) {
    const result = lib.list(q);
    expect(result.total, name).toBe(expected(q));
    expect(result.items.length, name).toBe(Math.min(q.limit, Math.max(0, result.total - (q.offset ?? 0))));
    lines.push(`${name}: ${median(() => lib.list(q)).toFixed(2)} ms (total ${result.total})`);
  }
  const ids = lib.list({ search: `number ${RARE}`, limit: 10 }).items.map((i) => i.id);
  expect(ids).toEqual([RARE + 1]);
  lines.push(`get one item with tokens: ${median(() => lib.get(Math.ceil(N / 2))).toFixed(3)} ms`);
  console.log(lines.join('\n'));
  lib.close();
}, 600_000);
