import type { ConnectionKey, DisconnectResult } from '../PresenceRegistry.js';
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

/** The end of connections: this hub's own, and those of processes that died. */
export interface Teardown {
  /** Takes a connection of this hub that closed out of everything; run once, from its queue. */
  close(conn: Conn): Promise<void>;
  /** A visitor connection left the registry (`result` is what `disconnect` said): tells everyone concerned. */
  removed(key: ConnectionKey, result: DisconnectResult): void;
  /** Tries again to remove connections whose removal failed (the shared state was unreachable). */
  retryRemovals(): Promise<void>;
}

/**
 * The end of a connection. An agent stops hearing events and its requests are dropped. A
 * visitor connection leaves the registry; focus passes on, the grace window starts if it
 * was the last one, and the requests it never acknowledged go back to their agents'
 * processes to be sent again — also while the hub drains, since in a cluster the visitor's
 * other connections and the agents live on. A removal the registry could not make is kept
 * and made again once the shared state is back (`retryRemovals`).
 *
 * @example
 * const teardown = createTeardown(ctx, { forget, fanOut, focus, visitors, relay, delivery });
 * io.enqueue(conn, () => teardown.close(conn), 'teardown');
 */
export function createTeardown(ctx: HubContext, parts: TeardownParts): Teardown {
  const { registry, log, now } = ctx;
  const { fanOut, focus, visitors, relay, delivery } = parts;
  let failed: ConnectionKey[] = [];

  const removed = (key: ConnectionKey, result: DisconnectResult) => {
    const { groupId, visitorId } = key;
    const visitor = result.visitor;
    if (!visitor) return;
    fanOut.emit(groupId, visitorId, {
      type: 'connections',
      connections: visitor.connections.length,
    });
    if (result.focus) focus.apply(groupId, visitorId, result.focus);
    if (visitor.connections.length === 0 && visitor.disconnectedAt !== undefined) {
      visitors.left(groupId, visitorId, visitor.disconnectedAt);
    }
    if (result.visibilityChanged) {
      visitors.visibility(groupId, visitorId, visitor.visibility, visitor.hiddenSince);
    }
  };

  const remove = async (key: ConnectionKey): Promise<boolean> => {
    let result: DisconnectResult;
    try {
      result = await registry.disconnect({ ...key, at: now() });
    } catch (error) {
      ctx.internal(error, 'visitor teardown');
      failed.push(key);
      return false;
    }
    removed(key, result);
    return true;
  };

  return {
    async close(conn) {
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
      await remove({ groupId, visitorId, connectionId: conn.id });
      log.debug({ connectionId: conn.id, group: groupId, visitorId }, 'visitor connection closed');
      // Requests the closed connection never acknowledged go to whoever has focus now.
      delivery.reportUndelivered(conn.id, orphans);
    },

    removed,

    async retryRemovals() {
      const keys = failed;
      failed = [];
      for (const key of keys) await remove(key);
    },
  };
}
