import { randomBytes } from 'node:crypto';

/**
 * A new node ID: 12 random base-36 characters, different for every process start (so a
 * restarted process never inherits the connections of its former self).
 *
 * @example
 * const nodeId = createNodeId(); // 'k3j9x0a2m1q7'
 */
export function createNodeId(): string {
  let id = '';
  for (const byte of randomBytes(12)) id += (byte % 36).toString(36);
  return id;
}

/**
 * The node a connection ID belongs to: connection IDs of the Redis bus are
 * `<nodeId>.<counter>`. Undefined for any other ID.
 *
 * @example
 * nodeOf('k3j9x0a2m1q7.1f'); // 'k3j9x0a2m1q7'
 * nodeOf('c1');              // undefined
 */
export function nodeOf(connectionId: string): string | undefined {
  const dot = connectionId.indexOf('.');
  return dot > 0 ? connectionId.slice(0, dot) : undefined;
}
