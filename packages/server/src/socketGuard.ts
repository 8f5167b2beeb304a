import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { METRIC_NAMES, type Metrics } from './createMetrics.js';
import { normaliseAddress } from './serverSettings.js';

/** Options of {@link createSocketGuard}. */
export interface SocketGuardOptions {
  /** Time from TCP accept to the WebSocket upgrade (or to each HTTP request). */
  upgradeTimeoutMs: number;
  /** Open sockets one client address may hold; 0 for no cap. */
  maxConnectionsPerAddress: number;
  /**
   * Normalised addresses of reverse proxies: their sockets are counted at the upgrade,
   * under the client address they forward ({@link SocketGuard.admit}), not at accept.
   */
  trustedProxies?: ReadonlySet<string>;
  metrics: Metrics;
  log: Logger;
}

/** What the HTTP layer tells the guard about each socket. */
export interface SocketGuard {
  /** A TCP connection was accepted. Refuses it (HTTP 429, then closed) over the address's cap. */
  accepted(socket: Socket): void;
  /** The socket is being upgraded to a WebSocket: the hub's deadlines take over. */
  upgrading(socket: Socket): void;
  /**
   * A socket from a trusted proxy upgrades for `client`: counts it against the client's
   * cap. Over the cap it answers HTTP 429, closes the socket and returns false. Sockets
   * from anyone else were counted at accept: always true.
   */
  admit(socket: Socket, client: string | undefined): boolean;
  /** The socket made an HTTP request: it gets a fresh window for the next one. */
  requested(socket: Socket): void;
  /** Sockets accepted that have not asked for anything yet (no upgrade, no request). */
  pending(): number;
}

const TOO_MANY_BODY = '{"error":"too many connections from this address"}';
const TOO_MANY = `HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nRetry-After: 5\r\nContent-Type: application/json\r\nContent-Length: ${TOO_MANY_BODY.length}\r\n\r\n${TOO_MANY_BODY}`;

/**
 * The stage before the upgrade, which Node's HTTP server leaves to its own long timeouts:
 * every accepted socket must upgrade (or make a request) within `upgradeTimeoutMs` or it is
 * destroyed, whether it stays silent or trickles bytes; and one address may hold at most
 * `maxConnectionsPerAddress` sockets at once (a refused one gets HTTP 429 and is closed), so
 * a few hundred idle sockets from one client cannot take the descriptors real visitors need.
 *
 * @example
 * const guard = createSocketGuard({ upgradeTimeoutMs: 10_000, maxConnectionsPerAddress: 256, metrics, log });
 * http.on('connection', (socket) => guard.accepted(socket));
 * http.on('upgrade', (req, socket) => {
 *   guard.upgrading(socket as Socket);
 *   if (!guard.admit(socket as Socket, clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], proxies))) return;
 * });
 */
export function createSocketGuard(options: SocketGuardOptions): SocketGuard {
  const { upgradeTimeoutMs, maxConnectionsPerAddress, metrics, log } = options;
  const trustedProxies = options.trustedProxies ?? new Set<string>();
  const perAddress = new Map<string, number>();
  // Sockets from trusted proxies: counted per client when they upgrade, not at accept.
  const proxied = new WeakSet<Socket>();
  const deadlines = new Map<Socket, NodeJS.Timeout>();
  // Sockets that made an HTTP request: still under a deadline, but not pending.
  const served = new WeakSet<Socket>();
  let pending = 0;

  const arm = (socket: Socket) => {
    const previous = deadlines.get(socket);
    if (previous) clearTimeout(previous);
    deadlines.set(
      socket,
      setTimeout(() => {
        // An idle keep-alive socket after a request is just closed; a silent one is refused.
        if (!served.has(socket)) metrics.inc(METRIC_NAMES.rejections, { reason: 'upgradeTimeout' });
        disarm(socket);
        log.debug({ remoteAddress: socket.remoteAddress }, 'no request in time; socket destroyed');
        socket.destroy();
      }, upgradeTimeoutMs),
    );
  };
  const disarm = (socket: Socket) => {
    const timer = deadlines.get(socket);
    if (!timer) return;
    clearTimeout(timer);
    deadlines.delete(socket);
    if (!served.has(socket)) pending -= 1;
  };

  /** Holds one of the address's places while the socket is open; false (and 429) if none is left. */
  const count = (socket: Socket, address: string): boolean => {
    const open = perAddress.get(address) ?? 0;
    if (open >= maxConnectionsPerAddress) {
      metrics.inc(METRIC_NAMES.rejections, { reason: 'tooManyConnections' });
      log.debug({ remoteAddress: address, open }, 'too many connections from one address');
      socket.on('error', () => {});
      socket.end(TOO_MANY, () => socket.destroy());
      // A peer that does not read the answer does not get to keep the socket either.
      setTimeout(() => socket.destroy(), 1_000).unref();
      return false;
    }
    perAddress.set(address, open + 1);
    socket.once('close', () => {
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left > 0) perAddress.set(address, left);
      else perAddress.delete(address);
    });
    return true;
  };

  return {
    accepted(socket) {
      const address = socket.remoteAddress;
      if (address !== undefined && maxConnectionsPerAddress > 0) {
        if (trustedProxies.has(normaliseAddress(address))) proxied.add(socket);
        else if (!count(socket, address)) return;
      }
      socket.once('close', () => disarm(socket));
      pending += 1;
      arm(socket);
    },
    admit(socket, client) {
      if (!proxied.has(socket) || client === undefined) return true;
      proxied.delete(socket);
      return count(socket, client);
    },
    upgrading: disarm,
    requested(socket) {
      if (!deadlines.has(socket)) return;
      if (!served.has(socket)) {
        served.add(socket);
        pending -= 1;
      }
      arm(socket);
    },
    pending: () => pending,
  };
}
