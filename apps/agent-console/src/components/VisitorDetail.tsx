import { useVisitorPresence } from '@beckon/ui-react';
import { useConsoleState } from '../consoleContext.js';
import { shortId } from '../format.js';
import { LiveView } from './LiveView.js';
import { OneClickConnect } from './OneClickConnect.js';
import { RelativeTime } from './RelativeTime.js';
import { Timeline } from './Timeline.js';

const NO_ENTRIES: readonly never[] = [];

/**
 * One visitor in detail: what it is doing, the One-Click Connect button and its timeline.
 * Stays open when the visitor leaves (its timeline is still worth reading).
 *
 * @example
 * <VisitorDetail visitorId="alice-42" onClose={() => setSelected(undefined)} />
 */
export function VisitorDetail({ visitorId, onClose }: { visitorId: string; onClose(): void }) {
  const visitor = useVisitorPresence(visitorId);
  const entries = useConsoleState().timelines.get(visitorId) ?? NO_ENTRIES;
  const fields = visitor ? Object.entries(visitor.presence) : [];
  return (
    <section className="panel detail" data-testid="visitor-detail" data-visitor-id={visitorId}>
      <header className="detail__head">
        <div>
          <h2 className="detail__title">{visitorId}</h2>
          <div className="detail__badges">
            {visitor ? (
              <>
                <span className="badge badge--present">present</span>
                <span className={`badge badge--${visitor.visibility}`}>{visitor.visibility}</span>
                {visitor.sessionKey !== undefined ? (
                  <span className="badge badge--session">in session · {visitor.sessionKey}</span>
                ) : null}
              </>
            ) : (
              <span className="badge badge--gone" data-testid="visitor-gone">
                not present
              </span>
            )}
          </div>
        </div>
        <button type="button" className="icon-button" aria-label="Close details" onClick={onClose}>
          ×
        </button>
      </header>

      {visitor ? (
        <dl className="facts">
          <div>
            <dt>Page</dt>
            <dd className="break">{visitor.presence.url ?? '—'}</dd>
          </div>
          <div>
            <dt>Instances</dt>
            <dd>
              {visitor.connections}
              {visitor.focusedConnectionId ? (
                <span className="muted">
                  {' '}
                  · focus{' '}
                  <code title={visitor.focusedConnectionId}>
                    {shortId(visitor.focusedConnectionId)}
                  </code>
                </span>
              ) : null}
            </dd>
          </div>
          <div>
            <dt>Last active</dt>
            <dd>
              <RelativeTime at={visitor.lastActiveAt} />
            </dd>
          </div>
        </dl>
      ) : (
        <p className="muted">
          This visitor left or is away. The timeline below is what the console saw.
        </p>
      )}

      <OneClickConnect visitorId={visitorId} />

      {visitor?.sessionKey !== undefined ? (
        <LiveView key={visitor.sessionKey} visitorId={visitorId} sessionKey={visitor.sessionKey} />
      ) : null}

      {fields.length > 0 ? (
        <details className="fields">
          <summary>Presence data ({fields.length})</summary>
          <table>
            <tbody>
              {fields.map(([key, value]) => (
                <tr key={key}>
                  <th scope="row">{key}</th>
                  <td className="break">{value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ) : null}

      <h3 className="detail__section">
        Timeline <span className="muted">({entries.length})</span>
      </h3>
      <Timeline entries={entries} />
    </section>
  );
}
