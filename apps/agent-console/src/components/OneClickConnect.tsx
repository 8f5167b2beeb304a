import { useAgentState } from '@beckon/ui-react';
import { useConsoleState, useConsoleStore } from '../consoleContext.js';
import type { DeliveryState } from '../deliveryState.js';
import { shortId } from '../format.js';
import type { TimelineEntry } from '../timeline.js';
import { RelativeTime } from './RelativeTime.js';

const NO_ENTRIES: readonly TimelineEntry[] = [];

// What the visitor did since the request went out: the newest terms or session entry.
function answerSince(entries: readonly TimelineEntry[], afterSeq: number): string {
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i];
    if (!entry || entry.seq <= afterSeq) break;
    if (entry.kind === 'sessionStart') return 'The visitor accepted; the session started.';
    if (entry.kind === 'terms') {
      if (entry.status === 'accepted') return 'The visitor accepted.';
      if (entry.status === 'declined') return 'The visitor declined.';
      return 'The dialog is showing; waiting for the visitor’s answer.';
    }
  }
  return 'Waiting for the visitor’s answer.';
}

// Whether a push went out for the request in flight (the visitor was asleep).
function pushedSince(entries: readonly TimelineEntry[], afterSeq: number): boolean {
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i];
    if (!entry || entry.seq <= afterSeq) return false;
    if (entry.kind === 'push' && entry.status === 'sent') return true;
  }
  return false;
}

function DeliveryText({
  delivery,
  entries,
}: {
  delivery: DeliveryState;
  entries: readonly TimelineEntry[];
}) {
  switch (delivery.state) {
    case 'sending':
      return pushedSince(entries, delivery.afterSeq ?? Number.POSITIVE_INFINITY) ? (
        <>The visitor’s page is asleep: a notification was sent; waiting for them to come back…</>
      ) : (
        <>Sending the request…</>
      );
    case 'delivered':
      return (
        <>
          {delivery.woken ? 'Woken by a notification; delivered' : 'Delivered'} to instance{' '}
          <code title={delivery.connectionId}>{shortId(delivery.connectionId)}</code> (epoch{' '}
          {delivery.epoch}), <RelativeTime at={delivery.at} />.{' '}
          {answerSince(entries, delivery.afterSeq ?? Number.POSITIVE_INFINITY)}
        </>
      );
    case 'visitorNotPresent':
      return <>The visitor is not present any more.</>;
    case 'visitorAsleep':
      return <>A notification was sent, but the visitor did not come back in time.</>;
    case 'timeout':
      return <>Timed out: the visitor’s app did not acknowledge the request.</>;
    case 'busy':
      return <>The visitor is already in a screen-share session.</>;
    case 'error':
      return (
        <>
          Could not send ({delivery.code}): {delivery.message}
        </>
      );
  }
}

/**
 * The One-Click Connect button for one visitor and the status of its last request:
 * sending, delivered (to which instance, at which focus epoch), not present, timed out,
 * busy, or another error.
 *
 * @example
 * <OneClickConnect visitorId="alice-42" />
 */
export function OneClickConnect({ visitorId }: { visitorId: string }) {
  const store = useConsoleStore();
  const status = useAgentState((s) => s.status);
  const { deliveries, timelines } = useConsoleState();
  const delivery = deliveries.get(visitorId);
  const sending = delivery?.state === 'sending';
  const offline = status !== 'connected';
  return (
    <div className="one-click">
      <button
        type="button"
        className="button button--primary button--large"
        data-testid="one-click-connect"
        disabled={sending || offline}
        title={offline ? 'Not connected to the presence service' : undefined}
        onClick={() => void store.oneClickConnect(visitorId)}
      >
        {sending ? 'Sending…' : 'One-Click Connect'}
      </button>
      {delivery ? (
        <p
          className={`delivery delivery--${delivery.state}`}
          data-testid="delivery-status"
          data-state={delivery.state}
          role="status"
        >
          <DeliveryText delivery={delivery} entries={timelines.get(visitorId) ?? NO_ENTRIES} />
        </p>
      ) : (
        <p className="muted delivery-hint">
          Shows the consent dialog in the visitor’s focused tab; on accept, a session starts with
          the visitor ID as its key.
        </p>
      )}
    </div>
  );
}
