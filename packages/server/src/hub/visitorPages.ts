import { encodeMessage, LIMITS, type VisitorSummary } from '@beckon/core/protocol';
import { METRIC_NAMES } from '../createMetrics.js';
import type { VisitorRecord } from '../PresenceRegistry.js';
import type { Conn } from './Conn.js';
import type { ConnectionIO } from './connectionIO.js';
import type { HubContext } from './hubContext.js';

/**
 * Bytes of a reply that cost an agent one token of its rate limit. A full page of visitors
 * (64 KiB) costs 4 frames' worth, so listing a large group is paced like sending that many
 * frames, and the service's output stays proportional to what the agent may send.
 */
export const REPLY_BYTES_PER_TOKEN = 16 * 1024;

/** Room kept in a page's frame for everything but the summaries: type, id, brackets, next. */
const ENVELOPE_BYTES = 256;
/** The page size asked of the registry before anything is known about this agent's group. */
const FIRST_HINT = 128;

/**
 * Summarises a stored visitor for agents.
 *
 * @example
 * send(conn, { type: 'visitor', id: 3, visitor: toSummary(record) });
 */
export function toSummary(v: VisitorRecord): VisitorSummary {
  return {
    visitorId: v.visitorId,
    // Present while connected or within the reconnect grace; away means gone quiet.
    present: v.visibility !== 'away',
    visibility: v.visibility,
    presence: { ...v.presence },
    connections: v.connections.length,
    epoch: v.epoch,
    lastActiveAt: v.lastActiveAt,
    ...(v.focusedConnectionId !== undefined && { focusedConnectionId: v.focusedConnectionId }),
    ...(v.sessionKey !== undefined && { sessionKey: v.sessionKey }),
  };
}

/** A `visitors` frame, encoded, and what it holds. */
export interface EncodedPage {
  text: string;
  /** Its size on the wire (UTF-8). */
  bytes: number;
  /** Visitors it holds (the first ones of the records it was built from). */
  count: number;
  /** The cursor it carries, when the listing goes on. */
  next: string | undefined;
}

/**
 * Encodes the `visitors` reply for as many of `records` as fit one frame, in order. Each
 * summary is encoded once and measured, so the page stops before the frame would pass
 * `LIMITS.maxFrameBytes` instead of being built and refused. The property limits keep one
 * summary well under the limit (60 KB of data even if every character needs a six-byte
 * escape), so a page holds at least one visitor. `next` is the last visitor sent when some
 * records did not fit, else the registry's own cursor (`registryNext`, absent at the end).
 *
 * @example
 * const page = encodePage(7, result.visitors, result.next);
 * io.sendText(conn, page.text);
 */
export function encodePage(
  id: number,
  records: readonly VisitorRecord[],
  registryNext: string | undefined,
): EncodedPage {
  const parts: string[] = [];
  let bytes = ENVELOPE_BYTES;
  for (const record of records) {
    const part = JSON.stringify(toSummary(record));
    const size = Buffer.byteLength(part) + 1;
    if (parts.length > 0 && bytes + size > LIMITS.maxFrameBytes) break;
    parts.push(part);
    bytes += size;
  }
  const next =
    parts.length < records.length
      ? (records[parts.length - 1] as VisitorRecord).visitorId
      : registryNext;
  // Built from the encoded parts rather than re-encoded as a whole: JSON.stringify of the
  // message would give the same text (the test checks it parses as a `visitors` message).
  const text = `{"type":"visitors","id":${id},"visitors":[${parts.join(',')}]${
    next === undefined ? '' : `,"next":${JSON.stringify(next)}`
  }}`;
  return { text, bytes: Buffer.byteLength(text), count: parts.length, next };
}

/** The replies that carry visitor summaries, bounded in size and charged to the agent. */
export interface VisitorPages {
  /** Answers `list`: one page of the group, after `after`, of at most `limit` visitors. */
  list(conn: Conn, id: number, after: string | undefined, limit: number | undefined): Promise<void>;
  /** Answers `lookup`: one visitor, or `null`. */
  lookup(conn: Conn, id: number, visitorId: string): Promise<void>;
}

/**
 * The agent's reads of the registry. Each reply is produced with the agent's live events
 * held back (`io.holdEvents`): an event about a change the read missed goes out after the
 * reply, never before it, so an agent that applies both in order never ends on stale data.
 * A reply costs the agent one token of its rate limit per started 16 KiB
 * ({@link REPLY_BYTES_PER_TOKEN}); the frame itself paid the first.
 *
 * @example
 * const pages = createVisitorPages(ctx, io);
 * await pages.list(conn, m.id, m.after, m.limit);
 */
export function createVisitorPages(ctx: HubContext, io: ConnectionIO): VisitorPages {
  const { registry, metrics, now } = ctx;

  const charge = (conn: Conn, bytes: number) => {
    const extra = Math.ceil(bytes / REPLY_BYTES_PER_TOKEN) - 1;
    if (extra > 0) conn.limiter.charge(extra, now());
  };

  return {
    list: (conn, id, after, limit) =>
      io.holdEvents(conn, async () => {
        // Asking the registry for far more records than fit a frame wastes copies: the hint
        // follows what the last page of this agent could hold.
        const want = Math.min(limit ?? LIMITS.maxListPage, conn.pageHint || FIRST_HINT);
        const result = await registry.list(
          conn.groupId,
          after === undefined ? { limit: want } : { after, limit: want },
        );
        const page = encodePage(id, result.visitors, result.next);
        if (page.count < result.visitors.length) conn.pageHint = Math.max(8, page.count * 2);
        else if (result.visitors.length === want) {
          conn.pageHint = Math.min(LIMITS.maxListPage, want * 2);
        }
        if (page.bytes > LIMITS.maxFrameBytes) {
          // Cannot happen within the protocol's limits; counted if a registry ever breaks them.
          metrics.inc(METRIC_NAMES.internalErrors);
          ctx.log.error({ connectionId: conn.id, bytes: page.bytes }, 'visitors page too large');
        }
        io.sendText(conn, page.text);
        charge(conn, page.bytes);
      }),

    lookup: (conn, id, visitorId) =>
      io.holdEvents(conn, async () => {
        const record = await registry.get({ groupId: conn.groupId, visitorId });
        const text = encodeMessage({
          type: 'visitor',
          id,
          visitor: record ? toSummary(record) : null,
        });
        io.sendText(conn, text);
        charge(conn, Buffer.byteLength(text));
      }),
  };
}
