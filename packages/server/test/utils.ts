import { PROTOCOL_VERSION } from '@beckon/core/protocol';
import { afterEach } from 'vitest';
import WebSocket from 'ws';
import {
  createPresenceServer,
  type GroupsConfig,
  mintAgentToken,
  type PresenceServer,
  type PresenceServerOptions,
} from '../src/index.js';

export const AGENT_SECRET = 'shop-agent-secret-0123456789abcdef';
export const OTHER_AGENT_SECRET = 'other-agent-secret-0123456789abcdef';
export const VISITOR_SECRET = 'shop-visitor-secret-0123456789abcdef';
export const ALLOWED_ORIGIN = 'https://app.example.com';

/** shop: open; secure: visitor tokens + origin allowlist; off: presence disabled. */
export const GROUPS: GroupsConfig = {
  shop: { presence: true, termsUrl: '/terms', agentSecrets: [AGENT_SECRET] },
  secure: {
    presence: true,
    agentSecrets: [OTHER_AGENT_SECRET],
    visitorTokens: { required: true, secrets: [VISITOR_SECRET] },
    allowedOrigins: [ALLOWED_ORIGIN],
  },
  off: { presence: false, agentSecrets: [AGENT_SECRET] },
};

const servers: PresenceServer[] = [];
const clients: TestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Starts a server on a random port with short timers and silent logs; closed after each test. */
export async function startServer(
  overrides: Partial<PresenceServerOptions> = {},
): Promise<PresenceServer> {
  const server = await createPresenceServer({
    groups: GROUPS,
    logLevel: 'silent',
    heartbeatMs: 5_000,
    handshakeTimeoutMs: 2_000,
    ackTimeoutMs: 2_000,
    graceMs: 300,
    shutdownTimeoutMs: 500,
    ...overrides,
  });
  servers.push(server);
  return server;
}

// biome-ignore lint/suspicious/noExplicitAny: test frames are inspected loosely
export type Frame = Record<string, any>;

/** A raw `ws` client that records every frame and lets a test wait for one. */
export class TestClient {
  readonly frames: Frame[] = [];
  private readonly consumed = new Set<number>();
  private readonly waiters = new Set<() => void>();
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (!isBinary) {
        try {
          this.frames.push(JSON.parse(data.toString()) as Frame);
        } catch {
          this.frames.push({ type: '(unparsable)', raw: data.toString() });
        }
      }
      for (const w of [...this.waiters]) w();
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        for (const w of [...this.waiters]) w();
      });
    });
    ws.on('error', () => {});
  }

  static open(url: string, options: WebSocket.ClientOptions = {}): Promise<TestClient> {
    const ws = new WebSocket(url, options);
    const client = new TestClient(ws);
    clients.push(client);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  send(frame: Frame | string): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /**
   * The first frame not taken yet that has `type` (and matches `match`), waiting up to
   * `timeoutMs` for it. Taking frames in order lets tests assert what came first.
   */
  take(type: string, match: (f: Frame) => boolean = () => true, timeoutMs = 3_000): Promise<Frame> {
    return this.takeWhere((f) => f.type === type && match(f), `"${type}" frame`, timeoutMs);
  }

  /** Like {@link take}, for any predicate. */
  takeWhere(match: (f: Frame) => boolean, what: string, timeoutMs = 3_000): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const index = this.frames.findIndex((f, i) => !this.consumed.has(i) && match(f));
        if (index >= 0) {
          this.consumed.add(index);
          cleanup();
          resolve(this.frames[index] as Frame);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `no ${what} within ${timeoutMs} ms; got ${JSON.stringify(this.frames).slice(0, 800)}`,
          ),
        );
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      const waiter = () => {
        check();
      };
      if (!check()) this.waiters.add(waiter);
    });
  }

  /** Types of every frame received so far, in order. */
  types(): string[] {
    return this.frames.map((f) => String(f.type));
  }

  /** Resolves with the close code and reason, or rejects after `timeoutMs`. */
  closeInfo(timeoutMs = 3_000): Promise<{ code: number; reason: string }> {
    return Promise.race([
      this.closed,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`not closed within ${timeoutMs} ms`)), timeoutMs),
      ),
    ]);
  }
}

export interface VisitorOptions {
  groupId?: string;
  visible?: boolean;
  token?: string;
  origin?: string;
}

/** Opens a connection and sends a visitor hello (does not wait for the answer). */
export async function openVisitor(
  server: PresenceServer,
  visitorId: string,
  options: VisitorOptions = {},
): Promise<TestClient> {
  const client = await TestClient.open(
    server.url,
    options.origin ? { origin: options.origin } : {},
  );
  client.send({
    type: 'hello',
    v: PROTOCOL_VERSION,
    role: 'visitor',
    groupId: options.groupId ?? 'shop',
    visitorId,
    visible: options.visible ?? true,
    ...(options.token !== undefined && { token: options.token }),
  });
  return client;
}

/** A visitor that has been welcomed; `welcome` is its welcome frame. */
export async function connectVisitor(
  server: PresenceServer,
  visitorId: string,
  options: VisitorOptions = {},
): Promise<TestClient & { welcome: Frame }> {
  const client = await openVisitor(server, visitorId, options);
  const welcome = await client.take('welcome');
  return Object.assign(client, { welcome });
}

export function agentToken(
  groupId = 'shop',
  options: { secret?: string; expiresIn?: number; agentId?: string } = {},
): Promise<string> {
  return mintAgentToken({
    groupId,
    agentId: options.agentId ?? 'agent-1',
    secret: options.secret ?? AGENT_SECRET,
    expiresIn: options.expiresIn ?? 600,
  });
}

/** An agent that has been welcomed and, unless `watch` is false, watches its whole group. */
export async function connectAgent(
  server: PresenceServer,
  options: { groupId?: string; token?: string; watch?: boolean } = {},
): Promise<TestClient & { request: (frame: Frame) => Promise<Frame> }> {
  const groupId = options.groupId ?? 'shop';
  const client = await TestClient.open(server.url);
  client.send({
    type: 'hello',
    v: PROTOCOL_VERSION,
    role: 'agent',
    groupId,
    token: options.token ?? (await agentToken(groupId)),
  });
  await client.take('welcome');
  let nextId = 1;
  const request = async (frame: Frame) => {
    const id = nextId++;
    client.send({ ...frame, id });
    return client.takeWhere(
      (f) => REPLY_TYPES.has(f.type) && f.id === id,
      `reply to request ${id}`,
    );
  };
  const agent = Object.assign(client, { request });
  if (options.watch !== false) {
    const reply = await request({ type: 'watch' });
    if (reply.type !== 'ok') throw new Error(`watch failed: ${JSON.stringify(reply)}`);
  }
  return agent;
}

const REPLY_TYPES = new Set(['ok', 'visitors', 'visitor', 'delivered', 'failed', 'sessionTicket']);

/** Plain HTTP GET against the server's port. */
export async function httpGet(
  server: PresenceServer,
  path: string,
): Promise<{ status: number; type: string; body: string }> {
  const res = await fetch(`http://127.0.0.1:${server.port}${path}`);
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    body: await res.text(),
  };
}

export const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
