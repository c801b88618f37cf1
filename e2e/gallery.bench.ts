/**
 * Gallery benchmark (`npm run bench:gallery`): a library of 10,000 items (real SQLite, a real PNG per item),
 * served by the real `emu3 serve`, opened in Chromium. Measures, inside the page:
 * - time to first paint of the grid: from the click on Gallery to the first frame that shows the grid's
 *   cells, and to the frame where every thumbnail in view has decoded;
 * - frame times while scrolling: requestAnimationFrame deltas during a steady scroll through the grid
 *   (median, p95, worst, and frames over twice the median);
 * - a jump to the middle: from setting scrollTop to the frame where the thumbnails there have decoded.
 * Each runs three times in a fresh browser context (a cold cache). The medians print and go to
 * e2e/.artifacts/gallery-bench.json; nothing is asserted about them, machines differ.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, expect, it } from 'vitest';
import { makeTestRecord } from '../engine/src/library/fixtures.js';
import { Library } from '../engine/src/library/library.js';
import { measureGallery, type GalleryMeasurement } from './gallery-bench-page.js';
import { launchChromium, repoRoot, serveStudio } from './harness.js';

const ITEMS = Number(process.env.EMU3_GALLERY_ITEMS ?? 10_000);
/** Each run opens the gallery in a fresh browser context; the report gives medians. */
const RUNS = 3;
const SCROLL_SECONDS = 5;
/** A quick flick: about 4.5 screens a second on a 1280×800 window. */
const SCROLL_PX_PER_FRAME = 60;
const ADJECTIVES = ['red', 'misty', 'golden', 'neon', 'quiet', 'ancient', 'tiny', 'stormy', 'pale', 'vivid'];
const NOUNS = ['dragon', 'castle', 'harbor', 'forest', 'robot', 'cathedral', 'meadow'];

const home = mkdtempSync(join(tmpdir(), 'emu3-gallery-bench-'));
afterAll(() => rmSync(home, { recursive: true, force: true }), 120_000);

/** A 96×96 PNG per item: a two-colour gradient whose hues depend on the item. */
async function itemPng(i: number, path: string): Promise<void> {
  const size = 96;
  const data = Buffer.alloc(size * size * 3);
  const hue = (i * 37) % 360;
  const [r1, g1, b1] = hsl(hue, 0.55, 0.45);
  const [r2, g2, b2] = hsl((hue + 140) % 360, 0.6, 0.25);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const t = (x + y) / (2 * size);
      const o = (y * size + x) * 3;
      data[o] = r1 + (r2 - r1) * t;
      data[o + 1] = g1 + (g2 - g1) * t;
      data[o + 2] = b1 + (b2 - b1) * t;
    }
  // The item's number in the bottom row's blue channel, so no two items share a file (the library
  // stores identical files once, and the browser would find them in its cache).
  for (let bit = 0; bit < 24; bit++) data[((size - 1) * size + bit) * 3 + 2] = (i >> bit) & 1 ? 255 : 0;
  await sharp(data, { raw: { width: size, height: size, channels: 3 } })
    .png()
    .toFile(path);
}

function hsl(h: number, s: number, l: number): [number, number, number] {
  const k = (n: number) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => 255 * (l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1))));
  return [f(0), f(8), f(4)];
}

function stats(deltas: number[]) {
  const sorted = [...deltas].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { frames: sorted.length, median: at(0.5), p95: at(0.95), worst: sorted.at(-1)! };
}

it(`opens and scrolls a gallery of ${ITEMS} items`, async () => {
  const seedStart = performance.now();
  const sources = join(home, 'sources');
  mkdirSync(sources);
  const library = Library.open(home);
  for (let i = 0; i < ITEMS; i++) {
    const path = join(sources, `${i}.png`);
    await itemPng(i, path);
    const prompt = `a ${ADJECTIVES[i % 10]} ${NOUNS[i % 7]} at dusk, highly detailed, number ${i}`;
    const item = await library.addItem({ record: makeTestRecord(i, { prompt }), mediaPath: path });
    if (i % 50 === 0) library.setStarred(item.id, true);
    rmSync(path);
  }
  library.close();
  const seedSeconds = (performance.now() - seedStart) / 1000;

  // No model: nothing is generated, and importing the bundled one would compete with the measurement.
  const studio = await serveStudio(['--no-default-model'], { EMU3_HOME: home });
  const browser = await launchChromium();
  try {
    const runs: GalleryMeasurement[] = [];
    for (let run = 0; run < RUNS; run++) {
      // A fresh context each time: a cold cache, as when the studio has just been opened.
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.goto(studio.url);
      await page.locator('.engine-status[data-status="connected"]').waitFor();
      runs.push(await measureGallery(page, { seconds: SCROLL_SECONDS, pxPerFrame: SCROLL_PX_PER_FRAME }));
      expect(await page.locator('.gallery-toolbar__count').textContent()).toBe(
        `${ITEMS.toLocaleString('en')} items`,
      );
      await context.close();
    }

    const deltas = runs.flatMap((r) => r.deltas);
    const frame = stats(deltas);
    const median = (values: number[]) => round(stats(values).median);
    const result = {
      items: ITEMS,
      runs: RUNS,
      seedSeconds: Number(seedSeconds.toFixed(1)),
      firstPaint: {
        cellsMs: median(runs.map((r) => r.cellsMs)),
        thumbnailsMs: median(runs.map((r) => r.thumbnailsMs)),
        eachRun: runs.map((r) => ({ cellsMs: round(r.cellsMs), thumbnailsMs: round(r.thumbnailsMs) })),
        visible: runs[0]!.visible,
      },
      scroll: {
        seconds: SCROLL_SECONDS,
        pxPerFrame: SCROLL_PX_PER_FRAME,
        frames: frame.frames,
        medianMs: round(frame.median),
        p95Ms: round(frame.p95),
        worstMs: round(frame.worst),
        over2xMedian: deltas.filter((d) => d > 2 * frame.median).length,
        maxCellsInDom: Math.max(...runs.map((r) => r.maxCellsInDom)),
      },
      jumpToMiddleMs: median(runs.map((r) => r.jumpMs)),
      requestBaselineMs: median(runs.map((r) => r.requestBaselineMs)),
      machine: { cpus: cpus().length, load: loadavg().map((l) => round(l)), chromium: browser.version() },
    };
    const artifacts = join(repoRoot, 'e2e/.artifacts');
    mkdirSync(artifacts, { recursive: true });
    writeFileSync(join(artifacts, 'gallery-bench.json'), `${JSON.stringify(result, null, 2)}\n`);
    const { firstPaint: p, scroll: sc } = result;
    console.log(
      [
        `gallery benchmark, ${ITEMS.toLocaleString('en')} items (library seeded in ${result.seedSeconds} s), median of ${RUNS} cold runs`,
        `  first paint: cards ${p.cellsMs} ms, all ${p.visible} thumbnails in view decoded ${p.thumbnailsMs} ms`,
        `  scrolling ${SCROLL_PX_PER_FRAME} px/frame, ${SCROLL_SECONDS} s × ${RUNS}: ${sc.frames} frames, median ${sc.medianMs} ms, p95 ${sc.p95Ms} ms, worst ${sc.worstMs} ms, ${sc.over2xMedian} over 2× the median; at most ${sc.maxCellsInDom} cells in the DOM`,
        `  jump to the middle: thumbnails in view after ${result.jumpToMiddleMs} ms`,
        `  for scale: ${p.visible} trivial requests at once take this browser ${result.requestBaselineMs} ms here`,
        `  machine: ${result.machine.cpus} CPUs, load ${result.machine.load.join(' ')}, Chromium ${result.machine.chromium}`,
      ].join('\n'),
    );
  } finally {
    await browser.close();
    await studio.stop();
  }
}, 1_200_000);

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
