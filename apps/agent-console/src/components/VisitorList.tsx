import type { VisitorSummary } from '@beckon/core/agent';
import { useAgentState, useVisitors } from '@beckon/ui-react';
import { type ReactNode, useCallback, useDeferredValue, useMemo, useState } from 'react';
import { useConsoleState } from '../consoleContext.js';
import {
  createVisitorSearch,
  VISIBILITY_FILTERS,
  type VisibilityFilter,
} from '../searchVisitors.js';
import { VirtualList } from './VirtualList.js';
import { VISITOR_ROW_HEIGHT, VisitorRow } from './VisitorRow.js';

/** Where people open the demo visitor site (`pnpm start` serves it there). */
export const VISITOR_DEMO_URL = 'http://127.0.0.1:5174/';

export interface VisitorListProps {
  selectedId: string | undefined;
  onSelect(visitorId: string): void;
}

const keyOf = (v: VisitorSummary) => v.visitorId;

/**
 * The live list of present visitors, with search and a visibility filter, and its loading,
 * empty and no-match states. Windowed: only the rows in view are in the page, so a group of
 * tens of thousands scrolls and searches like a small one. The search input answers at once;
 * filtering follows as a deferred render.
 *
 * @example
 * <VisitorList selectedId={selected} onSelect={setSelected} />
 */
export function VisitorList({ selectedId, onSelect }: VisitorListProps) {
  const visitors = useVisitors();
  const status = useAgentState((s) => s.status);
  const syncing = useAgentState((s) => s.syncing);
  const { loaded } = useConsoleState();
  const [query, setQuery] = useState('');
  const [visibility, setVisibility] = useState<VisibilityFilter>('all');
  const deferredQuery = useDeferredValue(query);
  // One per list: typing on searches only what the last keystroke left.
  const [search] = useState(createVisitorSearch);
  const shown = useMemo(
    () => search(visitors, { query: deferredQuery, visibility }),
    [search, visitors, deferredQuery, visibility],
  );
  const filtering = query.trim() !== '' || visibility !== 'all';
  const renderRow = useCallback(
    (visitor: VisitorSummary) => (
      <VisitorRow
        visitor={visitor}
        selected={visitor.visitorId === selectedId}
        onSelect={onSelect}
      />
    ),
    [selectedId, onSelect],
  );

  let body: ReactNode;
  if (!loaded && visitors.length === 0) {
    body = (
      <div className="placeholder" data-testid="list-loading" aria-busy="true">
        <span className="spinner" aria-hidden="true" />
        {status === 'connected' ? 'Loading visitors…' : 'Connecting to the presence service…'}
      </div>
    );
  } else if (visitors.length === 0) {
    body = (
      <div className="placeholder" data-testid="list-empty">
        <p className="placeholder__title">No visitors yet</p>
        <p>
          Open the visitor demo at{' '}
          <a href={VISITOR_DEMO_URL} target="_blank" rel="noreferrer">
            {VISITOR_DEMO_URL}
          </a>{' '}
          and pick a visitor ID: it shows up here as soon as it connects.
        </p>
      </div>
    );
  } else if (shown.length === 0) {
    body = (
      <div className="placeholder" data-testid="list-no-match">
        <p className="placeholder__title">No visitor matches</p>
        <button
          type="button"
          className="button"
          onClick={() => {
            setQuery('');
            setVisibility('all');
          }}
        >
          Clear search and filter
        </button>
      </div>
    );
  } else {
    body = (
      <VirtualList
        items={shown}
        rowHeight={VISITOR_ROW_HEIGHT}
        keyOf={keyOf}
        renderRow={renderRow}
        label="Present visitors"
        className="visitor-list"
      />
    );
  }

  return (
    <section className="panel list-panel" aria-label="Visitors">
      <div className="toolbar">
        <input
          type="search"
          className="search"
          data-testid="visitor-search"
          placeholder="Search ID, page or field…"
          aria-label="Search visitors"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <select
          data-testid="visibility-filter"
          aria-label="Filter by visibility"
          value={visibility}
          onChange={(e) => setVisibility(e.target.value as VisibilityFilter)}
        >
          {VISIBILITY_FILTERS.map((v) => (
            <option key={v} value={v}>
              {v === 'all' ? 'All visibility' : v}
            </option>
          ))}
        </select>
        <span className="count" data-testid="visitor-count">
          {filtering ? `${shown.length} of ${visitors.length}` : visitors.length}{' '}
          {visitors.length === 1 ? 'visitor' : 'visitors'}
          {syncing ? <span className="muted"> · loading…</span> : null}
        </span>
      </div>
      {visitors.length > 0 ? (
        <div className="list-head" aria-hidden="true">
          <span>Visitor</span>
          <span>Page</span>
          <span>Visibility</span>
          <span>Instances</span>
          <span>Last active</span>
        </div>
      ) : null}
      {body}
    </section>
  );
}
