import type { InspectionEvent, Observer } from 'xstate';
import type { ReconnectPolicy } from './backoff.js';
import type { Clock } from './clock.js';
import type { ConnectionOptions, TokenSource } from './createConnectionActor.js';
import type { Transport } from './transport.js';

/** Longest delay a JavaScript timer can hold; a larger one fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Default deadline for the token, the transport and the service's welcome. */
const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
/** Default heartbeat interval until the service names its own. */
const DEFAULT_HEARTBEAT_MS = 25_000;

/** The options `createVisitor` and `createAgent` share: how they reach and watch the service. */
export interface ClientOptions {
  /** How to reach the presence service, e.g. `webSocketTransport({ url })`. */
  transport: Transport;
  /** A token, or a function returning a fresh one for every connection attempt. */
  token?: TokenSource;
  /** Backoff for automatic reconnects. */
  reconnect?: Partial<ReconnectPolicy>;
  /** Timer source for backoff, heartbeats and timeouts; XState's `SimulatedClock` in tests. */
  clock?: Clock;
  /** Receives XState inspection events, e.g. `createBrowserInspector().inspect`. */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** Deadline for the token, the transport and the service's welcome. Default 10 s. */
  handshakeTimeoutMs?: number;
  /** Heartbeat interval until the service's welcome names its own. Default 25 s. */
  heartbeatMs?: number;
}

/**
 * The options of a client's connection, from the client's options: the defaults filled in.
 *
 * @example
 * const socket = createVisitorConnection(connectionOptions(options, options.clock ?? systemClock));
 */
export function connectionOptions(options: ClientOptions, clock: Clock): ConnectionOptions {
  return {
    transport: options.transport,
    clock,
    token: options.token,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
    heartbeatMs: options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
  };
}

const CLIENT_KEYS = [
  'transport',
  'token',
  'reconnect',
  'clock',
  'inspect',
  'handshakeTimeoutMs',
  'heartbeatMs',
] as const;

/** What a factory adds to the shared checks. */
export interface OptionRules {
  /** The factory's name, which starts every message. */
  factory: string;
  /** Option names the factory accepts besides the shared ones. */
  keys: readonly string[];
  /** Options that are numbers of milliseconds besides the shared ones. */
  durations?: readonly string[];
  tokenRequired: boolean;
  /** What the first message says the options need. */
  needs: string;
}

/**
 * Checks the options both client factories share, throwing a `TypeError` that names the
 * factory and the option at fault. Setup mistakes are the developer's, found at start-up.
 * Every duration is bounded by what a timer can hold: a larger one would fire at once.
 *
 * @example
 * assertClientOptions(options, { factory: 'createAgent', keys: ['groupId'], tokenRequired: true, needs: 'transport, groupId and token' });
 */
export function assertClientOptions(options: unknown, rules: OptionRules): void {
  const { factory } = rules;
  const fail = (message: string): never => {
    throw new TypeError(`${factory}: ${message}`);
  };
  if (typeof options !== 'object' || options === null) {
    fail(`options must be an object with ${rules.needs}`);
  }
  const o = options as Record<string, unknown>;
  const known = new Set<string>([...CLIENT_KEYS, ...rules.keys]);
  for (const key of Object.keys(o)) if (!known.has(key)) fail(`unknown option "${key}"`);
  if (typeof o.transport !== 'function') {
    fail('options.transport must be a transport factory, e.g. webSocketTransport({ url })');
  }
  const { token } = o;
  if (
    (token !== undefined || rules.tokenRequired) &&
    typeof token !== 'function' &&
    (typeof token !== 'string' || token === '')
  ) {
    fail('options.token must be a non-empty string or a function');
  }
  const clock = o.clock as Partial<Clock> | undefined | null;
  if (
    clock !== undefined &&
    (typeof clock?.setTimeout !== 'function' || typeof clock?.clearTimeout !== 'function')
  ) {
    fail('options.clock must have setTimeout and clearTimeout');
  }
  if (o.inspect !== undefined && typeof o.inspect !== 'function' && typeof o.inspect !== 'object') {
    fail('options.inspect must be a function or an observer');
  }
  for (const key of ['handshakeTimeoutMs', 'heartbeatMs', ...(rules.durations ?? [])]) {
    const v = o[key];
    if (v !== undefined && (typeof v !== 'number' || !(v > 0) || v > MAX_TIMER_MS)) {
      fail(`options.${key} must be a positive number of milliseconds (at most ${MAX_TIMER_MS})`);
    }
  }
  const r = o.reconnect as Record<string, unknown> | undefined | null;
  if (r === undefined) return;
  if (typeof r !== 'object' || r === null) fail('options.reconnect must be an object');
  const policy = r as Record<string, unknown>;
  for (const key of ['initialDelayMs', 'maxDelayMs', 'factor', 'maxAttempts']) {
    const v = policy[key];
    if (v !== undefined && (typeof v !== 'number' || Number.isNaN(v) || v < 0)) {
      fail(`options.reconnect.${key} must be a non-negative number`);
    }
  }
  for (const key of ['initialDelayMs', 'maxDelayMs']) {
    const v = policy[key];
    if (typeof v === 'number' && v > MAX_TIMER_MS) {
      fail(`options.reconnect.${key} must be at most ${MAX_TIMER_MS} milliseconds`);
    }
  }
  if (typeof policy.factor === 'number' && policy.factor < 1) {
    fail('options.reconnect.factor must be at least 1');
  }
  if (policy.random !== undefined && typeof policy.random !== 'function') {
    fail('options.reconnect.random must be a function');
  }
}
