import { type ReactNode, useLayoutEffect, useRef, useState } from 'react';

export interface VirtualListProps<T> {
  items: readonly T[];
  /** Every row's height in pixels (the stylesheet must give rows exactly this height). */
  rowHeight: number;
  keyOf(item: T): string;
  renderRow(item: T): ReactNode;
  /** Rows rendered beyond each edge of the viewport, so a fast scroll shows no gap. */
  overscan?: number;
  /** Accessible name of the list. */
  label: string;
  className?: string;
}

/** The viewport height assumed until (or where) it cannot be measured, e.g. in tests. */
const FALLBACK_HEIGHT = 800;

/**
 * A windowed list: a scrolling box as tall as every row together, holding only the rows in
 * view (plus `overscan` on each side). Twenty thousand visitors cost the page about thirty
 * rows, so rendering, updates and a search stay as fast as for thirty. Rows are list items
 * that carry their position (`aria-posinset` of `aria-setsize`) for assistive technology.
 *
 * @example
 * <VirtualList
 *   items={visitors}
 *   rowHeight={64}
 *   keyOf={(v) => v.visitorId}
 *   renderRow={(v) => <VisitorRow visitor={v} selected={false} onSelect={select} />}
 *   label="Present visitors"
 * />
 */
export function VirtualList<T>({
  items,
  rowHeight,
  keyOf,
  renderRow,
  overscan = 6,
  label,
  className,
}: VirtualListProps<T>) {
  const box = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: FALLBACK_HEIGHT });

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => {
      const top = el.scrollTop;
      const height = el.clientHeight || FALLBACK_HEIGHT;
      setView((v) => (v.top === top && v.height === height ? v : { top, height }));
    };
    measure();
    el.addEventListener('scroll', measure, { passive: true });
    const resize = typeof ResizeObserver === 'function' ? new ResizeObserver(measure) : undefined;
    resize?.observe(el);
    return () => {
      el.removeEventListener('scroll', measure);
      resize?.disconnect();
    };
  }, []);

  const first = Math.max(0, Math.floor(view.top / rowHeight) - overscan);
  const last = Math.min(items.length, Math.ceil((view.top + view.height) / rowHeight) + overscan);
  const rows: ReactNode[] = [];
  for (let i = first; i < last; i++) {
    const item = items[i] as T;
    rows.push(
      <li
        key={keyOf(item)}
        className="virtual-list__row"
        style={{ top: i * rowHeight, height: rowHeight }}
        aria-setsize={items.length}
        aria-posinset={i + 1}
      >
        {renderRow(item)}
      </li>,
    );
  }

  return (
    <div ref={box} className={`virtual-list${className ? ` ${className}` : ''}`}>
      <ul
        className="virtual-list__rows"
        aria-label={label}
        style={{ height: items.length * rowHeight }}
      >
        {rows}
      </ul>
    </div>
  );
}
