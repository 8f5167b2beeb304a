import type { AgentFanOut } from './agentFanOut.js';
import type { Conn } from './Conn.js';
import type { ConnectionIO } from './connectionIO.js';
import type { FocusNotices } from './focusNotices.js';
import type { HubContext } from './hubContext.js';
import type { Teardown } from './teardown.js';
import type { VisitorTimers } from './visitorTimers.js';

/** What re-registering connections reaches. */
export interface ResyncParts {
  teardown: Teardown;
  fanOut: AgentFanOut;
  focus: FocusNotices;
  visitors: VisitorTimers;
}

/** Connections re-registered at once; the rest wait, so a large process does not flood the store. */
const BATCH = 256;

/**
 * Makes the shared state agree with this hub again after it lost track of it (the store
 * restarted empty, or the other processes took this one for dead and cleaned up after it):
 * removals that failed meanwhile are made, and every open visitor connection the registry
 * does not know is registered again, with its visibility, latest presence and session, as
 * if it had just said `hello`. Each runs in its connection's queue, so it never overtakes
 * a frame of that connection.
 *
 * @example
 * const resync = createResync(ctx, io, conns, { teardown, fanOut, focus, visitors });
 * await resync(); // after the store came back
 */
export function createResync(
  ctx: HubContext,
  io: ConnectionIO,
  conns: ReadonlyMap<string, Conn>,
  parts: ResyncParts,
): () => Promise<void> {
  const { registry, log, now } = ctx;
  const { teardown, fanOut, focus, visitors } = parts;

  const reregister = async (conn: Conn) => {
    if (conn.phase !== 'open') return;
    const { groupId, visitorId } = conn;
    const known = await registry.get({ groupId, visitorId });
    if (known?.connections.some((c) => c.connectionId === conn.id)) return;
    const result = await registry.connect({
      groupId,
      visitorId,
      connectionId: conn.id,
      visible: conn.visible,
      at: now(),
    });
    visitors.joined(groupId, visitorId);
    fanOut.emit(groupId, visitorId, {
      type: result.isNew ? 'visitorConnected' : 'connections',
      connections: result.visitor.connections.length,
    });
    focus.apply(groupId, visitorId, result.focus, conn);
    if (result.visibilityChanged) {
      visitors.visibility(
        groupId,
        visitorId,
        result.visitor.visibility,
        result.visitor.hiddenSince,
      );
    }
    if (conn.presence && Object.keys(result.visitor.presence).length === 0) {
      await registry.setPresence({ groupId, visitorId, data: conn.presence, at: now() });
      fanOut.emit(groupId, visitorId, { type: 'presence', data: conn.presence });
    }
    if (conn.sessionKey !== undefined && result.visitor.sessionKey === undefined) {
      await registry.setSessionKey({ groupId, visitorId, sessionKey: conn.sessionKey });
    }
  };

  const inQueue = (conn: Conn) =>
    new Promise<void>((resolve) => {
      io.enqueue(
        conn,
        async () => {
          try {
            await reregister(conn);
          } finally {
            resolve();
          }
        },
        'resync',
      );
    });

  return async () => {
    await teardown.retryRemovals();
    const visitorConns = [...conns.values()].filter(
      (c) => c.role === 'visitor' && c.phase === 'open',
    );
    log.info({ connections: visitorConns.length }, 'registering live connections again');
    for (let i = 0; i < visitorConns.length; i += BATCH) {
      await Promise.all(visitorConns.slice(i, i + BATCH).map(inQueue));
    }
  };
}
