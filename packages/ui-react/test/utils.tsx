import { createConsentPrompt, createVisitor, type TransportHandlers } from '@beckon/core';
import { type Agent, createAgent, type VisitorSummary } from '@beckon/core/agent';
import { encodeMessage, type ToAgent } from '@beckon/core/protocol';
import { Fragment, StrictMode } from 'react';
import { SimulatedClock } from 'xstate';
import { createMockService } from '../../transport-mock/src/index.js';

/** Every test runs in both: StrictMode double-mounts and double-renders. */
export const modes = [
  ['StrictMode', StrictMode],
  ['non-strict', Fragment],
] as const;

export type Wrapper = (typeof modes)[number][1];

/**
 * Counts the listeners a store currently has, by wrapping its `subscribe` (and `on`, when
 * it has one) before any component sees it: listeners added and not yet removed.
 */
export function countListeners(store: object): { readonly live: number } {
  let live = 0;
  const methods = store as Record<string, unknown>;
  for (const name of ['subscribe', 'on']) {
    const original = methods[name];
    if (typeof original !== 'function') continue;
    methods[name] = (...args: unknown[]) => {
      const off = original.apply(store, args) as () => void;
      live += 1;
      let done = false;
      return () => {
        if (!done) {
          done = true;
          live -= 1;
        }
        off();
      };
    };
  }
  return {
    get live() {
      return live;
    },
  };
}

/** A real visitor over the mock service on simulated time, with a consent prompt as its UI. */
export function visitorSetup({ withPrompt = true }: { withPrompt?: boolean } = {}) {
  const clock = new SimulatedClock();
  const service = createMockService({ clock });
  const consent = createConsentPrompt();
  const visitor = createVisitor({
    transport: service.transport,
    clock,
    reconnect: { random: () => 0.5 },
    ...(withPrompt ? { ui: consent.ui } : {}),
  });
  const listeners = countListeners(visitor);
  const promptListeners = countListeners(consent);
  const settle = () => {
    clock.increment(0);
    service.flush();
    clock.increment(0);
  };
  const connect = () => {
    visitor.init({ groupId: 'acme', visitorId: 'alice' });
    visitor.connect();
    settle();
  };
  /** What the visitor sent after its hello, without acks. */
  const sent = () => (service.current?.sent ?? []).filter((m) => m.type !== 'hello');
  const showTerms = (id: number, fields: { sessionKey?: string; termsUrl?: string } = {}) =>
    service.current?.push({ type: 'showTerms', id, ...fields });
  return {
    clock,
    service,
    consent,
    visitor,
    listeners,
    promptListeners,
    settle,
    connect,
    sent,
    showTerms,
  };
}

export const termsSignal = (status: 'displayed' | 'accepted' | 'declined') => ({
  type: 'signal',
  name: 'terms',
  properties: { status },
});

export const summary = (
  visitorId: string,
  fields: Partial<VisitorSummary> = {},
): VisitorSummary => ({
  visitorId,
  present: true,
  visibility: 'visible',
  presence: { url: '/' },
  connections: 1,
  epoch: 1,
  lastActiveAt: 1_000,
  ...fields,
});

/**
 * A real agent over a tiny scripted transport: the test plays the service, pushing frames
 * and reading what the agent sent.
 */
export function agentSetup() {
  const clock = new SimulatedClock();
  let handlers: TransportHandlers | undefined;
  let readyState: 'connecting' | 'open' | 'closed' = 'closed';
  const sent: { type: string; id?: number }[] = [];
  const agent: Agent = createAgent({
    transport: (h) => {
      handlers = h;
      readyState = 'connecting';
      return {
        get readyState() {
          return readyState;
        },
        send(data) {
          if (readyState !== 'open') return false;
          sent.push(JSON.parse(data));
          return true;
        },
        close(code = 1000, reason = '') {
          if (readyState === 'closed') return;
          readyState = 'closed';
          h.close({ code, reason });
        },
      };
    },
    groupId: 'acme',
    token: 'agent-jwt',
    clock,
  });
  const listeners = countListeners(agent);
  const push = (message: ToAgent) => {
    if (!handlers) throw new Error('the agent has not connected');
    handlers.message(encodeMessage(message));
  };
  const last = (type: string) => {
    const found = sent.filter((m) => m.type === type).at(-1);
    if (found?.id === undefined) throw new Error(`the agent sent no "${type}" request`);
    return found.id;
  };
  /** connect(), open, welcome. */
  const online = () => {
    agent.connect();
    if (!handlers) throw new Error('the agent opened no connection');
    readyState = 'open';
    handlers.open();
    push({ type: 'welcome', v: 1, connectionId: 'agent-1', groupId: 'acme', heartbeatMs: 30_000 });
  };
  /** watch() the group and answer its seed listing with `visitors`; resolves with the watch. */
  const watchGroup = async (visitors: VisitorSummary[]) => {
    const watching = agent.watch();
    push({ type: 'ok', id: last('watch') });
    push({ type: 'visitors', id: last('list'), visitors });
    await watching;
  };
  return { agent, clock, listeners, push, sent, online, watchGroup };
}
