import { SimulatedClock } from 'xstate';
// Core cannot depend on the mock package (the mock depends on core), so tests reach its
// source by path; it resolves `@beckon/core` to this same source through the workspace.
import { createMockService, type MockServiceOptions } from '../../../transport-mock/src/index.js';
import {
  type ConsentDecision,
  type ConsentRequest,
  type ConsentUI,
  createVisitor,
  type VisitorEvent,
  type VisitorEventType,
  type VisitorOptions,
} from '../../src/index.js';

export const ALL_EVENTS: VisitorEventType[] = [
  'initialized',
  'connected',
  'connectFail',
  'showTerms',
  'signal',
  'blur',
  'focus',
  'sendFail',
  'notConfigured',
  'disconnected',
  'invalidParameter',
  'error',
  'termsAccepted',
  'termsDeclined',
  'sessionStart',
  'sessionEnd',
];

/** A consent UI the test answers by hand, recording what it was shown and hidden. */
export function manualUI() {
  const shown: ConsentRequest[] = [];
  let hidden = 0;
  let pending: ((decision: ConsentDecision) => void) | undefined;
  const ui: ConsentUI = {
    show(request, respond) {
      shown.push(request);
      pending = respond;
      return () => {
        hidden += 1;
      };
    },
  };
  return {
    ui,
    shown,
    get hidden() {
      return hidden;
    },
    answer(decision: ConsentDecision) {
      if (!pending) throw new Error('no dialog is open');
      pending(decision);
    },
  };
}

/**
 * A visitor over the mock service on simulated time, with every emitted event recorded.
 * `settle()` lets pending transport deliveries and 0 ms timers run.
 */
export function setup(
  options: Partial<VisitorOptions> = {},
  serviceOptions: Omit<MockServiceOptions, 'clock'> = {},
) {
  const clock = new SimulatedClock();
  const service = createMockService({ clock, heartbeatMs: 1_000, ...serviceOptions });
  const visitor = createVisitor({
    transport: service.transport,
    clock,
    reconnect: { random: () => 0.5 },
    ...options,
  });
  const events: VisitorEvent[] = [];
  for (const type of ALL_EVENTS) visitor.on(type, (event) => events.push(event));
  const settle = () => {
    // Twice: a timer that opens a connection schedules the open on the same clock.
    clock.increment(0);
    service.flush();
    clock.increment(0);
  };
  const advance = (ms: number) => {
    clock.increment(ms);
    settle();
  };
  /** Events recorded since the last call, and forget them. */
  const take = () => events.splice(0, events.length);
  const types = () => take().map((e) => e.type);
  const connect = (ids = { groupId: 'acme', visitorId: 'alice' }) => {
    visitor.init(ids);
    visitor.connect();
    settle();
  };
  return { clock, service, visitor, events, settle, advance, take, types, connect };
}
