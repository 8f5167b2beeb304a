import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Peer, PeerMeta } from '@beckon/core';
import { LIMITS, SESSION_LIMITS } from '@beckon/core/protocol';
import { pino } from 'pino';
import { WebSocket, WebSocketServer } from 'ws';
import { clientAddress } from './clientAddress.js';
import type { ClusterStatus } from './cluster/PresenceCluster.js';
import { createMetrics, METRIC_NAMES, type Metrics } from './createMetrics.js';
import {
  createPresenceHub,
  type PresenceHub,
  type PresenceHubOptions,
} from './createPresenceHub.js';
import { createHttpApi } from './http/createHttpApi.js';
import type { PresenceRegistry } from './PresenceRegistry.js';
import { serverSettings } from './serverSettings.js';
import { createSocketGuard } from './socketGuard.js';
import { createWriteBatcher, WsPeer } from './wsPeer.js';

/** Options of {@link createPresenceServer}: the hub's, plus where to listen. */
export interface PresenceServerOptions extends PresenceHubOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to bind. Default `127.0.0.1`; use `0.0.0.0` to accept remote clients. */
  host?: string;
  /** Path of the WebSocket endpoint. Default `/`. */
  path?: string;
  /**
   * Path of the session endpoint (the session channel). Default: `session` next to `path`
   * (`/` → `/session`, `/beckon/presence` → `/beckon/session`), which is where clients look
   * with `new URL('session', presenceUrl)`.
   */
  sessionPath?: string;
  /** How long `drain()`/`close()` wait for clients to finish closing before cutting them. Default 2 000. */
  shutdownTimeoutMs?: number;
  /**
   * Time from TCP accept to the WebSocket upgrade request (or to each plain HTTP request);
   * a socket still silent, or still trickling its request, is destroyed. Default 10 000.
   */
  upgradeTimeoutMs?: number;
  /**
   * Open sockets per client address; one more gets HTTP 429 and is closed. 0: no cap.
   * Behind a reverse proxy, list it in `trustedProxies` so the cap counts its clients, not
   * the proxy. Default 256.
   */
  maxConnectionsPerAddress?: number;
  /**
   * IP addresses of reverse proxies in front of the service (nginx, a load balancer) whose
   * `X-Forwarded-For` header is believed: a connection from one of them is counted against
   * `maxConnectionsPerAddress`, and logged, under the client address the proxies saw (the
   * last address in the header that is not itself a trusted proxy). A connection from any
   * other address is taken at its own address, whatever its headers say. Default: none.
   */
  trustedProxies?: readonly string[];
  /**
   * The HTTP agent API under `/v1/` (docs/http-api.md): on unless `false`. It is authorised
   * with agent tokens like the WebSocket API, so it opens nothing a token does not.
   */
  httpApi?: boolean;
}

/** A running presence service. */
export interface PresenceServer {
  /** `ws://host:port/path`, ready for clients. */
  readonly url: string;
  /** `ws://host:port/sessionPath`: the session endpoint. */
  readonly sessionUrl: string;
  readonly port: number;
  readonly host: string;
  readonly registry: PresenceRegistry;
  readonly metrics: Metrics;
  /** The protocol engine, for in-process peers. */
  readonly hub: PresenceHub;
  /** Attaches an in-process connection (see {@link PresenceHub.accept}). */
  accept(peer: Peer, meta?: PeerMeta): string;
  /**
   * Graceful restart: refuses new connections, closes every client with 4100 and a jittered
   * delay hint, then stops listening. Idempotent.
   */
  drain(): Promise<void>;
  /** Immediate stop: closes clients with 1001 and stops listening. Idempotent. */
  close(): Promise<void>;
}

function refuseUpgrade(socket: Duplex, status: string) {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

function pathOf(req: IncomingMessage): string {
  try {
    return new URL(req.url ?? '/', 'http://localhost').pathname;
  } catch {
    return '';
  }
}

/**
 * Starts the presence service: WebSocket endpoint, the HTTP agent API under `/v1/`,
 * `GET /healthz` and `GET /metrics` on one port. Resolves once it listens.
 *
 * @example
 * const server = await createPresenceServer({
 *   port: 8080,
 *   groups: { shop: { presence: true, termsUrl: '/terms', agentSecrets: [secret] } },
 * });
 * console.log(`visitors and agents connect to ${server.url}`);
 * process.on('SIGTERM', () => server.drain().then(() => process.exit(0)));
 */
export async function createPresenceServer(
  options: PresenceServerOptions,
): Promise<PresenceServer> {
  const {
    host,
    path,
    port,
    sessionPath,
    shutdownTimeoutMs,
    upgradeTimeoutMs,
    maxConnectionsPerAddress,
    trustedProxies,
    httpApi,
  } = serverSettings(options);
  const log = options.logger ?? pino({ level: options.logLevel ?? 'info' });
  const metrics = options.metrics ?? createMetrics();
  const hub = createPresenceHub({ ...options, logger: log, metrics });
  const sockets = new Set<WebSocket>();
  const batch = createWriteBatcher();
  let stopping: Promise<void> | undefined;

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: LIMITS.maxFrameBytes,
    // Compression would let a small frame inflate into a large one; frames are small anyway.
    perMessageDeflate: false,
  });
  // The session channel: its own sockets, so a page snapshot never waits in front of a
  // presence frame. Payloads come compressed by the client (no permessage-deflate either).
  const sessionWss = new WebSocketServer({
    noServer: true,
    maxPayload: SESSION_LIMITS.maxFrameBytes,
    perMessageDeflate: false,
  });
  // Session flow rules keep a viewer's queue near maxBufferedBytes; a client past 4× that
  // has stopped reading altogether.
  const sessionCutOff =
    4 * (options.sessionBuffer?.maxBufferedBytes ?? 2 * 1024 * 1024) + SESSION_LIMITS.maxFrameBytes;

  const guard = createSocketGuard({
    upgradeTimeoutMs,
    maxConnectionsPerAddress,
    trustedProxies,
    metrics,
    log,
  });
  // Every socket the server holds on its presence endpoint, by stage: before the upgrade,
  // then the hub's roles.
  const counts = () => ({ ...hub.connectionCounts(), pending: guard.pending() });
  const storeStatus = (): ClusterStatus => options.cluster?.status() ?? { available: true };

  // Not ready (503) while draining, and while the shared state is unreachable: a load
  // balancer then sends new clients to the other processes.
  const health = (res: ServerResponse) => {
    const byRole = counts();
    const connections = Object.values(byRole).reduce((a, b) => a + b, 0);
    const store = storeStatus();
    const status = stopping ? 'draining' : store.available ? 'ok' : 'unavailable';
    res.writeHead(status === 'ok' ? 200 : 503, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        status,
        connections,
        byRole,
        ...(!store.available && { reason: store.reason }),
      }),
    );
  };

  const metricsPage = (res: ServerResponse) => {
    const byRole = counts();
    for (const [role, n] of Object.entries(byRole)) {
      metrics.set(METRIC_NAMES.connections, { role }, n);
    }
    metrics.set(METRIC_NAMES.storeAvailable, {}, storeStatus().available ? 1 : 0);
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    res.end(metrics.render());
  };

  const api = !httpApi
    ? undefined
    : createHttpApi({ hub, metrics, log, now: options.now ?? Date.now });

  const http = createServer((req, res) => {
    guard.requested(req.socket);
    try {
      if (api?.(req, res)) return;
      const pathname = pathOf(req);
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET', 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'method not allowed' }));
      } else if (pathname === '/healthz') health(res);
      else if (pathname === '/metrics') metricsPage(res);
      else {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'not found' }));
      }
    } catch (error) {
      log.error({ err: error }, 'http handler failed');
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  });

  // Defined once, outside the upgrade handler: a closure made in there would keep the
  // upgrade request (headers and all) alive for as long as the connection lives.
  const onUpgradeSocketError = (error: Error) => log.debug({ err: error }, 'upgrade socket error');
  const onWsError = (error: Error & { code?: string }) => {
    // `ws` closes with 1009 itself; this only counts and logs it.
    if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      metrics.inc(METRIC_NAMES.rejections, { reason: 'tooLarge' });
    } else {
      metrics.inc(METRIC_NAMES.rejections, { reason: 'protocolError' });
    }
    log.debug({ err: error.message, code: error.code }, 'websocket error');
  };
  // Shared by every socket rather than made for each (a closure and the context it keeps
  // cost ~100 bytes per connection): `ws` calls a listener with the socket as `this`.
  function forgetSocket(this: WebSocket) {
    sockets.delete(this);
  }
  const slowClient = (who: string) => (meta: PeerMeta) => {
    metrics.inc(METRIC_NAMES.rejections, { reason: 'slowConsumer' });
    log.debug({ origin: meta.origin }, `${who} stopped reading; connection dropped`);
  };
  const slowConsumer = slowClient('client');
  const slowViewer = slowClient('session client');
  const attachSession = (ws: WebSocket, socket: Duplex, meta: PeerMeta) => {
    sockets.add(ws);
    ws.on('close', forgetSocket);
    ws.on('error', onWsError);
    hub.acceptSession(new WsPeer(ws, socket, batch, slowViewer, meta, sessionCutOff), meta);
  };
  const attach = (ws: WebSocket, socket: Duplex, meta: PeerMeta) => {
    sockets.add(ws);
    ws.on('close', forgetSocket);
    ws.on('error', onWsError);
    hub.accept(new WsPeer(ws, socket, batch, slowConsumer, meta), meta);
  };

  http.on('connection', (socket: Socket) => guard.accepted(socket));
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    guard.upgrading(socket as Socket);
    socket.on('error', onUpgradeSocketError);
    const where = pathOf(req);
    if (where !== path && where !== sessionPath) {
      metrics.inc(METRIC_NAMES.rejections, { reason: 'badPath' });
      refuseUpgrade(socket, '404 Not Found');
      return;
    }
    const client = clientAddress(
      req.socket.remoteAddress,
      req.headers['x-forwarded-for'],
      trustedProxies,
    );
    if (!guard.admit(socket as Socket, client)) return;
    const meta: PeerMeta = {};
    const origin = req.headers.origin;
    if (typeof origin === 'string') meta.origin = origin;
    if (client !== undefined) meta.remoteAddress = client;
    if (where === sessionPath) {
      sessionWss.handleUpgrade(req, socket, head, (ws) => attachSession(ws, socket, meta));
    } else wss.handleUpgrade(req, socket, head, (ws) => attach(ws, socket, meta));
  });

  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(port, host, () => {
        http.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    // The hub's timers would keep the process alive for a server that never listened.
    await hub.close();
    throw error;
  }
  http.on('error', (error) => log.error({ err: error }, 'http server error'));
  const address = http.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const origin = `ws://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
  const url = `${origin}${path}`;
  const sessionUrl = `${origin}${sessionPath}`;
  log.info({ url, sessionUrl }, 'presence service listening');

  const stop = (closeClients: () => Promise<void>) => {
    stopping ??= (async () => {
      await closeClients();
      const open = [...sockets].filter((ws) => ws.readyState !== WebSocket.CLOSED);
      await Promise.race([
        Promise.all(open.map((ws) => new Promise((resolve) => ws.once('close', resolve)))),
        new Promise((resolve) => setTimeout(resolve, shutdownTimeoutMs).unref()),
      ]);
      for (const ws of sockets) ws.terminate();
      wss.close();
      sessionWss.close();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
      log.info('presence service stopped');
    })();
    return stopping;
  };

  return {
    url,
    sessionUrl,
    port: boundPort,
    host,
    registry: hub.registry,
    metrics,
    hub,
    accept: (peer, meta) => hub.accept(peer, meta),
    drain: () => stop(() => hub.drain()),
    close: () => stop(() => hub.close()),
  };
}
