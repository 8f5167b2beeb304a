import { afterAll, describe, expect, it } from 'vitest';
import { type VisitorMachineInput, visitorMachine } from '../src/machines.js';
import { CoverageRecorder, machineInventory } from './model/coverage.js';
import { AFTER_RETRY, isPushEvent, label, type ModelEvent } from './model/events.js';
import { PathRunner } from './model/harness.js';
import { createVisitorTestModel } from './model/visitorModel.js';

// Model-based tests: paths generated from visitorMachine itself drive a real Visitor over the
// mock service on simulated time; every step must match the pure machine exactly (state,
// context, emitted events, transitions taken, frames on the wire, dialogs shown).

// Backoff draws are fixed so the model and the visitor wait alike; one retry before giving up
// keeps the attempt counter (and so the graph) small while reaching "out of attempts".
const reconnect = { random: () => 0.5, maxAttempts: 1 };

// The consent flow and push are independent regions: each model walks one of them with the
// connection, so the graphs stay small (their product would be thousands of states).
const CONSENT_EVENT =
  /^(START_SESSION|END_SESSION|CONSENT|SET_DEFAULT_UI|consent\.|session\.|socket\.(showTerms|session))/;
const withoutPush = (event: ModelEvent) =>
  !isPushEvent(event) || event.type === 'ENABLE_PUSH' || event.type === 'DISABLE_PUSH';
const pushAndConnection = (event: ModelEvent) =>
  !CONSENT_EVENT.test(event.type) && !(event.type === 'SIGNAL_AGENT' && event.name === 'terms');

const inputs: {
  name: string;
  input: VisitorMachineInput & { hasUI: boolean };
  offered: (event: ModelEvent) => boolean;
}[] = [
  // The default consent UI and a session provider, starting visible: every consent path,
  // dialog and custom, and the session channel's tickets, viewers and the provider's end.
  {
    name: 'with a consent UI and a session provider',
    input: { hasUI: true, hasSession: true, visible: true, reconnect },
    offered: withoutPush,
  },
  // No UI and no session provider, starting hidden: the initial hidden visibility,
  // app-driven consent only, sessions that are only announced, enablePush() without a provider.
  {
    name: 'without a UI or session provider, starting hidden',
    input: { hasUI: false, visible: false, reconnect },
    offered: withoutPush,
  },
  // A push provider: permission, subscription, the service's answers, reconnects and logout.
  {
    name: 'with a push provider',
    input: { hasUI: false, hasPush: true, visible: true, reconnect },
    offered: pushAndConnection,
  },
];

const inventory = machineInventory(visitorMachine);
const coverage = new CoverageRecorder();
const plannedUnreachable = new Map<string, number>();
const plannedUnused = new Map<string, number>();
let pathCount = 0;
let stateCount = 0;

it('knows the delayed retry transition by its event', () => {
  const reconnecting = visitorMachine.getStateNodeById('visitor.connection.reconnecting');
  expect(reconnecting.after.map((t) => t.eventType)).toEqual([AFTER_RETRY]);
});

for (const { name, input, offered } of inputs) {
  describe(`visitor machine model, ${name}`, () => {
    const { model, stepper, plan } = createVisitorTestModel(input, offered);
    const { paths, statesInModel, unreachable, unused } = plan();
    pathCount += paths.length;
    stateCount += statesInModel;
    for (const description of unreachable) {
      plannedUnreachable.set(description, (plannedUnreachable.get(description) ?? 0) + 1);
    }
    for (const event of unused) plannedUnused.set(event, (plannedUnused.get(event) ?? 0) + 1);

    it('generates a bounded set of paths', () => {
      expect(paths.length).toBeGreaterThan(50);
      expect(paths.length).toBeLessThan(1_000);
    });

    paths.forEach((path, i) => {
      const title = path.steps
        .slice(1)
        .map((step) => label(step.event))
        .join(' → ');
      it(`path ${i}: ${title}`, async () => {
        const runner = new PathRunner(path, input, stepper, coverage);
        try {
          await model.testPath(path, runner.params());
        } finally {
          runner.dispose();
        }
      });
    });
  });
}

describe('coverage of the visitor machine by the generated paths', () => {
  afterAll(() => {
    console.info(
      `visitor model: ${stateCount} model states, ${pathCount} paths; the real visitor took ${coverage.transitions.size} ` +
        `of ${inventory.transitions.size} transitions and ${coverage.nodes.size} of ` +
        `${inventory.nodes.length} state nodes`,
    );
  });

  // Reads what the path tests above recorded, so it only means something after them (it
  // fails, listing everything, when run alone).
  it('takes every state node and every transition of the machine', () => {
    // Transitions no model could reach show up in every model's list.
    const neverPlanned = [...plannedUnreachable]
      .filter(([, count]) => count === inputs.length)
      .map(([description]) => description);
    const neverSent = [...plannedUnused]
      .filter(([, count]) => count === inputs.length)
      .map(([event]) => event);
    const { nodes, transitions } = coverage.missing(inventory);
    expect(
      { nodes, transitions, neverPlanned, neverSent },
      'state nodes and transitions of visitorMachine that no generated path took in the real ' +
        'visitor, and sample events no model state offers',
    ).toEqual({ nodes: [], transitions: [], neverPlanned: [], neverSent: [] });
  });
});
