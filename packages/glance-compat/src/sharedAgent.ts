import { type Agent, type AgentEventMap, createAgent } from '@beckon/core/agent';
import { CloseCode } from '@beckon/core/protocol';
import { webSocketTransport } from '@beckon/transport-ws';
import { Authorization } from './Authorization.js';

/** What a facade agent object hears: the live events of its visitor, and connection trouble. */
export interface AgentListener {
  readonly visitorid: string;
  event<K extends keyof AgentEventMap>(type: K, event: AgentEventMap[K]): void;
  connectionError(code: 'authorization' | 'conndrop', msg: string): void;
}

/** One Beckon agent connection shared by every facade object of a service and group. */
export interface SharedAgent {
  readonly agent: Agent;
  add(listener: AgentListener): void;
  remove(listener: AgentListener): void;
  /** Resolves once connected (connecting if needed); rejects when the service refuses the agent. */
  ready(): Promise<void>;
}

const shared = new Map<string, SharedAgent>();
const LIVE = [
  'visitorConnected',
  'visitorDisconnected',
  'presence',
  'visibility',
  'terms',
  'sessionStart',
  'sessionEnd',
  'visitorError',
  'signal',
] as const;

/**
 * The original makes one agent object per visitor; Beckon's agent watches many visitors on
 * one connection. So every facade object of a page that talks to the same service and group
 * shares one `createAgent`, which watches each object's visitor, and live events go to the
 * objects of their visitor. The token comes from `GLANCE.Authorization`.
 *
 * @example
 * const shared = sharedAgent('wss://presence.example.com/', '12345');
 * await shared.ready();
 */
export function sharedAgent(server: string, groupId: string): SharedAgent {
  const key = `${server} ${groupId}`;
  const existing = shared.get(key);
  if (existing) return existing;
  const listeners = new Set<AgentListener>();
  const agent = createAgent({
    transport: webSocketTransport({ url: server }),
    groupId,
    token: () => Authorization.getToken(),
  });
  for (const type of LIVE) {
    agent.on(type, (event) => {
      for (const listener of [...listeners]) {
        if (listener.visitorid === event.visitorId) listener.event(type, event as never);
      }
    });
  }
  agent.on('connectFail', ({ code, reason, willRetry }) => {
    if (willRetry) return;
    const authorization = code === CloseCode.unauthorized || code === CloseCode.forbidden;
    for (const listener of [...listeners]) {
      listener.connectionError(authorization ? 'authorization' : 'conndrop', reason);
    }
  });

  const ready = () =>
    new Promise<void>((resolve, reject) => {
      if (agent.getSnapshot().status === 'connected') {
        resolve();
        return;
      }
      const offs = [
        agent.on('connected', () => {
          for (const off of offs) off();
          resolve();
        }),
        agent.on('connectFail', ({ willRetry, code, reason }) => {
          if (willRetry) return;
          for (const off of offs) off();
          const authorization = code === CloseCode.unauthorized || code === CloseCode.forbidden;
          reject(
            Object.assign(new Error(reason), {
              code: authorization ? 'authorization' : 'conndrop',
            }),
          );
        }),
      ];
      agent.connect();
    });

  const made: SharedAgent = {
    agent,
    add: (listener) => listeners.add(listener),
    remove: (listener) => listeners.delete(listener),
    ready,
  };
  shared.set(key, made);
  return made;
}
