import { describeTimelineEntry } from '../describeTimelineEntry.js';
import { formatClockTime } from '../format.js';
import type { TimelineEntry } from '../timeline.js';

/**
 * A visitor's timeline, newest first. Each entry carries `data-kind` (and, for terms,
 * `data-status`) so tests can find it.
 *
 * @example
 * <Timeline entries={timelines.get(visitorId) ?? []} />
 */
export function Timeline({ entries }: { entries: readonly TimelineEntry[] }) {
  if (entries.length === 0) {
    return (
      <p className="muted timeline-empty" data-testid="timeline-empty">
        Nothing yet: events show here as they happen (since the console opened).
      </p>
    );
  }
  const newestFirst = [...entries].reverse();
  return (
    <ol className="timeline" aria-label="Timeline, newest first">
      {newestFirst.map((entry) => {
        const text = describeTimelineEntry(entry);
        return (
          <li
            key={entry.seq}
            className={`timeline__entry timeline__entry--${text.tone}`}
            data-testid="timeline-entry"
            data-kind={entry.kind}
            {...(entry.kind === 'terms' ? { 'data-status': entry.status } : {})}
          >
            <time className="timeline__time" dateTime={new Date(entry.at).toISOString()}>
              {formatClockTime(entry.at)}
            </time>
            <span className="timeline__marker" aria-hidden="true" />
            <span className="timeline__text">
              <span className="timeline__title">{text.title}</span>
              {text.detail ? <span className="timeline__detail">{text.detail}</span> : null}
            </span>
          </li>
        );
      })}
    </ol>
  );
}
