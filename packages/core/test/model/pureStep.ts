import { type AnyActorScope, createActor, type InspectionEvent, type SnapshotFrom } from 'xstate';
import {
  type VisitorEmitted,
  type VisitorMachineEvent,
  type VisitorMachineInput,
  visitorMachine,
} from '../../src/visitorMachine.js';
import type { FromVisitor } from '../../src/wire/protocol.js';
import { transitionKey } from './coverage.js';

export type VisitorSnapshot = SnapshotFrom<typeof visitorMachine>;

/** What one macrostep of the machine does, read from the machine alone (nothing is executed). */
export interface Effects {
  snapshot: VisitorSnapshot;
  /** Events the visitor emits, in order. */
  emitted: VisitorEmitted[];
  /** Wire messages the machine hands the `socket` actor, in order. */
  sends: FromVisitor[];
  /** I/O actors the macrostep starts: `socket` (a connection) or `consentDialog` (the UI). */
  spawned: { src: string; input: unknown }[];
  /** Transitions taken, as {@link transitionKey}s, in order. */
  transitions: string[];
  /** State nodes active in any microstep, transient ones included. */
  nodes: Set<string>;
}

interface ActionRecord {
  type: string;
  params?: unknown;
}

interface Sink {
  actions: ActionRecord[];
  transitions: string[];
  nodes: Set<string>;
}

/** The pure machine, stepped one event at a time with nothing executed. */
export interface Stepper {
  initial(): Effects;
  step(snapshot: VisitorSnapshot, event: { type: string }): Effects;
}

/**
 * Steps `visitorMachine` purely and reports what each macrostep would do. It is xstate's
 * `transition()` with one difference: the actor scope's system reports microsteps, so the
 * transitions taken are known too (`transition()` returns only snapshot and actions).
 *
 * @example
 * const stepper = createStepper({ hasUI: false });
 * const { snapshot, emitted } = stepper.step(stepper.initial().snapshot, { type: 'INIT', groupId: 'g', visitorId: 'v' });
 */
export function createStepper(input: VisitorMachineInput): Stepper {
  let sink: Sink | undefined;
  // Never started: it only lends its system (with our inspection observer) to the scope.
  const host = createActor(visitorMachine, {
    input,
    inspect: (event: InspectionEvent) => {
      if (!sink || event.type !== '@xstate.microstep') return;
      for (const t of event._transitions) sink.transitions.push(transitionKey(t));
      for (const node of (event.snapshot as VisitorSnapshot)._nodes) sink.nodes.add(node.id);
    },
  });
  const scope = {
    self: host,
    defer: () => {},
    id: '',
    logger: () => {},
    sessionId: '',
    stopChild: () => {},
    system: host.system,
    emit: () => {},
    actionExecutor: (action: ActionRecord) => sink?.actions.push(action),
  } as unknown as AnyActorScope;

  const run = (compute: () => VisitorSnapshot): Effects => {
    const current: Sink = { actions: [], transitions: [], nodes: new Set() };
    sink = current;
    let snapshot: VisitorSnapshot;
    try {
      snapshot = compute();
    } finally {
      sink = undefined;
    }
    for (const node of snapshot._nodes) current.nodes.add(node.id);
    const effects: Effects = {
      snapshot,
      emitted: [],
      sends: [],
      spawned: [],
      transitions: current.transitions,
      nodes: current.nodes,
    };
    for (const action of current.actions) {
      const params = action.params as Record<string, unknown> | undefined;
      if (action.type === 'xstate.emit') {
        effects.emitted.push(params?.event as VisitorEmitted);
      } else if (action.type === 'xstate.sendTo' && params?.targetId === 'socket') {
        effects.sends.push((params.event as { message: FromVisitor }).message);
      } else if (action.type === 'xstate.spawnChild') {
        effects.spawned.push({ src: String(params?.src), input: params?.input });
      }
    }
    return effects;
  };

  return {
    initial: () => run(() => visitorMachine.getInitialSnapshot(scope, input)),
    step: (snapshot, event) =>
      run(() => visitorMachine.transition(snapshot, event as VisitorMachineEvent, scope)),
  };
}
