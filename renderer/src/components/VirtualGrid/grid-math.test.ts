import { describe, expect, it } from 'vitest';
import { gridLayout, scrollToReveal, totalHeight, visibleRange } from './grid-math.js';

describe('grid math', () => {
  it('fits as many columns as the minimum cell allows and stretches them', () => {
    expect(gridLayout(1000, 180, 8)).toEqual({ columns: 5, cell: 193, gap: 8, rowPitch: 201 });
    expect(gridLayout(100, 180, 8)).toMatchObject({ columns: 1, cell: 100 });
    expect(gridLayout(0, 180, 8)).toMatchObject({ columns: 1, cell: 1 });
  });

  it('measures the scroll height of 10,000 items without the last gap', () => {
    const layout = gridLayout(1000, 180, 8);
    expect(totalHeight(layout, 10_000)).toBe(2000 * 201 - 8);
    expect(totalHeight(layout, 0)).toBe(0);
  });

  it('finds the cells of the rows in view, with overscan, clamped to the items', () => {
    const layout = gridLayout(1000, 180, 8); // 5 columns, 201 px rows
    expect(visibleRange(layout, 10_000, 0, 600, 1)).toEqual({ first: 0, last: 19 });
    expect(visibleRange(layout, 10_000, 201 * 100 + 50, 600, 1)).toEqual({
      first: 99 * 5,
      last: 105 * 5 - 1,
    });
    expect(visibleRange(layout, 7, 0, 600, 2)).toEqual({ first: 0, last: 6 });
    expect(visibleRange(layout, 0, 0, 600, 2)).toEqual({ first: 0, last: -1 });
  });

  it('scrolls just enough to reveal a cell above or below the view', () => {
    const layout = gridLayout(1000, 180, 8);
    expect(scrollToReveal(layout, 7, 0, 600)).toBeNull();
    expect(scrollToReveal(layout, 2, 500, 600)).toBe(0);
    expect(scrollToReveal(layout, 20, 0, 600)).toBe(4 * 201 + 193 - 600);
  });
});
