/**
 * A windowed grid of square cells: only the rows in view (and a few around them) exist in the DOM, so ten
 * thousand items scroll like ten. Scroll updates are batched to one render per animation frame; cells are
 * placed with transforms inside one sized spacer, so the browser lays out only what is shown.
 */
import { memo, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { gridLayout, scrollToReveal, totalHeight, visibleRange, type GridLayout } from './grid-math.js';

export interface VirtualGridProps {
  count: number;
  minCellWidth: number;
  gap?: number;
  /** Rows kept rendered above and below the view. */
  overscan?: number;
  /**
   * The cell at `index`; `size` is its width and height in CSS pixels; `inView` is false for the overscan
   * rows, whose images can wait behind the ones the user sees.
   */
  renderCell: (index: number, size: number, inView: boolean) => ReactNode;
  /** Told which cells are rendered, whenever that changes (to load their data). */
  onRangeChange?: (first: number, last: number) => void;
  onColumnsChange?: (columns: number) => void;
  /** Scrolled into view whenever it changes. */
  revealIndex?: number | null;
  label: string;
  className?: string;
}

export function VirtualGrid(props: VirtualGridProps) {
  const { count, minCellWidth, gap = 8, overscan = 2, onRangeChange, onColumnsChange, revealIndex } = props;
  const viewport = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState({ width: 0, height: 0 });
  const [scrollTop, setScrollTop] = useState(0);

  useLayoutEffect(() => {
    const element = viewport.current!;
    const measure = () => setSize({ width: element.clientWidth, height: element.clientHeight });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const layout = gridLayout(size.width, minCellWidth, gap);
  const rowPitch = useRef(layout.rowPitch);
  useEffect(() => {
    rowPitch.current = layout.rowPitch;
  }, [layout.rowPitch]);

  useEffect(() => {
    const element = viewport.current!;
    let frame = 0;
    let row = -1;
    const onScroll = () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        // Render only when the top row changes: the overscan rows cover the pixels in between, so a
        // steady scroll costs a render every few frames instead of every frame.
        const top = Math.floor(element.scrollTop / rowPitch.current);
        if (top === row) return;
        row = top;
        setScrollTop(element.scrollTop);
      });
    };
    element.addEventListener('scroll', onScroll, { passive: true });
    return () => {
      element.removeEventListener('scroll', onScroll);
      cancelAnimationFrame(frame);
    };
  }, []);

  const shown = size.height > 0;
  const { first, last } = shown
    ? visibleRange(layout, count, scrollTop, size.height, overscan)
    : { first: 0, last: -1 };
  const inView = shown ? visibleRange(layout, count, scrollTop, size.height, 0) : { first: 0, last: -1 };

  useEffect(() => onColumnsChange?.(layout.columns), [layout.columns, onColumnsChange]);
  useEffect(() => {
    if (last >= first) onRangeChange?.(first, last);
  }, [first, last, onRangeChange]);

  useEffect(() => {
    const element = viewport.current;
    if (revealIndex == null || revealIndex < 0 || !element || size.height === 0) return;
    const target = scrollToReveal(layout, revealIndex, element.scrollTop, size.height);
    if (target !== null) element.scrollTop = target;
    // Only a new index (or a new layout) scrolls; the user's own scrolling is left alone.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [revealIndex, layout.columns, layout.cell, size.height]);

  return (
    <div
      ref={viewport}
      className={`virtual-grid ${props.className ?? ''}`}
      role="list"
      aria-label={props.label}
    >
      <div className="virtual-grid__spacer" style={{ height: totalHeight(layout, count) }}>
        <Rows
          layout={layout}
          first={first}
          last={last}
          inView={inView}
          count={count}
          renderCell={props.renderCell}
        />
      </div>
    </div>
  );
}

const Rows = memo(function Rows(props: {
  layout: GridLayout;
  first: number;
  last: number;
  inView: { first: number; last: number };
  count: number;
  renderCell: VirtualGridProps['renderCell'];
}) {
  const { layout, first, last, inView, count, renderCell } = props;
  const cells: ReactNode[] = [];
  for (let index = first; index <= last; index++) {
    const x = (index % layout.columns) * layout.rowPitch;
    const y = Math.floor(index / layout.columns) * layout.rowPitch;
    cells.push(
      <div
        key={index}
        role="listitem"
        aria-posinset={index + 1}
        aria-setsize={count}
        className="virtual-grid__cell"
        style={{ width: layout.cell, height: layout.cell, transform: `translate(${x}px, ${y}px)` }}
      >
        {renderCell(index, layout.cell, index >= inView.first && index <= inView.last)}
      </div>,
    );
  }
  return <>{cells}</>;
});
