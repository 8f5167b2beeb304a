import type { VisitorSummary } from '@beckon/core/agent';
import { memo } from 'react';
import { shortId } from '../format.js';
import { customFields } from '../searchVisitors.js';
import { RelativeTime } from './RelativeTime.js';

/** A row's height in pixels; the stylesheet's `--row-height` says the same. */
export const VISITOR_ROW_HEIGHT = 64;
/** Custom fields shown as chips, and the characters of each shown (the title has all). */
const MAX_CHIPS = 3;
const MAX_CHIP_TEXT = 80;

export interface VisitorRowProps {
  visitor: VisitorSummary;
  selected: boolean;
  onSelect(visitorId: string): void;
}

/**
 * One present visitor in the list: ID and custom fields, page, visibility, instances and
 * which has focus, last activity, in a row of fixed height (long values are cut, not
 * wrapped) so the list can be windowed. Memoised: the agent keeps an unchanged visitor's
 * summary object, so only rows that changed re-render.
 *
 * @example
 * <VisitorRow visitor={summary} selected={false} onSelect={setSelected} />
 */
export const VisitorRow = memo(function VisitorRow({
  visitor,
  selected,
  onSelect,
}: VisitorRowProps) {
  const custom = customFields(visitor.presence).slice(0, MAX_CHIPS);
  return (
    <button
      type="button"
      className={`visitor-row${selected ? ' visitor-row--selected' : ''}`}
      data-testid="visitor-row"
      data-visitor-id={visitor.visitorId}
      aria-pressed={selected}
      onClick={() => onSelect(visitor.visitorId)}
    >
      <span className="visitor-row__who">
        <span className="visitor-row__id">{visitor.visitorId}</span>
        {custom.length > 0 ? (
          <span className="chips">
            {custom.map(([key, value]) => (
              <span className="chip" key={key} title={`${key}=${value}`}>
                <span className="chip__key">{key.slice(2)}</span> {value.slice(0, MAX_CHIP_TEXT)}
              </span>
            ))}
          </span>
        ) : null}
      </span>
      <span className="visitor-row__url" data-testid="visitor-url" title={visitor.presence.url}>
        {visitor.presence.url?.slice(0, 300) ?? '—'}
      </span>
      <span className="visitor-row__visibility">
        <span className={`badge badge--${visitor.visibility}`} data-testid="visitor-visibility">
          {visitor.visibility}
        </span>
        {visitor.sessionKey !== undefined ? (
          <span className="badge badge--session" title={`session ${visitor.sessionKey}`}>
            in session
          </span>
        ) : null}
      </span>
      <span className="visitor-row__instances">
        <span className="instances" title="connected instances">
          <span data-testid="visitor-instances">{visitor.connections}</span>
          <span className="muted"> {visitor.connections === 1 ? 'instance' : 'instances'}</span>
        </span>
        {visitor.focusedConnectionId ? (
          <span
            className="focus-id"
            data-testid="visitor-focus"
            title={`focused instance ${visitor.focusedConnectionId}`}
          >
            focus {shortId(visitor.focusedConnectionId)}
          </span>
        ) : null}
      </span>
      <span className="visitor-row__active">
        <RelativeTime at={visitor.lastActiveAt} />
      </span>
    </button>
  );
});
