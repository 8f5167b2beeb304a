import { CloseCode, ErrorCode, PROTOCOL_VERSION } from '@beckon/core/protocol';
import { METRIC_NAMES } from '../createMetrics.js';
import type { ConnectResult } from '../PresenceRegistry.js';
import { AGENT_AUDIENCE, type TokenClaims, VISITOR_AUDIENCE, verifyToken } from '../tokens.js';
import type { AgentFanOut } from './agentFanOut.js';
import { type Conn, isClosed } from './Conn.js';
import type { ConnectionIO } from './connectionIO.js';
import type { FocusNotices } from './focusNotices.js';
import type { AgentHello, VisitorHello } from './frameGate.js';
import type { HubContext } from './hubContext.js';
import { createRateLimiter } from './rateLimiter.js';
import type { VisitorTimers } from './visitorTimers.js';

/** What a connection joins once admitted. */
export interface HandshakeParts {
  /** Makes the connection reachable through the bus. */
  attach(conn: Conn): void;
  fanOut: AgentFanOut;
  focus: FocusNotices;
  visitors: VisitorTimers;
}

/**
 * Admission after `hello`: the group, the origin and the token decide whether a connection
 * may join; a visitor is then registered (taking focus) and an agent starts hearing its
 * group. Either way the connection gets its `welcome`.
 *
 * @example
 * const handshake = createHandshake(ctx, io, { attach, fanOut, focus, visitors });
 * handshake.begin(conn, hello); // from the frame gate
 */
export function createHandshake(
  ctx: HubContext,
  io: ConnectionIO,
  parts: HandshakeParts,
): { begin(conn: Conn, hello: VisitorHello | AgentHello): void } {
  const { groups, registry, log, now } = ctx;
  const { heartbeatMs } = ctx.settings;
  const { send, refuse, stopHandshakeTimer } = io;
  const { fanOut, focus, visitors } = parts;

  // One token check for both roles: the signature and expiry, then the group it grants.
  // Refuses the connection and returns undefined when the token does not admit it.
  const admit = async (
    conn: Conn,
    role: 'visitor' | 'agent',
    token: string,
    secrets: readonly string[],
    groupId: string,
  ): Promise<TokenClaims | undefined> => {
    const audience = role === 'visitor' ? VISITOR_AUDIENCE : AGENT_AUDIENCE;
    const result = await verifyToken(token, secrets, audience, now());
    if (isClosed(conn)) return undefined;
    if (!result.ok) {
      refuse(conn, ErrorCode.unauthorized, CloseCode.unauthorized, `${role} ${result.message}`);
      return undefined;
    }
    if (result.claims.grp !== groupId) {
      refuse(
        conn,
        ErrorCode.forbidden,
        CloseCode.forbidden,
        `${role} token belongs to another group`,
      );
      return undefined;
    }
    return result.claims;
  };

  const joinVisitor = async (conn: Conn, hello: VisitorHello) => {
    const { groupId, visitorId } = hello;
    const group = groups.get(groupId);
    if (!group?.presence) {
      refuse(
        conn,
        ErrorCode.notConfigured,
        CloseCode.notConfigured,
        `presence is not configured for group "${groupId}"`,
      );
      return;
    }
    if (group.allowedOrigins && !group.allowedOrigins.includes(conn.meta.origin ?? '')) {
      refuse(
        conn,
        ErrorCode.forbidden,
        CloseCode.forbidden,
        `origin ${JSON.stringify(conn.meta.origin ?? null)} is not allowed for this group`.slice(
          0,
          120,
        ),
      );
      return;
    }
    const tokens = group.visitorTokens;
    if (tokens && (tokens.required || hello.token !== undefined)) {
      if (hello.token === undefined) {
        refuse(
          conn,
          ErrorCode.unauthorized,
          CloseCode.unauthorized,
          'a visitor token is required for this group',
        );
        return;
      }
      const claims = await admit(conn, 'visitor', hello.token, tokens.secrets, groupId);
      if (!claims) return;
      if (claims.sub !== visitorId) {
        refuse(
          conn,
          ErrorCode.forbidden,
          CloseCode.forbidden,
          'visitor token belongs to another visitor ID',
        );
        return;
      }
    }
    if (isClosed(conn)) return;
    conn.visitorId = visitorId;
    conn.visible = hello.visible;
    // Reachable before the registry names it, so nothing sent to it once it does is lost;
    // what arrives before the welcome waits in the connection's queue, behind this join.
    parts.attach(conn);
    // From here teardown (queued behind us if the peer already left) must unregister, even
    // if `connect` fails: a shared store may have applied it before the answer was lost.
    conn.registered = true;
    let result: ConnectResult;
    try {
      result = await registry.connect({
        groupId,
        visitorId,
        connectionId: conn.id,
        visible: hello.visible,
        at: now(),
      });
    } catch (error) {
      unavailable(conn, error, 'visitor join');
      return;
    }
    if (isClosed(conn)) return;
    conn.phase = 'open';
    stopHandshakeTimer(conn);
    visitors.joined(groupId, visitorId);
    ctx.metrics.inc(METRIC_NAMES.connectionsTotal, { role: 'visitor' });
    log.debug(
      { connectionId: conn.id, group: groupId, visitorId, epoch: result.focus.epoch },
      'visitor connected',
    );
    const vapidPublicKey = group.push?.vapid.publicKey;
    send(conn, {
      type: 'welcome',
      v: PROTOCOL_VERSION,
      connectionId: conn.id,
      focused: true,
      epoch: result.focus.epoch,
      heartbeatMs,
      // The group's key for Web Push subscriptions, when it can wake its visitors.
      ...(vapidPublicKey !== undefined && { vapidPublicKey }),
    });
    // A new visitor is announced; for one already known (another tab, or back within the
    // grace window) agents still learn how many instances it has now.
    fanOut.emit(groupId, visitorId, {
      type: result.isNew ? 'visitorConnected' : 'connections',
      connections: result.visitor.connections.length,
    });
    focus.apply(groupId, visitorId, result.focus, conn, true);
    if (result.visibilityChanged) {
      visitors.visibility(
        groupId,
        visitorId,
        result.visitor.visibility,
        result.visitor.hiddenSince,
      );
    }
  };

  const joinAgent = async (conn: Conn, hello: AgentHello) => {
    const { groupId } = hello;
    const group = groups.get(groupId);
    if (!group?.presence) {
      refuse(
        conn,
        ErrorCode.notConfigured,
        CloseCode.notConfigured,
        `presence is not configured for group "${groupId}"`,
      );
      return;
    }
    const claims = await admit(conn, 'agent', hello.token, group.agentSecrets, groupId);
    if (!claims) return;
    conn.agentId = claims.sub;
    parts.attach(conn);
    fanOut.addAgent(conn);
    // Welcomed only once its group's events reach this process, so it misses none after.
    try {
      await ctx.bus.ready();
    } catch (error) {
      unavailable(conn, error, 'agent join');
      return;
    }
    if (isClosed(conn)) return;
    conn.phase = 'open';
    stopHandshakeTimer(conn);
    ctx.metrics.inc(METRIC_NAMES.connectionsTotal, { role: 'agent' });
    log.debug({ connectionId: conn.id, group: groupId, agentId: conn.agentId }, 'agent connected');
    send(conn, {
      type: 'welcome',
      v: PROTOCOL_VERSION,
      connectionId: conn.id,
      groupId,
      heartbeatMs,
    });
  };

  // The shared state failed us (or the service did): refuse with a code that says "retry".
  const unavailable = (conn: Conn, error: unknown, where: string) => {
    ctx.internal(error, where, conn);
    refuse(
      conn,
      ErrorCode.internal,
      CloseCode.unavailable,
      'the service cannot register connections right now; try again',
    );
  };

  return {
    begin(conn, hello) {
      conn.phase = 'joining';
      conn.role = hello.role;
      conn.groupId = hello.groupId;
      // From now on the role's own limit, as its group sets it.
      conn.limiter = createRateLimiter(ctx.limitFor(hello.role, hello.groupId), now());
      io.enqueue(
        conn,
        () => (hello.role === 'agent' ? joinAgent(conn, hello) : joinVisitor(conn, hello)),
        'hello',
      );
    },
  };
}
