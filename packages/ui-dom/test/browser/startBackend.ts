import { type Agent, type AgentEvent, createAgent } from '@beckon/core/agent';
import type { VisitorSummary } from '@beckon/core/protocol';
import {
  createPresenceServer,
  type GroupConfig,
  mintAgentToken,
  type PresenceServer,
  type PresenceServerOptions,
} from '@beckon/server';
import { webSocketTransport } from '@beckon/transport-ws';
import { WebSocket } from 'ws';

export const GROUP_ID = 'demo';
const AGENT_SECRET = 'browser-tests-agent-secret-0123456789abcdef';

/** Agent events the tests look at, in arrival order. */
export type LiveEvent = AgentEvent<
  'terms' | 'sessionStart' | 'visibility' | 'focus' | 'presence' | 'visitorConnected' | 'push'
>;

/** The real presence service plus a connected agent watching the whole group. */
export interface Backend {
  readonly server: PresenceServer;
  readonly agent: Agent;
  /** Every live event the agent received, oldest first. */
  readonly events: LiveEvent[];
  /** The events for one visitor, oldest first. */
  eventsOf(visitorId: string): LiveEvent[];
  lookup(visitorId: string): Promise<VisitorSummary | null>;
  close(): Promise<void>;
}

/**
 * Starts `@beckon/server` on 127.0.0.1 (group `demo`, terms at `/terms`) and connects an
 * agent over `@beckon/transport-ws` with `ws` (Node 20 has no global WebSocket), watching
 * the group.
 *
 * @example
 * const backend = await startBackend();
 * await backend.agent.showTerms('alice-42');
 * await backend.close();
 */
export async function startBackend(
  options: { push?: GroupConfig['push'] } & Partial<PresenceServerOptions> = {},
): Promise<Backend> {
  const { push, ...overrides } = options;
  const server = await createPresenceServer({
    port: 0,
    host: '127.0.0.1',
    logLevel: 'silent',
    groups: {
      [GROUP_ID]: {
        presence: true,
        termsUrl: '/terms',
        agentSecrets: [AGENT_SECRET],
        ...(push && { push }),
      },
    },
    ...overrides,
  });
  const token = await mintAgentToken({
    groupId: GROUP_ID,
    agentId: 'agent-1',
    secret: AGENT_SECRET,
    expiresIn: '1h',
  });
  const agent = createAgent({
    transport: webSocketTransport({ url: server.url, WebSocket }),
    groupId: GROUP_ID,
    token,
  });
  const events: LiveEvent[] = [];
  for (const type of [
    'terms',
    'sessionStart',
    'visibility',
    'focus',
    'presence',
    'visitorConnected',
    'push',
  ] as const) {
    agent.on(type, (event) => events.push(event as LiveEvent));
  }
  const connected = new Promise<void>((resolve, reject) => {
    agent.on('connected', () => resolve());
    agent.on('connectFail', ({ reason, willRetry }) => {
      if (!willRetry) reject(new Error(`the test agent was refused: ${reason}`));
    });
  });
  agent.connect();
  await connected;
  await agent.watch();
  return {
    server,
    agent,
    events,
    eventsOf: (visitorId) => events.filter((e) => e.visitorId === visitorId),
    lookup: (visitorId) => agent.lookupVisitor(visitorId),
    async close() {
      agent.disconnect();
      agent.actor.stop();
      await server.close();
    },
  };
}
