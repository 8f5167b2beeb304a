import type { Transport } from '@beckon/core';
import { PROTOCOL_VERSION } from '@beckon/core/protocol';
import { createPresenceHub, mintAgentToken, type PresenceHub } from '@beckon/server';
import {
  createLinkedTransport,
  type LinkedTransport,
} from '../../../../packages/transport-mock/src/index.js';

export const GROUP_ID = 'demo';
const SECRET = 'agent-console-tests-secret-0123456789abcdef';

type Frame = { type: string; [key: string]: unknown };

/** A visitor app reduced to its frames: the test decides what it sends and whether it acks. */
export interface RawVisitor {
  readonly visitorId: string;
  readonly connectionId: string;
  /** Frames from the service, oldest first. */
  readonly received: Frame[];
  send(frame: Frame): void;
  /** The tab closes. */
  close(): void;
}

export interface RawVisitorOptions {
  /** Acknowledge `showTerms` (default true); `'busy'` acknowledges as busy. */
  ack?: boolean | 'busy';
  visible?: boolean;
}

/** The real presence service's engine in-process, reached over linked in-memory transports. */
export interface TestBackend {
  readonly hub: PresenceHub;
  /** For the agent: frames cross asynchronously, as on a network. */
  readonly transport: LinkedTransport;
  readonly token: string;
  /** Connects a visitor and resolves once the service welcomed it. */
  visitor(visitorId: string, options?: RawVisitorOptions): Promise<RawVisitor>;
  close(): Promise<void>;
}

/** Resolves once `check()` is true, polling on real timers; rejects after `ms`. */
export async function until(check: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Starts `createPresenceHub` (group `demo`) with short grace and ack timeouts so leaving
 * and timing out happen within a test, and mints an agent token for it.
 */
export async function startBackend(
  options: { graceMs?: number; ackTimeoutMs?: number } = {},
): Promise<TestBackend> {
  const hub = createPresenceHub({
    groups: { [GROUP_ID]: { presence: true, termsUrl: '/terms', agentSecrets: [SECRET] } },
    logLevel: 'silent',
    graceMs: options.graceMs ?? 30,
    // Long enough for a loaded machine to deliver; short enough to time out within a test.
    ackTimeoutMs: options.ackTimeoutMs ?? 1_000,
  });
  const transport = createLinkedTransport({ accept: (peer) => hub.accept(peer) });
  const token = await mintAgentToken({
    groupId: GROUP_ID,
    agentId: 'agent-1',
    secret: SECRET,
    expiresIn: '1h',
  });
  const visitorTransport: Transport = createLinkedTransport({ accept: (peer) => hub.accept(peer) });

  const visitor = async (visitorId: string, opts: RawVisitorOptions = {}): Promise<RawVisitor> => {
    const received: Frame[] = [];
    const ack = opts.ack ?? true;
    const connection = visitorTransport({
      open() {
        connection.send(
          JSON.stringify({
            type: 'hello',
            v: PROTOCOL_VERSION,
            role: 'visitor',
            groupId: GROUP_ID,
            visitorId,
            visible: opts.visible ?? true,
          }),
        );
      },
      message(data) {
        const frame = JSON.parse(data) as Frame;
        received.push(frame);
        if (frame.type === 'ping') connection.send(JSON.stringify({ type: 'pong' }));
        if (frame.type === 'showTerms' && ack !== false) {
          connection.send(
            JSON.stringify({
              type: 'ack',
              id: frame.id,
              ...(ack === 'busy' ? { status: 'busy' } : {}),
            }),
          );
        }
      },
      close() {},
    });
    await until(() => received.some((f) => f.type === 'welcome'), `${visitorId}'s welcome`);
    const welcome = received.find((f) => f.type === 'welcome') as unknown as {
      connectionId: string;
    };
    return {
      visitorId,
      connectionId: welcome.connectionId,
      received,
      send: (frame) => {
        connection.send(JSON.stringify(frame));
      },
      close: () => connection.close(1000, 'bye'),
    };
  };

  return {
    hub,
    transport,
    token,
    visitor,
    close: () => hub.close(),
  };
}
