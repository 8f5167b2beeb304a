import { SimulatedClock } from 'xstate';
import {
  type Agent,
  type AgentEvent,
  type AgentEventType,
  type AgentOptions,
  createAgent,
} from '../../src/agent/index.js';
import { createScriptedPeer, type ScriptedConnection, type ScriptedPeer } from './scriptedPeer.js';

const EVENT_TYPES: AgentEventType[] = [
  'connected',
  'connectFail',
  'disconnected',
  'error',
  'presence',
  'visibility',
  'visitorConnected',
  'connections',
  'visitorDisconnected',
  'focus',
  'terms',
  'sessionStart',
  'sessionEnd',
  'visitorError',
  'signal',
];

export interface Harness {
  agent: Agent;
  peer: ScriptedPeer;
  clock: SimulatedClock;
  /** Every event the agent fired, in order. */
  events: AgentEvent[];
  /** Events of one type. */
  of<K extends AgentEventType>(type: K): AgentEvent<K>[];
  /** connect(), open, welcome: returns the connected connection. */
  online(): ScriptedConnection;
}

/** An agent over a scripted peer and a simulated clock; backoff draws are fixed at 0.5. */
export function startAgent(options: Partial<AgentOptions> = {}): Harness {
  const clock = new SimulatedClock();
  const peer = createScriptedPeer();
  const agent = createAgent({
    transport: peer.transport,
    groupId: 'acme',
    token: 'agent-jwt',
    clock,
    reconnect: { random: () => 0.5 },
    ...options,
  });
  const events: AgentEvent[] = [];
  for (const type of EVENT_TYPES) agent.on(type, (event) => events.push(event));
  return {
    agent,
    peer,
    clock,
    events,
    of: <K extends AgentEventType>(type: K) =>
      events.filter((e): e is AgentEvent<K> => e.type === type),
    online() {
      agent.connect();
      const conn = peer.current;
      conn.welcome();
      conn.take();
      return conn;
    },
  };
}

/** Settles a promise into a value to assert on, so no rejection goes unhandled. */
export function outcome<T>(promise: Promise<T>): {
  readonly settled: boolean;
  readonly value: T | undefined;
  readonly error: unknown;
} {
  const state = { settled: false, value: undefined as T | undefined, error: undefined as unknown };
  promise.then(
    (value) => {
      state.settled = true;
      state.value = value;
    },
    (error: unknown) => {
      state.settled = true;
      state.error = error;
    },
  );
  return state;
}

/** Lets pending promise callbacks run. */
export const flush = () => new Promise<void>((resolve) => setImmediate(resolve));
