import { type AgentEventMap, AgentRequestError, type VisitorSummary } from '@beckon/core/agent';
import { glanceDefaults } from './glanceConfig.js';
import { encodeSignal, SIGNAL_NAME } from './glanceSignal.js';
import { decodeData } from './presenceData.js';
import { type AgentListener, type SharedAgent, sharedAgent } from './sharedAgent.js';

/** The constructor's parameters: the original's, with Beckon's service for its host. */
export interface PresenceAgentParams {
  visitorid: string;
  groupid?: string | number;
  /** Beckon's presence endpoint (`wss://presence.example.com/`); default: the script tag's. */
  presenceserver?: string;
}

/** The callbacks of a request, as the original takes them. */
export interface Callbacks<T = void> {
  onsuccess?: (result: T) => void;
  /** With an error code: `visitornotpresent`, `authorization`, `timeout`, `busy`, … */
  onfail?: (code: string) => void;
}

/** The visitor data `lookupVisitor` gives: the original's names; `{}` when the visitor is not present. */
export type GlanceVisitorData = Record<string, string | number>;

/** The visitor-side functions an agent may invoke, and what each becomes on Beckon. */
export const INVOKABLE = ['GLANCE.Cobrowse.Visitor.showTerms'] as const;

type Handler = ((event: never) => void) | null;

/**
 * The original's error code for a failure: `visitornotpresent` and `authorization` as it
 * names them, Beckon's other codes in lower case.
 *
 * @example
 * errorCode(new AgentRequestError('visitorNotPresent', 'gone')); // 'visitornotpresent'
 */
export function errorCode(error: unknown): string {
  const code =
    error instanceof AgentRequestError
      ? error.code
      : typeof (error as { code?: unknown })?.code === 'string'
        ? (error as { code: string }).code
        : 'internal';
  if (code === 'unauthorized' || code === 'forbidden') return 'authorization';
  return code.toLowerCase();
}

/**
 * A visitor summary in the original's visitor data shape: `visitorid`, `groupid`, the
 * presence data in the names the visitor sent (`url`, `browser`, `browserver`, `platform`,
 * the page's own), and `visitorpresent` (seconds since the epoch of its last activity).
 *
 * @example
 * toVisitorData('12345', summary); // { visitorid: 'alice', groupid: '12345', url: '…', browser: 'Chrome', … }
 */
export function toVisitorData(groupid: string, summary: VisitorSummary | null): GlanceVisitorData {
  if (!summary?.present) return {};
  return {
    ...decodeData(summary.presence),
    visitorid: summary.visitorId,
    groupid,
    visitorpresent: (summary.lastActiveAt / 1000).toFixed(1),
    visibility: summary.visibility,
    connections: summary.connections,
  };
}

/**
 * `GLANCE.Presence.Agent`: the original's agent object on Beckon, one per visitor.
 * `connect()` starts its events (`onvisitorconn` with `connected`, `onpresence`, `onterms`,
 * `onvisitorsessionstart`, `onvisitorsessionend`, `onvisitorerror`, `onvisibility`, and
 * `on<type>` for what the visitor `fire`s); `lookupVisitor`, `signalVisitor` and
 * `invokeVisitor` (limited to {@link INVOKABLE}) call back `onsuccess` or `onfail` with the
 * original's error codes. Objects of one page share one Beckon agent connection.
 *
 * @example
 * const agent = new GLANCE.Presence.Agent({ visitorid: 'alice' });
 * agent.onvisitorconn = (e) => console.log('alice', e.connected ? 'is here' : 'left');
 * agent.onterms = (e) => console.log('terms', e.status);
 * agent.connect();
 * agent.invokeVisitor({ func: 'GLANCE.Cobrowse.Visitor.showTerms', args: { sessionKey: 'alice' } });
 */
export class PresenceAgent implements AgentListener {
  onvisitorconn: ((event: { connected: boolean }) => void) | null = null;
  onpresence: ((data: Record<string, string>) => void) | null = null;
  onterms: ((event: { status: string }) => void) | null = null;
  onvisitorsessionstart: ((event: { sessionkey: string }) => void) | null = null;
  onvisitorsessionend: ((event: { reason?: string }) => void) | null = null;
  onvisitorerror:
    | ((event: { code: string; msg: string; params?: Record<string, string> }) => void)
    | null = null;
  onvisibility: ((event: { visible: boolean; visibility: string }) => void) | null = null;
  onerror: ((event: { code: string; msg: string }) => void) | null = null;

  readonly visitorid: string;
  readonly groupid: string;
  readonly #shared: SharedAgent;

  constructor(params: PresenceAgentParams) {
    const defaults = glanceDefaults();
    this.visitorid = String(params?.visitorid ?? '');
    this.groupid = String(params?.groupid ?? defaults.groupid ?? '');
    const server = params?.presenceserver ?? defaults.presenceserver;
    if (!this.visitorid) throw new TypeError('GLANCE.Presence.Agent: visitorid is required');
    if (!server) {
      throw new TypeError(
        'GLANCE.Presence.Agent: no presence server; set data-presenceserver on the script tag',
      );
    }
    this.#shared = sharedAgent(server, this.groupid);
  }

  #call(name: string, event: unknown) {
    const handler = (this as unknown as Record<string, Handler>)[name];
    if (typeof handler !== 'function') return;
    try {
      (handler as (event: unknown) => void).call(this, event);
    } catch (error) {
      console.error(error);
    }
  }

  /** @internal Live events of this object's visitor, from the shared agent. */
  event<K extends keyof AgentEventMap>(type: K, event: AgentEventMap[K]): void {
    const e = event as Record<string, unknown>;
    switch (type) {
      case 'visitorConnected':
        this.#call('onvisitorconn', { connected: true });
        return;
      case 'visitorDisconnected':
        this.#call('onvisitorconn', { connected: false });
        return;
      case 'presence':
        this.#call('onpresence', decodeData(e.data as Record<string, string>));
        return;
      case 'visibility':
        this.#call('onvisibility', {
          visible: e.visibility === 'visible',
          visibility: e.visibility,
        });
        return;
      case 'terms':
        this.#call('onterms', { status: e.status });
        return;
      case 'sessionStart':
        this.#call('onvisitorsessionstart', { sessionkey: e.sessionKey });
        return;
      case 'sessionEnd':
        this.#call('onvisitorsessionend', e.reason === undefined ? {} : { reason: e.reason });
        return;
      case 'visitorError':
        this.#call('onvisitorerror', {
          code: e.code,
          msg: e.msg,
          ...(e.params !== undefined && { params: e.params }),
        });
        return;
      case 'signal': {
        // What the visitor `fire`d: `c_<type>` reaches `on<type>`.
        const name = String(e.name);
        if (name.startsWith('c_')) {
          this.#call(`on${name.slice(2)}`, decodeData(e.properties as Record<string, string>));
        }
        return;
      }
      default:
        return;
    }
  }

  /** @internal The shared connection failed for good. */
  connectionError(code: 'authorization' | 'conndrop', msg: string): void {
    this.#call('onerror', { code, msg });
  }

  /**
   * Starts this object's events: connects the page's agent connection if needed and
   * watches the visitor. A visitor already present is announced with
   * `onvisitorconn({ connected: true })`.
   */
  connect(): void {
    this.#shared.add(this);
    const { agent } = this.#shared;
    this.#shared
      .ready()
      .then(() => agent.watch(this.visitorid))
      .then(() => {
        if (agent.getSnapshot().visitors.get(this.visitorid)?.present) {
          this.#call('onvisitorconn', { connected: true });
        }
      })
      .catch((error: unknown) =>
        this.#call('onerror', {
          code: errorCode(error),
          msg: error instanceof Error ? error.message : String(error),
        }),
      );
  }

  /** Stops this object's events. */
  disconnect(): void {
    this.#shared.remove(this);
    this.#shared.agent.unwatch(this.visitorid).catch(() => undefined);
  }

  // Runs a request on the shared connection, connecting first if needed.
  #request<T>(work: () => Promise<T>, callbacks: Callbacks<T> | undefined) {
    this.#shared
      .ready()
      .then(work)
      .then(
        (result) => callbacks?.onsuccess?.(result),
        (error: unknown) => callbacks?.onfail?.(errorCode(error)),
      );
  }

  /** The visitor's data (`{}` when the visitor is not present), through `onsuccess`. */
  lookupVisitor(params: Callbacks<GlanceVisitorData> = {}): void {
    this.#request(
      async () =>
        toVisitorData(this.groupid, await this.#shared.agent.lookupVisitor(this.visitorid)),
      params,
    );
  }

  /**
   * Sends the visitor `data` (any JSON value), which its `onsignal` receives. `onsuccess`
   * once the visitor's page acknowledged it; a visitor gone for more than the reconnect
   * grace (5 s) fails with `visitornotpresent`.
   */
  signalVisitor(params: { data?: unknown } & Callbacks = {}): void {
    this.#request(async () => {
      await this.#shared.agent.signalVisitor(
        this.visitorid,
        SIGNAL_NAME,
        encodeSignal(params.data),
      );
    }, params);
  }

  /**
   * Invokes a visitor-side function: `GLANCE.Cobrowse.Visitor.showTerms` with `args`
   * `{ sessionKey?, termsUrl? }` shows Beckon's consent dialog (Accept starts the session
   * with the key). Any other function fails with `notallowed`.
   */
  invokeVisitor(
    params: { func?: string; args?: { sessionKey?: string; termsUrl?: string } } & Callbacks = {},
  ): void {
    if (!INVOKABLE.includes(params.func as (typeof INVOKABLE)[number])) {
      params.onfail?.('notallowed');
      this.#call('onerror', {
        code: 'notallowed',
        msg: `${String(params.func)} may not be invoked; allowed: ${INVOKABLE.join(', ')}`,
      });
      return;
    }
    const args = params.args ?? {};
    this.#request(async () => {
      await this.#shared.agent.showTerms(this.visitorid, {
        ...(args.sessionKey !== undefined && { sessionKey: String(args.sessionKey) }),
        ...(args.termsUrl !== undefined && { termsUrl: String(args.termsUrl) }),
      });
    }, params);
  }
}
