/**
 * The gallery benchmark's measurements, taken inside the page (performance.now and requestAnimationFrame),
 * so the numbers are the browser's own and not the test driver's round trips.
 */
import type { Page } from 'playwright-core';

export interface GalleryMeasurement {
  /** From the click on Gallery to the first frame with cards in it. */
  cellsMs: number;
  /** From the click to the first frame where every cell in view shows its decoded image. */
  thumbnailsMs: number;
  visible: number;
  /** requestAnimationFrame deltas while scrolling steadily. */
  deltas: number[];
  scrolledPx: number;
  maxCellsInDom: number;
  /** From setting scrollTop to the middle to the frame where every cell there shows its image. */
  jumpMs: number;
  /** As many trivial requests to the host as there were thumbnails in view, all at once: for scale. */
  requestBaselineMs: number;
}

type ShownWindow = { __shown: () => number };

export async function measureGallery(
  page: Page,
  scroll: { seconds: number; pxPerFrame: number },
): Promise<GalleryMeasurement> {
  // How many cells are in view, once each holds a decoded image; 0 until then (a cell whose page of items
  // has not arrived yet holds no image).
  await page.evaluate(() => {
    (window as unknown as ShownWindow).__shown = () => {
      const grid = document.querySelector('.virtual-grid');
      if (!grid) return 0;
      const box = grid.getBoundingClientRect();
      const cells = [...grid.querySelectorAll('.virtual-grid__cell')].filter((cell) => {
        const r = cell.getBoundingClientRect();
        return r.bottom > box.top && r.top < box.bottom;
      });
      const decoded = cells.every((cell) => {
        const img = cell.querySelector('img');
        return img !== null && img.complete && img.naturalWidth > 0;
      });
      return cells.length > 0 && decoded ? cells.length : 0;
    };
  });

  const open = await page.evaluate(async () => {
    const shown = (window as unknown as ShownWindow).__shown;
    const nav = [...document.querySelectorAll('nav[aria-label="Screens"] button')].find(
      (b) => b.textContent === 'Gallery',
    ) as HTMLButtonElement;
    const start = performance.now();
    nav.click();
    let cells = NaN;
    for (;;) {
      const t = await new Promise<number>((resolve) => requestAnimationFrame(resolve));
      if (Number.isNaN(cells) && document.querySelector('.gallery-card img')) cells = t - start;
      const visible = shown();
      if (visible > 0) return { cellsMs: cells, thumbnailsMs: t - start, visible };
      if (t - start > 30_000) throw new Error('the grid did not show within 30 s');
    }
  });

  const steady = await page.evaluate(async ({ seconds, pxPerFrame }) => {
    const grid = document.querySelector('.virtual-grid') as HTMLElement;
    const deltas: number[] = [];
    let maxCells = 0;
    let last = await new Promise<number>((resolve) => requestAnimationFrame(resolve));
    const end = last + seconds * 1000;
    while (last < end) {
      grid.scrollTop += pxPerFrame;
      const t = await new Promise<number>((resolve) => requestAnimationFrame(resolve));
      deltas.push(t - last);
      last = t;
      maxCells = Math.max(maxCells, grid.querySelectorAll('.virtual-grid__cell').length);
    }
    return { deltas, scrolledPx: grid.scrollTop, maxCells };
  }, scroll);

  const jumpMs = await page.evaluate(async () => {
    const shown = (window as unknown as ShownWindow).__shown;
    const grid = document.querySelector('.virtual-grid') as HTMLElement;
    const start = performance.now();
    grid.scrollTop = grid.scrollHeight / 2;
    // The first frame still has the old position's cells in the DOM: judge from the next one.
    await new Promise<number>((resolve) => requestAnimationFrame(resolve));
    for (;;) {
      const t = await new Promise<number>((resolve) => requestAnimationFrame(resolve));
      if (shown() > 0) return t - start;
      if (t - start > 30_000) throw new Error('the middle of the grid did not show within 30 s');
    }
  });

  const requestBaselineMs = await page.evaluate(async (n) => {
    const start = performance.now();
    await Promise.all(
      Array.from({ length: n }, (_, i) => fetch(`/api/health?n=${i}`).then((r) => r.arrayBuffer())),
    );
    return performance.now() - start;
  }, open.visible);

  return {
    ...open,
    deltas: steady.deltas,
    scrolledPx: steady.scrolledPx,
    maxCellsInDom: steady.maxCells,
    jumpMs,
    requestBaselineMs,
  };
}
