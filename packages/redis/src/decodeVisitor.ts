import type { ConnectionRecord, Visibility, VisitorRecord } from '@beckon/server';

/** Both hashes of a visitor, flat (`[field, value, field, value, …]`), as the scripts return them. */
export type StoredVisitor = [string[], string[]];

const VISIBILITIES = new Set<string>(['visible', 'hidden', 'away']);

/**
 * The record a registry script returned, as the `PresenceRegistry` contract describes it:
 * connections oldest first, optional fields left out when not set.
 *
 * @example
 * const record = decodeVisitor('shop', 'alice', await run('get', keys, []));
 */
export function decodeVisitor(
  groupId: string,
  visitorId: string,
  [visitor, connections]: StoredVisitor,
): VisitorRecord {
  const fields = new Map<string, string>();
  for (let i = 0; i + 1 < visitor.length; i += 2) fields.set(visitor[i]!, visitor[i + 1]!);
  const sorted: (ConnectionRecord & { order: number })[] = [];
  for (let i = 0; i + 1 < connections.length; i += 2) {
    const [visible, connectedAt, lastActiveAt, , order] = connections[i + 1]!.split('|');
    sorted.push({
      connectionId: connections[i]!,
      visible: visible === '1',
      connectedAt: Number(connectedAt),
      lastActiveAt: Number(lastActiveAt),
      order: Number(order),
    });
  }
  sorted.sort((a, b) => a.connectedAt - b.connectedAt || a.order - b.order);
  const visibility = fields.get('v') ?? 'visible';
  const record: VisitorRecord = {
    groupId,
    visitorId,
    connections: sorted.map(({ connectionId, visible, connectedAt, lastActiveAt }) => ({
      connectionId,
      visible,
      connectedAt,
      lastActiveAt,
    })),
    epoch: Number(fields.get('e') ?? 0),
    presence: JSON.parse(fields.get('p') ?? '{}') as Record<string, string>,
    visibility: (VISIBILITIES.has(visibility) ? visibility : 'visible') as Visibility,
    lastActiveAt: Number(fields.get('a') ?? 0),
  };
  const focused = fields.get('f');
  if (focused !== undefined) record.focusedConnectionId = focused;
  const hiddenSince = fields.get('h');
  if (hiddenSince !== undefined) record.hiddenSince = Number(hiddenSince);
  const sessionKey = fields.get('s');
  if (sessionKey !== undefined) record.sessionKey = sessionKey;
  const disconnectedAt = fields.get('d');
  if (disconnectedAt !== undefined) record.disconnectedAt = Number(disconnectedAt);
  return record;
}
