import {
  CloseCode,
  encodeSessionMessage,
  PROTOCOL_VERSION,
  type SessionChunk,
  SessionCloseCode,
} from '@beckon/core/protocol';
import type { BusMessage } from '../bus/BusMessage.js';
import { sessionTopics } from '../bus/SessionBusMessage.js';
import { METRIC_NAMES } from '../createMetrics.js';
import type { HubContext } from '../hub/hubContext.js';
import type { SessionConn } from './SessionConn.js';
import type { SessionIO } from './sessionIO.js';
import type { SessionSettings } from './sessionSettings.js';

/** The host role: a visitor's page streaming its session. */
export interface SessionHosts {
  /** A redeemed host ticket: the connection becomes the session's host. */
  join(conn: SessionConn): void;
  /**
   * A chunk from the host. Returns why it was refused (a broken sequence), or undefined;
   * a host over its byte rate is closed here.
   */
  chunk(conn: SessionConn, chunk: SessionChunk, size: number): string | undefined;
  /** The host's connection closed. */
  leave(conn: SessionConn): void;
  /** Hosts on this process. */
  count(): number;
}

interface Host {
  conn: SessionConn;
  viewers: Map<string, string>;
  unsubscribe: () => void;
}

/**
 * The hosts on this process. A host publishes each chunk once on its session's view topic,
 * encoded once for every viewer wherever they are; it hears viewers (joins, leaves, resync
 * requests, messages, an agent's end) on the host topic, and keeps the viewer count. A new
 * host of the same visitor replaces the old one on any process (`hostUp`), and viewers
 * announce themselves again to whichever host connects, so the count survives page loads.
 *
 * @example
 * const hosts = createSessionHosts(ctx, io, settings);
 * hosts.join(conn); // after its host ticket was redeemed
 */
export function createSessionHosts(
  ctx: HubContext,
  io: SessionIO,
  settings: SessionSettings,
): SessionHosts {
  const { bus, log, metrics, now } = ctx;
  const hosts = new Map<string, Host>();
  const keyOf = (conn: SessionConn) => `${conn.claims?.groupId}/${conn.claims?.visitorId}`;

  const gauge = () => metrics.set(METRIC_NAMES.sessionsActive, {}, hosts.size);

  const publishViewers = (host: Host) => {
    const claims = host.conn.claims!;
    io.send(host.conn, { type: 'viewers', viewers: host.viewers.size });
    bus.publish(sessionTopics(claims.groupId, claims.visitorId).view, {
      type: 'sessionViewers',
      sessionKey: claims.sessionKey,
      viewers: host.viewers.size,
    });
  };

  const resync = (host: Host, reason: 'joined' | 'behind' | 'asked', text: string) => {
    metrics.inc(METRIC_NAMES.sessionResyncs, { reason });
    io.send(host.conn, { type: 'resync', reason: text });
  };

  const onHostTopic = (host: Host, message: BusMessage) => {
    const { conn } = host;
    const claims = conn.claims!;
    if (conn.phase === 'closed' || !('sessionKey' in message)) return;
    if (message.sessionKey !== claims.sessionKey) return;
    switch (message.type) {
      case 'viewerJoined':
        host.viewers.set(message.viewerId, message.agentId);
        publishViewers(host);
        // The new viewer (or every viewer, after this host connected) needs the whole page;
        // and it learns that the host is here.
        bus.publish(sessionTopics(claims.groupId, claims.visitorId).view, {
          type: 'sessionHost',
          sessionKey: claims.sessionKey,
          connected: true,
        });
        resync(host, 'joined', 'a viewer joined');
        return;
      case 'viewerLeft':
        if (host.viewers.delete(message.viewerId)) publishViewers(host);
        return;
      case 'viewerResync':
        resync(
          host,
          message.reason === 'behind' ? 'behind' : 'asked',
          `a viewer is ${message.reason === 'behind' ? 'behind' : 'out of step'}`,
        );
        return;
      case 'viewerMessage':
        io.send(conn, {
          type: 'message',
          from: message.viewerId,
          agentId: message.agentId,
          data: message.data,
        });
        return;
      case 'viewerEnd':
        log.info(
          {
            audit: 'session',
            group: claims.groupId,
            visitorId: claims.visitorId,
            sessionKey: claims.sessionKey,
            agentId: message.agentId,
            reason: message.reason,
          },
          'session end asked by agent',
        );
        io.send(conn, {
          type: 'end',
          agentId: message.agentId,
          ...(message.reason !== undefined && { reason: message.reason }),
        });
        return;
      case 'hostUp':
        if (message.hostId !== conn.id) {
          io.close(
            conn,
            SessionCloseCode.replaced,
            'another page of the visitor took over the session',
          );
        }
        return;
      case 'sessionEnded':
        io.close(conn, SessionCloseCode.sessionEnded, 'session ended');
        return;
      default:
        return;
    }
  };

  return {
    join(conn) {
      const claims = conn.claims!;
      const key = keyOf(conn);
      const topics = sessionTopics(claims.groupId, claims.visitorId);
      const previous = hosts.get(key);
      if (previous) {
        io.close(
          previous.conn,
          SessionCloseCode.replaced,
          'another page of the visitor took over the session',
        );
      }
      conn.tokens = settings.rate.burstBytes;
      conn.tokensAt = now();
      const host: Host = { conn, viewers: new Map(), unsubscribe: () => {} };
      hosts.set(key, host);
      host.unsubscribe = bus.subscribe(topics.host, (message) => {
        try {
          onHostTopic(host, message);
        } catch (error) {
          ctx.internal(error, `session host ${message.type}`);
        }
      });
      gauge();
      io.send(conn, {
        type: 'welcome',
        v: PROTOCOL_VERSION,
        role: 'host',
        sessionKey: claims.sessionKey,
        viewers: 0,
      });
      log.info(
        {
          audit: 'session',
          group: claims.groupId,
          visitorId: claims.visitorId,
          sessionKey: claims.sessionKey,
          connectionId: conn.id,
        },
        'session host connected',
      );
      // Other hosts of the visitor give way; viewers anywhere announce themselves again.
      bus.publish(topics.host, { type: 'hostUp', sessionKey: claims.sessionKey, hostId: conn.id });
      bus.publish(topics.view, {
        type: 'sessionHost',
        sessionKey: claims.sessionKey,
        connected: true,
        reannounce: true,
      });
    },

    chunk(conn, chunk, size) {
      const claims = conn.claims!;
      // The byte bucket: a host that sends faster than the rate allows is cut off with the
      // wait as reason, and starts over (with a fresh snapshot) after it.
      const t = now();
      const { bytesPerSecond, burstBytes } = settings.rate;
      conn.tokens = Math.min(
        burstBytes,
        conn.tokens + ((t - conn.tokensAt) * bytesPerSecond) / 1000,
      );
      conn.tokensAt = t;
      if (conn.tokens < size) {
        const wait = Math.ceil(((size - conn.tokens) * 1000) / bytesPerSecond);
        metrics.inc(METRIC_NAMES.rejections, { reason: 'sessionRateLimited' });
        io.close(conn, CloseCode.rateLimited, String(wait));
        return undefined;
      }
      conn.tokens -= size;
      // Parts in order, messages one after another: what viewers reassemble.
      const p = conn.partial;
      if (chunk.part === 0) {
        if (p) return `message ${p.seq} is incomplete: part ${p.next} of ${p.parts} was expected`;
        if (chunk.seq !== conn.lastSeq + 1)
          return `seq must be ${conn.lastSeq + 1}, got ${chunk.seq}`;
        if (chunk.parts > 1)
          conn.partial = { seq: chunk.seq, parts: chunk.parts, kind: chunk.kind, next: 1 };
        else conn.lastSeq = chunk.seq;
      } else {
        if (
          !p ||
          chunk.seq !== p.seq ||
          chunk.parts !== p.parts ||
          chunk.kind !== p.kind ||
          chunk.part !== p.next
        ) {
          return p
            ? `expected part ${p.next} of message ${p.seq}`
            : 'a message must start with part 0';
        }
        p.next += 1;
        if (p.next === p.parts) {
          conn.partial = undefined;
          conn.lastSeq = p.seq;
        }
      }
      conn.bytesIn += size;
      metrics.inc(METRIC_NAMES.sessionBytesIn, {}, size);
      settings.tap?.({
        groupId: claims.groupId,
        visitorId: claims.visitorId,
        sessionKey: claims.sessionKey,
        kind: chunk.kind,
        seq: chunk.seq,
        part: chunk.part,
        parts: chunk.parts,
        data: chunk.data,
      });
      bus.publish(sessionTopics(claims.groupId, claims.visitorId).view, {
        type: 'sessionChunk',
        sessionKey: claims.sessionKey,
        kind: chunk.kind,
        part: chunk.part,
        parts: chunk.parts,
        frame: encodeSessionMessage(chunk),
      });
      return undefined;
    },

    leave(conn) {
      const claims = conn.claims!;
      const key = keyOf(conn);
      const host = hosts.get(key);
      if (host?.conn !== conn) return;
      hosts.delete(key);
      host.unsubscribe();
      gauge();
      log.info(
        {
          audit: 'session',
          group: claims.groupId,
          visitorId: claims.visitorId,
          sessionKey: claims.sessionKey,
          connectionId: conn.id,
          bytesIn: conn.bytesIn,
          durationMs: now() - conn.openedAt,
        },
        'session host disconnected',
      );
      if (ctx.stopping) return;
      bus.publish(sessionTopics(claims.groupId, claims.visitorId).view, {
        type: 'sessionHost',
        sessionKey: claims.sessionKey,
        connected: false,
      });
    },

    count: () => hosts.size,
  };
}
