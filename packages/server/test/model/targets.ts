import type { Transport, TransportConnection } from '@beckon/core';
import { type Agent, createAgent } from '@beckon/core/agent';
import { PROTOCOL_VERSION } from '@beckon/core/protocol';
import { createLinkedTransport, type LinkedTransport } from '@beckon/transport-mock';
import { webSocketTransport } from '@beckon/transport-ws';
import WebSocket from 'ws';
import {
  createPresenceHub,
  createPresenceServer,
  mintAgentToken,
  type PresenceHub,
  type PresenceRegistry,
  type PresenceServer,
} from '../../src/index.js';
import { type Acks, TIMINGS } from './commands.js';
import type { ManualClock } from './manualClock.js';

export const GROUP = 'shop';
const SECRET = 'model-test-agent-secret-0123456789abcdef';
const GROUPS = { [GROUP]: { presence: true, agentSecrets: [SECRET] } };

/** The service's options for a run: its timers on the run's clock, liveness out of the way. */
function serviceOptions(time: ManualClock) {
  return {
    groups: GROUPS,
    logLevel: 'silent',
    clock: time.clock,
    now: time.now,
    ...TIMINGS,
    // Liveness and the handshake deadline have tests of their own; here they never fire.
    heartbeatMs: 1_000_000_000,
    handshakeTimeoutMs: 1_000_000_000,
    drainSpreadMs: 20,
    logSummaryMs: 0,
  };
}

// Frames cross on the next turn of the event loop, in order, without a 0 ms timer's 1 ms.
const NEXT_TURN = {
  setTimeout: (fn: () => void) => setImmediate(fn),
  clearTimeout: (handle: unknown) => clearImmediate(handle as NodeJS.Immediate),
};

/** A visitor's tab reduced to its frames, answering the service as the test says. */
export interface RawTab {
  readonly connectionId: string;
  /** Whether it believes it holds focus, from welcome, focus and blur (newer epochs win). */
  readonly focused: boolean;
  readonly epoch: number;
  readonly closed: boolean;
  send(frame: Record<string, unknown>): void;
  close(): void;
  drop(): void;
}

/** One way of reaching the service, with a fresh one on restart. */
export interface Target {
  readonly name: string;
  start(time: ManualClock): Promise<void>;
  restart(mode: 'drain' | 'kill'): Promise<void>;
  stop(): Promise<void>;
  registry(): PresenceRegistry;
  /** Opens a tab and resolves once it is welcomed. */
  openTab(visitorId: string, visible: boolean, acks: Acks): Promise<RawTab>;
  /** A connected agent watching the group; `drop` kills its current link. */
  agent(): Promise<{ agent: Agent; drop(): void }>;
}

/** The tab's end of the protocol, over any transport connection. */
function tabOver(
  open: (handlers: { message(text: string): void; opened(): void; closed(): void }) => {
    send(text: string): void;
    close(): void;
    drop(): void;
  },
  visitorId: string,
  visible: boolean,
  acks: Acks,
): Promise<RawTab> {
  return new Promise((resolve, reject) => {
    let connectionId = '';
    let focused = false;
    let epoch = -1;
    let closed = false;
    const link: { send(text: string): void; close(): void; drop(): void } = open({
      opened() {
        link.send(
          JSON.stringify({
            type: 'hello',
            v: PROTOCOL_VERSION,
            role: 'visitor',
            groupId: GROUP,
            visitorId,
            visible,
          }),
        );
      },
      message(text) {
        const f = JSON.parse(text) as Record<string, unknown> & { type: string };
        if (f.type === 'welcome') {
          connectionId = f.connectionId as string;
          focused = f.focused as boolean;
          epoch = f.epoch as number;
          resolve(tab);
        } else if (f.type === 'focus' || f.type === 'blur') {
          if ((f.epoch as number) >= epoch) {
            epoch = f.epoch as number;
            focused = f.type === 'focus';
          }
        } else if (f.type === 'ping') link.send('{"type":"pong"}');
        else if ((f.type === 'showTerms' || f.type === 'signal') && acks !== 'mute') {
          link.send(
            JSON.stringify({ type: 'ack', id: f.id, ...(acks === 'busy' && { status: 'busy' }) }),
          );
        }
      },
      closed() {
        if (!connectionId) reject(new Error(`${visitorId}'s tab closed before its welcome`));
        closed = true;
      },
    });
    const tab: RawTab = {
      get connectionId() {
        return connectionId;
      },
      get focused() {
        return focused;
      },
      get epoch() {
        return epoch;
      },
      get closed() {
        return closed;
      },
      send: (frame) => link.send(JSON.stringify(frame)),
      close: () => link.close(),
      drop: () => link.drop(),
    };
  });
}

async function agentOver(transport: Transport, drop: () => void) {
  const agent = createAgent({
    transport,
    groupId: GROUP,
    token: await mintAgentToken({
      groupId: GROUP,
      agentId: 'model',
      secret: SECRET,
      expiresIn: 600,
    }),
    reconnect: { initialDelayMs: 5, maxDelayMs: 40 },
    // Far beyond any answer the service owes: a request that times out here met silence.
    requestTimeoutMs: 20_000,
    heartbeatMs: 1_000_000,
  });
  agent.connect();
  await new Promise<void>((resolve) => {
    const off = agent.on('connected', () => {
      off();
      resolve();
    });
  });
  await agent.watch();
  return { agent, drop };
}

/** The service in this process, reached over the mock transport's linked mode. */
export function inProcessTarget(): Target {
  let time: ManualClock;
  let hub: PresenceHub | undefined;
  const links: LinkedTransport[] = [];
  const linked = () => {
    const link = createLinkedTransport({
      clock: NEXT_TURN,
      accept: (peer) => {
        if (!hub) throw new Error('the service is down');
        hub.accept(peer);
      },
    });
    links.push(link);
    return link;
  };
  return {
    name: 'in process (linked transport)',
    async start(clock) {
      time = clock;
      hub = createPresenceHub(serviceOptions(time));
    },
    async restart(mode) {
      const old = hub;
      hub = undefined;
      if (mode === 'kill') for (const link of links) link.dropAll('service killed');
      await (mode === 'drain' ? old?.drain() : old?.close());
      hub = createPresenceHub(serviceOptions(time));
    },
    async stop() {
      for (const link of links.splice(0)) link.dropAll('test over');
      await hub?.close();
      hub = undefined;
    },
    registry() {
      if (!hub) throw new Error('the service is down');
      return hub.registry;
    },
    openTab(visitorId, visible, acks) {
      const transport = linked();
      return tabOver(
        (h) => {
          const conn: TransportConnection = transport({
            open: h.opened,
            message: h.message,
            close: h.closed,
          });
          return {
            send: (text) => conn.send(text),
            close: () => conn.close(1000, 'tab closed'),
            drop: () => transport.connections.at(-1)?.drop('tab dropped'),
          };
        },
        visitorId,
        visible,
        acks,
      );
    },
    agent() {
      const transport = linked();
      return agentOver(transport, () => transport.connections.at(-1)?.drop('agent dropped'));
    },
  };
}

/** The service behind a real port, reached over real WebSockets. */
export function socketTarget(): Target {
  let time: ManualClock;
  let server: PresenceServer | undefined;
  let port = 0;
  const sockets = new Set<WebSocket>();
  const launch = async () => {
    server = await createPresenceServer({
      ...serviceOptions(time),
      port,
      shutdownTimeoutMs: 300,
      maxConnectionsPerAddress: 0,
    });
    port = server.port;
  };
  return {
    name: 'over sockets (ws)',
    async start(clock) {
      time = clock;
      await launch();
    },
    async restart(mode) {
      const old = server;
      server = undefined;
      if (mode === 'kill') for (const ws of sockets) ws.terminate();
      await (mode === 'drain' ? old?.drain() : old?.close());
      await launch();
    },
    async stop() {
      for (const ws of sockets) ws.terminate();
      sockets.clear();
      await server?.close();
      server = undefined;
    },
    registry() {
      if (!server) throw new Error('the service is down');
      return server.registry;
    },
    openTab(visitorId, visible, acks) {
      return tabOver(
        (h) => {
          const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
          sockets.add(ws);
          ws.on('open', h.opened);
          ws.on('message', (data) => h.message(data.toString()));
          ws.on('close', () => {
            sockets.delete(ws);
            h.closed();
          });
          ws.on('error', () => {});
          return {
            send: (text) => ws.send(text),
            close: () => ws.close(1000, 'tab closed'),
            drop: () => ws.terminate(),
          };
        },
        visitorId,
        visible,
        acks,
      );
    },
    agent() {
      let current: WebSocket | undefined;
      class Recorded extends WebSocket {
        constructor(url: string | URL, protocols?: string | string[]) {
          super(url, protocols);
          current = this;
          sockets.add(this);
          this.on('close', () => sockets.delete(this));
        }
      }
      return agentOver(
        webSocketTransport({
          url: `ws://127.0.0.1:${port}/`,
          WebSocket: Recorded as unknown as typeof globalThis.WebSocket,
        }),
        () => current?.terminate(),
      );
    },
  };
}
