import { isIP } from 'node:net';
import { normaliseAddress } from './serverSettings.js';

/**
 * The address of the client behind a connection. A connection from a trusted proxy stands
 * for the client its `X-Forwarded-For` names: read from the right, each proxy appends the
 * address it saw, so the first address that is not a trusted proxy is the client; anything
 * further left was written by the client itself and proves nothing. A connection from any
 * other address is that address, whatever its headers say. Without a usable header the
 * proxy's own address is all there is.
 *
 * @example
 * clientAddress('10.0.0.2', '203.0.113.7, 10.0.0.2', new Set(['10.0.0.2'])); // '203.0.113.7'
 */
export function clientAddress(
  remoteAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trustedProxies: ReadonlySet<string>,
): string | undefined {
  if (remoteAddress === undefined) return undefined;
  const remote = normaliseAddress(remoteAddress);
  if (!trustedProxies.has(remote) || forwardedFor === undefined) return remote;
  // Several headers are one list, in order (RFC 9110 §5.3).
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
  let client = remote;
  for (let i = hops.length - 1; i >= 0; i -= 1) {
    const hop = hops[i]?.trim() ?? '';
    // A malformed entry was not written by a proxy we trust: stop at the last good one.
    if (isIP(hop) === 0) break;
    client = normaliseAddress(hop);
    if (!trustedProxies.has(client)) break;
  }
  return client;
}
