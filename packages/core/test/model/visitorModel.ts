import type { ActorLogic } from 'xstate';
import { type StatePath, TestModel } from 'xstate/graph';
import { type VisitorMachineInput, visitorMachine } from '../../src/machines.js';
import { type MachineInventory, machineInventory } from './coverage.js';
import {
  CONSEQUENCES,
  type LeadIn,
  type ModelEvent,
  modelEvents,
  SAMPLE_EVENTS,
} from './events.js';
import { createStepper, type Effects, type Stepper, type VisitorSnapshot } from './pureStep.js';

export type VisitorPath = StatePath<VisitorSnapshot, ModelEvent>;

/** What the traversal knows about one snapshot: its model state and how it was reached. */
interface SnapshotInfo {
  key: string;
  leadIn: LeadIn;
  /** Transitions taken by the macrostep that produced the snapshot. */
  transitions: string[];
}

/**
 * The part of a snapshot that decides which transitions its events take. The rest of the
 * context (request, session key, retry delay, …) shapes payloads only, which the test
 * computes exactly by replaying each path; leaving it out keeps the graph small.
 */
export function modelKey(snapshot: VisitorSnapshot): string {
  const { context } = snapshot;
  return JSON.stringify([
    snapshot.value,
    context.attempt,
    context.defaultUI && context.hasUI,
    context.autoStart,
    context.lastDrop !== undefined,
    context.sessionViewers > 0,
    // Whether the agent was told the request is on screen: answers wait for it.
    context.request?.displayed === true,
    // Push guards read these; without a provider they never matter.
    context.hasPush && [context.pushNotifications, context.pushKey !== undefined],
  ]);
}

export interface VisitorTestModel {
  model: TestModel<VisitorSnapshot, ModelEvent, VisitorMachineInput>;
  stepper: Stepper;
  inventory: MachineInventory;
  /** Shortest paths to every model state, plus one path for every outcome of every sample event. */
  plan(): {
    paths: VisitorPath[];
    statesInModel: number;
    /** Transitions no planned path takes (by replay of the pure machine). */
    unreachable: string[];
    /** Sample events no state of this model offers. */
    unused: string[];
  };
}

/**
 * A test model over `visitorMachine` for one `input`.
 *
 * Why not `createTestModel(visitorMachine)`: in xstate 5.33 it runs `validateMachine`, which
 * throws for any machine with `invoke` or `after` ("Invocations on test machines are not
 * supported"), and ours has both (the socket and the dialog; the reconnect backoff).
 * Upstream has since turned that check off (its `forbiddenAttributes.test.ts` is skipped).
 * The check protects models whose I/O would run during traversal; here traversal is pure
 * (the graph's mock actor scope never starts invoked actors) and the delayed transition is
 * just its `xstate.after.*` event. So this builds the `TestModel` that `createTestModel`
 * returns, with the same `stateMatcher`, our own events and a bounded serialization.
 *
 * @example
 * const { model, plan } = createVisitorTestModel({ hasUI: true, reconnect: { maxAttempts: 1 } });
 * for (const path of plan().paths) await model.testPath(path, { events, states });
 */
export function createVisitorTestModel(
  input: VisitorMachineInput,
  /** Which sample events this model sends (all by default), to keep a model's graph small. */
  offered?: (event: ModelEvent) => boolean,
): VisitorTestModel {
  const stepper = createStepper(input);
  const inventory = machineInventory(visitorMachine);
  const initial = stepper.initial();
  const infos = new WeakMap<VisitorSnapshot, SnapshotInfo>();
  // Every edge the traversal explores, by the model state it leaves.
  const edges = new Map<
    string,
    { event: ModelEvent; next: VisitorSnapshot; info: SnapshotInfo }[]
  >();

  const describe = (
    snapshot: VisitorSnapshot,
    effects: Effects,
    event?: ModelEvent,
    before?: SnapshotInfo,
  ) => {
    const online = snapshot.matches({ connection: 'online' });
    // The session actor's channel: opened by a ticket, lost when it drops or the session
    // ends (a new session starts a new actor, without one).
    const inSession =
      snapshot.matches({ terms: 'session' }) && !effects.spawned.some((s) => s.src === 'session');
    const channel =
      inSession &&
      (event?.type === 'socket.sessionTicket' ||
        (event?.type !== 'session.ticket' && (before?.leadIn.channel ?? false)));
    const leadIn: LeadIn = {
      sent: online && effects.sends.length > 0 && !CONSEQUENCES.has(event?.type ?? ''),
      dialogOpened: effects.spawned.some((s) => s.src === 'consentDialog'),
      channel,
    };
    const info: SnapshotInfo = {
      key: `${modelKey(snapshot)}${leadIn.sent ? ' +sent' : ''}${leadIn.dialogOpened ? ' +dialog' : ''}${channel ? ' +channel' : ''}`,
      leadIn,
      transitions: effects.transitions,
    };
    infos.set(snapshot, info);
    return info;
  };
  describe(initial.snapshot, initial);
  const infoOf = (snapshot: VisitorSnapshot): SnapshotInfo => {
    const info = infos.get(snapshot);
    if (!info) throw new Error('the model met a snapshot it did not produce');
    return info;
  };

  // The logic the model walks: the machine's own pure transition (through the stepper, so
  // the transitions taken are known), noting what each step did. Every step yields its own
  // object, because the machine returns the very same snapshot when an event changes
  // nothing (an invalid call reported, a message sent) and the notes are kept by object.
  const logic = Object.create(visitorMachine) as typeof visitorMachine;
  logic.transition = (snapshot, event) => {
    const effects = stepper.step(snapshot, event);
    const next = { ...effects.snapshot };
    const before = infoOf(snapshot);
    const info = describe(next, effects, event as ModelEvent, before);
    const from = before.key;
    const list = edges.get(from) ?? [];
    list.push({ event: event as ModelEvent, next, info });
    edges.set(from, list);
    return next;
  };

  const model = new TestModel<VisitorSnapshot, ModelEvent, VisitorMachineInput>(
    logic as unknown as ActorLogic<VisitorSnapshot, ModelEvent, VisitorMachineInput>,
    {
      fromState: initial.snapshot,
      serializeState: (state) => infoOf(state).key,
      events: (state) => modelEvents(state, infoOf(state).leadIn, offered),
      // As createTestModel does.
      stateMatcher: (state, key) =>
        key.startsWith('#')
          ? state._nodes.includes(visitorMachine.getStateNodeById(key))
          : state.matches(key as never),
    },
  );

  const plan = () => {
    edges.clear();
    const shortest = model.getShortestPaths({ allowDuplicatePaths: true });
    const toState = new Map(shortest.map((path) => [infoOf(path.state).key, path]));
    // Replayed, not read off the path: the traversal keeps one snapshot per model state,
    // so a path's steps may hold a look-alike snapshot that was reached another way.
    const replay = (path: VisitorPath, visit: (event: ModelEvent, effects: Effects) => void) => {
      let effects = initial;
      for (const step of path.steps.slice(1)) {
        effects = stepper.step(effects.snapshot, step.event);
        visit(step.event, effects);
      }
    };

    // Shortest paths reach every state but skip self-loops (an invalid call reported, a
    // message sent) and most of the ways into a state. So, for every sample event and every
    // outcome it has somewhere (the transitions it takes), add the shortest path to a state
    // where it has that outcome, extended by it. That takes every transition the model can,
    // each through every real-world cause (a drop, a restart and a timeout all retry).
    const outcome = (event: ModelEvent, transitions: string[]) =>
      `${JSON.stringify(event)} ${transitions.join(',')}`;
    const paths: VisitorPath[] = [...shortest];
    const tried = new Set<string>();
    for (const path of paths) {
      replay(path, (event, effects) => tried.add(outcome(event, effects.transitions)));
    }
    const cheapest = new Map<
      string,
      { base: VisitorPath; event: ModelEvent; next: VisitorSnapshot }
    >();
    for (const [from, list] of edges) {
      const base = toState.get(from);
      if (!base) continue;
      for (const { event, next, info } of list) {
        const name = outcome(event, info.transitions);
        const known = cheapest.get(name);
        if (!tried.has(name) && (!known || base.weight < known.base.weight)) {
          cheapest.set(name, { base, event, next });
        }
      }
    }
    for (const { base, event, next } of cheapest.values()) {
      paths.push({
        state: next,
        steps: [...base.steps, { state: next, event }],
        weight: base.weight + 1,
      });
    }
    const planned = withoutPrefixes(paths);

    const covered = new Set(initial.transitions);
    for (const path of planned) {
      replay(path, (_, effects) => {
        for (const t of effects.transitions) covered.add(t);
      });
    }
    const unreachable = [...inventory.transitions]
      .filter(([key]) => !covered.has(key))
      .map(([, description]) => description);
    const offeredEvents = new Set(
      [...edges.values()].flat().map(({ event }) => JSON.stringify(event)),
    );
    const unused = SAMPLE_EVENTS.map((e) => JSON.stringify(e)).filter((e) => !offeredEvents.has(e));
    return { paths: planned, statesInModel: toState.size, unreachable, unused };
  };

  return { model, stepper, inventory, plan };
}

// Drops every path whose events are a prefix of another path's: the longer one tests it too.
function withoutPrefixes(paths: VisitorPath[]): VisitorPath[] {
  const names = paths.map((path) => path.steps.map((step) => JSON.stringify(step.event)));
  const order = names.map((_, i) => i).sort((a, b) => names[b]!.length - names[a]!.length);
  const kept: number[] = [];
  for (const i of order) {
    const mine = names[i]!;
    const contained = kept.some((k) => {
      const other = names[k]!;
      return mine.every((name, j) => other[j] === name);
    });
    if (!contained) kept.push(i);
  }
  return kept.sort((a, b) => a - b).map((i) => paths[i]!);
}
