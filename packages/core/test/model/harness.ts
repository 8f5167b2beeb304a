import { expect } from 'vitest';
import { SimulatedClock } from 'xstate';
// transport-mock depends on core, so core cannot depend on it (a cycle in the package graph).
// Tests may still reach its source by path: it is never part of core's build or bundle.
import { createMockService, type MockService } from '../../../transport-mock/src/index.js';
import type { Transport, TransportHandlers } from '../../src/connection/transport.js';
import type { ConsentDecision, ConsentRequest, ConsentUI } from '../../src/consent/consentUI.js';
import type { VisitorEmitted, VisitorMachineInput } from '../../src/machines.js';
import { definePushProvider } from '../../src/push/definePushProvider.js';
import {
  PushError,
  type PushProviderSpec,
  type PushSubscriptionData,
} from '../../src/push/PushProvider.js';
import { defineSessionProvider } from '../../src/session/defineSessionProvider.js';
import type { SessionContext, SessionProviderSpec } from '../../src/session/SessionProvider.js';
import { createVisitor, type Visitor } from '../../src/visitor/createVisitor.js';
import { CloseCode, type FromVisitor, PROTOCOL_VERSION } from '../../src/wire/index.js';
import { type CoverageRecorder, transitionKey } from './coverage.js';
import {
  AFTER_RETRY,
  CONSEQUENCES,
  DIALOG_FAILURE,
  HEARTBEAT_MS,
  label,
  type ModelEvent,
} from './events.js';
import type { Effects, Stepper, VisitorSnapshot } from './pureStep.js';
import { modelKey, type VisitorPath } from './visitorModel.js';

/**
 * A consent dialog for tests: remembers what it shows and lets the test answer or break it.
 * Like ui-dom's, whose code may still be loading, it says itself when it is on screen.
 */
class TestDialog implements ConsentUI {
  readonly reportsDisplay = true;
  shows = 0;
  /** The dialog on screen, if any. */
  open:
    | {
        request: ConsentRequest;
        respond: (decision: ConsentDecision) => void;
        displayed: (() => void) | undefined;
      }
    | undefined;
  /** Throw in the next `show`, as a broken dialog would. */
  failNext = false;

  show(
    request: ConsentRequest,
    respond: (decision: ConsentDecision) => void,
    _fail?: (reason: string) => void,
    displayed?: () => void,
  ) {
    this.shows += 1;
    if (this.failNext) {
      this.failNext = false;
      throw new Error(DIALOG_FAILURE);
    }
    const open = { request, respond, displayed };
    this.open = open;
    return () => {
      if (this.open === open) this.open = undefined;
    };
  }
}

const HANDSHAKE_MS = 10_000;

/**
 * A session provider for tests, with a session channel that stands in for the service's
 * session endpoint: it opens at once and welcomes every hello with the viewer count the
 * test says, so the session actor's channel work never shows on the machine by itself.
 * The test makes the channel drop, report viewers, and the provider end its session.
 */
class TestSessionProvider implements SessionProviderSpec {
  /** The running session's context, while one runs. */
  context: SessionContext | undefined;
  starts = 0;
  /** The open channel connection, if any. */
  channel: TransportHandlers | undefined;
  /** The viewer count the next welcome reports (the session actor's current one). */
  viewersForWelcome = () => 0;

  readonly transport: Transport = (handlers) => {
    let state: 'open' | 'closed' = 'open';
    const connection = {
      get readyState() {
        return state;
      },
      send: (data: string) => {
        if (state !== 'open') return false;
        const frame = JSON.parse(data) as { type: string };
        if (frame.type === 'hello') {
          this.channel = handlers;
          handlers.message(
            JSON.stringify({
              type: 'welcome',
              v: PROTOCOL_VERSION,
              role: 'host',
              sessionKey: this.context?.sessionKey ?? 'none',
              viewers: this.viewersForWelcome(),
            }),
          );
        }
        return true;
      },
      close: () => {
        if (state === 'closed') return;
        state = 'closed';
        if (this.channel === handlers) this.channel = undefined;
      },
    };
    handlers.open();
    return connection;
  };

  start(context: SessionContext) {
    this.starts += 1;
    this.context = context;
    return {
      stop: () => {
        if (this.context === context) this.context = undefined;
      },
    };
  }
}

/**
 * A push provider for tests: each call waits until the test answers it, as the browser's
 * permission prompt and push service would.
 */
class TestPushProvider implements PushProviderSpec {
  subscribes: string[] = [];
  unsubscribes = 0;
  #subscribe: { resolve(s: PushSubscriptionData): void; reject(e: unknown): void } | undefined;
  #unsubscribe: (() => void) | undefined;

  subscribe(vapidPublicKey: string) {
    this.subscribes.push(vapidPublicKey);
    return new Promise<PushSubscriptionData>((resolve, reject) => {
      this.#subscribe = { resolve, reject };
    });
  }

  unsubscribe() {
    this.unsubscribes += 1;
    return new Promise<void>((resolve) => {
      this.#unsubscribe = resolve;
    });
  }

  /** The pending subscribe call, answered. */
  answer(outcome: { subscription: PushSubscriptionData } | PushError): void {
    const pending = this.#subscribe;
    if (!pending) throw new Error('no subscribe call is waiting');
    this.#subscribe = undefined;
    if (outcome instanceof PushError) pending.reject(outcome);
    else pending.resolve(outcome.subscription);
  }

  /** The pending unsubscribe call, done. */
  removed(): void {
    const pending = this.#unsubscribe;
    if (!pending) throw new Error('no unsubscribe call is waiting');
    this.#unsubscribe = undefined;
    pending();
  }
}

// Promise callbacks run as microtasks: a task later they have all run.
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** What happened during one step (or a step and its consequence). */
interface Observed {
  emitted: VisitorEmitted[];
  transitions: string[];
  frames: FromVisitor[];
  /** How many dialogs the UI had shown when the step began. */
  showsBefore: number;
  /** How many sessions the provider had started when the step began. */
  startsBefore: number;
  /** How many subscribe and unsubscribe calls the push provider had when the step began. */
  subscribesBefore: number;
  unsubscribesBefore: number;
}

/** What the pure machine says the same step does. */
interface Expected {
  emitted: VisitorEmitted[];
  transitions: string[];
  sends: FromVisitor[];
  spawned: Effects['spawned'];
}

/**
 * Runs one model path against a real `Visitor` over the mock service on simulated time.
 * Every model event becomes its real-world cause; after every step the visitor's snapshot,
 * the events it emitted, the transitions it took, the frames that reached the service and
 * the dialogs it opened must be exactly what the pure machine computes for the same step.
 */
export class PathRunner {
  readonly #clock = new SimulatedClock();
  // autoWelcome off: every service frame is one the model asked for, so epochs and
  // connection IDs are the model's and the real context must equal the model's exactly.
  readonly #service: MockService = createMockService({ clock: this.#clock, autoWelcome: false });
  readonly #dialog = new TestDialog();
  readonly #session = new TestSessionProvider();
  readonly #push = new TestPushProvider();
  readonly #visitor: Visitor;
  readonly #stepper: Stepper;
  readonly #path: VisitorPath;
  #refuseSends = 0;
  #observed: Observed = {
    emitted: [],
    transitions: [],
    frames: [],
    showsBefore: 0,
    startsBefore: 0,
    subscribesBefore: 0,
    unsubscribesBefore: 0,
  };
  #expected: Expected = { emitted: [], transitions: [], sends: [], spawned: [] };
  /** The pure machine's snapshot after the steps so far: the exact expectation. */
  #model: VisitorSnapshot;
  /** Where in the path we are, for failure messages. */
  #index = 0;
  #where = 'start';

  constructor(
    path: VisitorPath,
    input: VisitorMachineInput & { hasUI: boolean },
    stepper: Stepper,
    coverage: CoverageRecorder,
  ) {
    this.#path = path;
    this.#stepper = stepper;
    // The transport the visitor gets: the mock's, plus a fault switch for "send refused"
    // (a WebSocket that has started closing refuses frames before its close event fires).
    const transport: Transport = (handlers) => {
      const connection = this.#service.transport(handlers);
      return {
        get readyState() {
          return connection.readyState;
        },
        send: (data) => {
          if (this.#refuseSends > 0) {
            this.#refuseSends -= 1;
            return false;
          }
          return connection.send(data);
        },
        close: (code, reason) => connection.close(code, reason),
      };
    };
    this.#service.onMessage((message) => this.#observed.frames.push(message));
    this.#visitor = createVisitor({
      transport,
      clock: this.#clock,
      handshakeTimeoutMs: HANDSHAKE_MS,
      ...(input.reconnect ? { reconnect: input.reconnect } : {}),
      ...(input.visible === undefined ? {} : { visible: input.visible }),
      ...(input.hasUI ? { ui: this.#dialog } : {}),
      ...(input.hasSession ? { session: defineSessionProvider(this.#session) } : {}),
      ...(input.hasPush ? { push: definePushProvider(this.#push) } : {}),
      inspect: (event) => {
        coverage.record(event);
        if (event.type === '@xstate.microstep') {
          this.#observed.transitions.push(...event._transitions.map(transitionKey));
        }
      },
    });
    this.#visitor.actor.on('*', (event) => this.#observed.emitted.push(event as VisitorEmitted));
    this.#session.viewersForWelcome = () => this.#model.context.sessionViewers;
    coverage.addNodes(this.#visitor.actor.getSnapshot());
    const initial = stepper.initial();
    this.#model = initial.snapshot;
    this.#expect(initial);
  }

  /** Runs the path through the test model's own `testPath`, checking every step. */
  params() {
    const events: Record<string, (step: { event: ModelEvent; state: VisitorSnapshot }) => void> =
      {};
    for (const step of this.#path.steps) events[step.event.type] = (s) => this.#exec(s);
    return { events, states: { '*': (state: VisitorSnapshot) => this.#check(state) } };
  }

  #expect(effects: Effects, options: { swallow?: number } = {}): void {
    const e = this.#expected;
    e.emitted.push(...effects.emitted);
    e.transitions.push(...effects.transitions);
    e.sends.push(...effects.sends.slice(options.swallow ?? 0));
    e.spawned.push(...effects.spawned);
  }

  async #exec(step: { event: ModelEvent; state: VisitorSnapshot }): Promise<void> {
    const index = this.#path.steps.indexOf(step);
    const { event } = step;
    this.#index = index;
    this.#where = `step ${index} (${label(event)})`;
    // Every path opens with the `xstate.init` step: the visitor started in the constructor.
    if (index === 0) return;

    const delay = this.#model.context.retryDelay;
    const effects = this.#stepper.step(this.#model, event);
    this.#model = effects.snapshot;

    if (CONSEQUENCES.has(event.type)) {
      // Already happened in the real world, as part of the step before.
      expect(this.#refuseSends, `${this.#where}: the refused send did not happen`).toBe(0);
      expect(this.#dialog.failNext, `${this.#where}: the dialog was not opened`).toBe(false);
      this.#expect(effects);
      return;
    }

    // Arm the real cause of a consequence the path takes next.
    const next = this.#path.steps[index + 1]?.event.type;
    if (next === 'socket.sendFailed') this.#refuseSends = 1;
    if (next === 'consent.failed') this.#dialog.failNext = true;
    // The refused frame never reaches the service.
    this.#expect(effects, { swallow: next === 'socket.sendFailed' ? 1 : 0 });

    this.#cause(event, delay);
    // The push provider's answers arrive as promise callbacks.
    if (event.type.startsWith('push.')) await settle();
    // Deliver whatever the step set in motion (a new connection opens and says hello).
    this.#service.flush();
  }

  // The real-world cause of each model event.
  #cause(event: ModelEvent, retryDelay: number): void {
    const visitor = this.#visitor;
    switch (event.type) {
      case 'INIT': {
        const result = visitor.init(event as { groupId: string; visitorId: string });
        const expected = this.#expected.emitted.some((e) => e.type === 'initialized')
          ? 'initialized'
          : 'invalidParameter';
        expect(result, `${this.#where}: init() result`).toBe(expected);
        return;
      }
      case 'CONNECT':
        visitor.connect(
          event.pushNotifications === undefined
            ? undefined
            : ({ pushNotifications: event.pushNotifications } as { pushNotifications: boolean }),
        );
        return;
      case 'DISCONNECT':
        visitor.disconnect();
        return;
      case 'PRESENCE':
        visitor.presence(event.data as Record<string, string>);
        return;
      case 'VISIBILITY':
        visitor.signalVisibility(event.visible as boolean);
        return;
      case 'SIGNAL_AGENT':
        visitor.signalAgent(event.name as string, event.properties as Record<string, string>);
        return;
      case 'SET_DEFAULT_UI':
        visitor.setDefaultUI(event.enabled as boolean);
        return;
      case 'START_SESSION': {
        const { type: _, ...params } = event;
        visitor.startSession(params as { key?: string; presenceStart?: boolean });
        return;
      }
      case 'END_SESSION':
        visitor.endSession(event.reason as string);
        return;
      case 'CONSENT':
        if (event.decision === 'displayed') visitor.termsDisplayed();
        else if (event.decision === 'accepted') visitor.acceptTerms();
        else visitor.declineTerms();
        return;
      case 'socket.invalid':
        this.#connection().pushRaw('{"type":"bogus"}');
        return;
      case 'socket.welcome':
        this.#connection().push(event.message);
        return;
      case 'socket.blur':
      case 'socket.focus':
        this.#connection().push({
          type: event.type === 'socket.blur' ? 'blur' : 'focus',
          epoch: event.epoch,
        });
        return;
      case 'socket.showTerms': {
        const { type: _, ...rest } = event;
        this.#connection().push({ type: 'showTerms', ...rest });
        return;
      }
      case 'socket.signal': {
        const { type: _, ...rest } = event;
        this.#connection().push({ type: 'signal', ...rest });
        return;
      }
      case 'socket.error':
        this.#connection().push(event.message);
        return;
      case 'socket.sessionTicket':
      case 'socket.sessionRefused': {
        // The service answers for the session that runs (see CURRENT_SESSION_KEY).
        const { type, ...rest } = event;
        const sessionKey = this.#model.context.sessionKey;
        expect(sessionKey, `${this.#where}: no session to answer for`).toBeDefined();
        this.#connection().push({
          ...rest,
          type: type === 'socket.sessionTicket' ? 'sessionTicket' : 'sessionRefused',
          sessionKey,
        } as never);
        return;
      }
      case 'session.ticket': {
        // The session channel drops; the session actor asks for a new ticket.
        const channel = this.#sessionChannel();
        this.#session.channel = undefined;
        channel.close({ code: CloseCode.abnormal, reason: 'connection lost' });
        return;
      }
      case 'session.viewers':
        this.#sessionChannel().message(JSON.stringify({ type: 'viewers', viewers: event.viewers }));
        return;
      case 'session.ended': {
        const context = this.#session.context;
        expect(context, `${this.#where}: no session provider running`).toBeDefined();
        context?.end(event.reason);
        return;
      }
      case 'socket.closed': {
        const connection = this.#connection();
        if (event.code === CloseCode.abnormal) {
          // The network dies.
          connection.drop({ code: event.code, reason: event.reason });
        } else if (event.code === CloseCode.handshakeTimeout) {
          // No welcome arrives: the visitor's deadline runs out.
          this.#clock.increment(HANDSHAKE_MS);
        } else if (event.code === CloseCode.heartbeatTimeout) {
          // The service goes silent: one quiet interval sends a ping, one more without an
          // answer ends the link (docs/protocol.md). One interval per increment
          // (SimulatedClock skips timers set by its last callback).
          connection.blackhole();
          for (let tick = 0; tick < 2; tick += 1) this.#clock.increment(HEARTBEAT_MS);
        } else {
          // The service closes on purpose.
          connection.close(event.code, event.reason);
        }
        return;
      }
      case 'consent.answered': {
        const open = this.#dialog.open;
        expect(open, `${this.#where}: no dialog on screen to answer`).toBeDefined();
        open?.respond(event.decision);
        return;
      }
      case 'consent.displayed': {
        const open = this.#dialog.open;
        expect(open, `${this.#where}: no dialog to appear`).toBeDefined();
        open?.displayed?.();
        return;
      }
      case AFTER_RETRY:
        expect(retryDelay, `${this.#where}: a retry is due`).toBeGreaterThan(0);
        // Just short of the delay nothing happens; at the delay the retry starts.
        this.#clock.increment(retryDelay - 1);
        expect(this.#visitor.actor.getSnapshot().value, `${this.#where}: retried early`).toEqual(
          expect.objectContaining({ connection: 'reconnecting' }),
        );
        this.#clock.increment(1);
        return;
      case 'ENABLE_PUSH':
        visitor.enablePush();
        return;
      case 'DISABLE_PUSH':
        visitor.disablePush();
        return;
      case 'push.subscribed':
        this.#push.answer({ subscription: event.subscription });
        return;
      case 'push.failed':
        this.#push.answer(new PushError(event.reason, event.message));
        return;
      case 'push.removed':
        this.#push.removed();
        return;
      case 'socket.pushSubscribed':
        this.#connection().push({ type: 'pushSubscribed', endpoint: event.endpoint });
        return;
      case 'socket.pushRefused': {
        const { type: _, ...rest } = event;
        this.#connection().push({ type: 'pushRefused', ...rest });
        return;
      }
      case 'socket.sendFailed':
      case 'consent.failed':
        return;
    }
  }

  #sessionChannel(): TransportHandlers {
    const channel = this.#session.channel;
    if (!channel)
      throw new Error(`${this.#where}: the model has a session channel but none is open`);
    return channel;
  }

  #connection() {
    const connection = this.#service.current;
    if (connection?.readyState !== 'open') {
      throw new Error(`${this.#where}: the model is online but no connection is open`);
    }
    return connection;
  }

  #check(state: VisitorSnapshot): void {
    const where = this.#where;
    // The model's own consistency: replaying the path lands in the state the graph says.
    expect(modelKey(this.#model), `${where}: replay left the model's graph`).toBe(modelKey(state));

    // A step whose consequence follows is checked together with it.
    const next = this.#path.steps[this.#index + 1]?.event.type;
    if (next !== undefined && CONSEQUENCES.has(next)) return;

    const actual = this.#visitor.actor.getSnapshot();
    const expected = this.#model;
    expect(actual.status).toBe('active');
    expect(actual.value, `${where}: state`).toEqual(expected.value);
    const { policy: _a, ...actualContext } = actual.context;
    const { policy: _b, ...expectedContext } = expected.context;
    expect(actualContext, `${where}: context`).toEqual(expectedContext);
    expect(Object.keys(actual.children).sort(), `${where}: running I/O actors`).toEqual(
      Object.keys(expected.children).sort(),
    );

    const observed = this.#observed;
    const wanted = this.#expected;
    expect(observed.emitted, `${where}: emitted events`).toEqual(wanted.emitted);
    expect(observed.transitions, `${where}: transitions taken`).toEqual(wanted.transitions);

    // Wire: a hello for every connection the model opens, then exactly the model's sends.
    const hellos = wanted.spawned
      .filter((s) => s.src === 'socket')
      .map(({ input }) => {
        const i = input as {
          groupId: string;
          visitorId: string;
          visible: boolean;
          pushNotifications: boolean;
        };
        return {
          type: 'hello',
          v: PROTOCOL_VERSION,
          role: 'visitor',
          groupId: i.groupId,
          visitorId: i.visitorId,
          visible: i.visible,
          ...(i.pushNotifications ? { pushNotifications: true } : {}),
        };
      });
    expect(
      observed.frames.filter((f) => f.type === 'hello'),
      `${where}: hello frames`,
    ).toEqual(hellos);
    expect(
      observed.frames.filter((f) => f.type !== 'hello' && f.type !== 'ping' && f.type !== 'pong'),
      `${where}: frames that reached the service`,
    ).toEqual(wanted.sends);
    expect(this.#refuseSends, `${where}: armed send fault unused`).toBe(0);
    for (const connection of this.#service.connections) {
      expect(connection.invalid, `${where}: frames the service could not parse`).toEqual([]);
    }

    // UI: a dialog shown for every one the model opens; on screen exactly while the model shows one.
    const dialogs = wanted.spawned.filter((s) => s.src === 'consentDialog');
    expect(this.#dialog.shows - observed.showsBefore, `${where}: dialogs shown`).toBe(
      dialogs.length,
    );
    // Session provider: started once per session the model starts, running exactly while
    // the model is in a session.
    const sessions = wanted.spawned.filter((s) => s.src === 'session');
    expect(
      this.#session.starts - observed.startsBefore,
      `${where}: session providers started`,
    ).toBe(expected.context.hasSession ? sessions.length : 0);
    expect(this.#session.context !== undefined, `${where}: session provider running`).toBe(
      expected.context.hasSession && expected.matches({ terms: 'session' }),
    );
    // Push provider: asked to subscribe once per push actor the model starts, with the
    // group's key from the welcome, and to unsubscribe once per removal.
    expect(
      this.#push.subscribes.slice(observed.subscribesBefore),
      `${where}: push subscribes`,
    ).toEqual(
      wanted.spawned
        .filter((s) => s.src === 'push')
        .map((s) => (s.input as { vapidPublicKey: string }).vapidPublicKey),
    );
    expect(
      this.#push.unsubscribes - observed.unsubscribesBefore,
      `${where}: push unsubscribes`,
    ).toBe(wanted.spawned.filter((s) => s.src === 'pushRemoval').length);
    const onScreen = expected.matches({ terms: { shown: 'dialog' } })
      ? expected.context.request!.view
      : undefined;
    expect(this.#dialog.open?.request, `${where}: dialog on screen`).toEqual(onScreen);

    this.#observed = {
      emitted: [],
      transitions: [],
      frames: [],
      showsBefore: this.#dialog.shows,
      startsBefore: this.#session.starts,
      subscribesBefore: this.#push.subscribes.length,
      unsubscribesBefore: this.#push.unsubscribes,
    };
    this.#expected = { emitted: [], transitions: [], sends: [], spawned: [] };
  }

  /** Stops the visitor (closing its connection). */
  dispose(): void {
    this.#visitor.actor.stop();
  }
}
