import type { AgentFanOut } from './agentFanOut.js';
import type { Conn } from './Conn.js';
import type { FocusNotices } from './focusNotices.js';
import type { HubContext } from './hubContext.js';
import type { RequestDelivery } from './requestDelivery.js';
import type { SignalRelay } from './signalRelay.js';
import type { VisitorTimers } from './visitorTimers.js';

/** What a closed connection has to be taken out of. */
export interface TeardownParts {
  /** Forgets the connection locally and on the bus. */
  forget(conn: Conn): void;
  fanOut: AgentFanOut;
  focus: FocusNotices;
  visitors: VisitorTimers;
  relay: SignalRelay;
  delivery: RequestDelivery;
}

/**
 * The end of a connection, run once from its queue after it closed. An agent stops hearing
 * events and its requests are dropped. A visitor connection leaves the registry; focus
 * passes on, the grace window starts if it was the last one, and the requests it never
 * acknowledged go back to their agents' processes to be sent again.
 *
 * @example
 * const teardown = createTeardown(ctx, { forget, fanOut, focus, visitors, relay, delivery });
 * io.enqueue(conn, () => teardown(conn), 'teardown');
 */
export function createTeardown(
  ctx: HubContext,
  parts: TeardownParts,
): (conn: Conn) => Promise<void> {
  const { registry, log, now } = ctx;
  const { fanOut, focus, visitors, relay, delivery } = parts;

  return async (conn) => {
    parts.forget(conn);
    if (conn.role === 'agent') {
      fanOut.removeAgent(conn);
      relay.dropAgent(conn);
      log.debug({ connectionId: conn.id, group: conn.groupId }, 'agent disconnected');
      return;
    }
    if (!conn.registered) return;
    const { groupId, visitorId } = conn;
    const orphans = delivery.orphans(conn);
    const result = await registry.disconnect({
      groupId,
      visitorId,
      connectionId: conn.id,
      at: now(),
    });
    log.debug({ connectionId: conn.id, group: groupId, visitorId }, 'visitor connection closed');
    if (ctx.stopping) return;
    if (result.visitor) {
      fanOut.emit(groupId, visitorId, {
        type: 'connections',
        connections: result.visitor.connections.length,
      });
    }
    if (result.focus) focus.apply(groupId, visitorId, result.focus);
    if (result.visitor && result.visitor.connections.length === 0)
      visitors.left(groupId, visitorId);
    if (result.visibilityChanged && result.visitor) {
      visitors.visibility(
        groupId,
        visitorId,
        result.visitor.visibility,
        result.visitor.hiddenSince,
      );
    }
    // Requests the closed connection never acknowledged go to whoever has focus now.
    delivery.reportUndelivered(conn.id, orphans);
  };
}
