/**
 * The arithmetic of a windowed grid of square cells: how many columns fit, which rows are in view, and where
 * to scroll to reveal a cell. Pure, so it is tested without a browser.
 */

export interface GridLayout {
  columns: number;
  /** Cell width and height in CSS pixels (cells are square). */
  cell: number;
  gap: number;
  /** Cell plus gap: the distance from one row's top to the next. */
  rowPitch: number;
}

/** As many columns of at least `minCell` as fit, stretched to fill the width. */
export function gridLayout(width: number, minCell: number, gap: number): GridLayout {
  const columns = Math.max(1, Math.floor((width + gap) / (minCell + gap)));
  const cell = Math.max(1, Math.floor((width - gap * (columns - 1)) / columns));
  return { columns, cell, gap, rowPitch: cell + gap };
}

export function totalHeight(layout: GridLayout, count: number): number {
  const rows = Math.ceil(count / layout.columns);
  return rows === 0 ? 0 : rows * layout.rowPitch - layout.gap;
}

/** The cells whose rows intersect the viewport, widened by `overscan` rows each way. */
export function visibleRange(
  layout: GridLayout,
  count: number,
  scrollTop: number,
  viewportHeight: number,
  overscan: number,
): { first: number; last: number } {
  if (count === 0) return { first: 0, last: -1 };
  const rows = Math.ceil(count / layout.columns);
  const firstRow = Math.max(0, Math.floor(scrollTop / layout.rowPitch) - overscan);
  const lastRow = Math.min(rows - 1, Math.floor((scrollTop + viewportHeight) / layout.rowPitch) + overscan);
  return { first: firstRow * layout.columns, last: Math.min(count - 1, (lastRow + 1) * layout.columns - 1) };
}

/** The scrollTop that brings cell `index` fully into view with the least movement; null when it is in view. */
export function scrollToReveal(
  layout: GridLayout,
  index: number,
  scrollTop: number,
  viewportHeight: number,
): number | null {
  const top = Math.floor(index / layout.columns) * layout.rowPitch;
  const bottom = top + layout.cell;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight);
  return null;
}
