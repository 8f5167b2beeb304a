import type {
  AnyStateMachine,
  AnyStateNode,
  AnyTransitionDefinition,
  InspectionEvent,
} from 'xstate';

/**
 * A name for one transition of a machine that is the same in the machine and in any
 * `machine.provide(…)` copy of it (whose state nodes are new objects): source node, event
 * (`(always)` for eventless ones) and position among that event's guarded alternatives.
 */
export function transitionKey(t: AnyTransitionDefinition): string {
  const source = t.source as AnyStateNode;
  const siblings: readonly AnyTransitionDefinition[] | undefined =
    t.eventType === '' ? source.always : source.transitions.get(t.eventType);
  const index = siblings?.indexOf(t) ?? -1;
  return `${source.id} ${t.eventType === '' ? '(always)' : t.eventType} #${index}`;
}

function describeTransition(t: AnyTransitionDefinition): string {
  const guard = t.guard as unknown;
  const guardName =
    guard === undefined
      ? ''
      : typeof guard === 'string'
        ? ` [${guard}]`
        : typeof guard === 'function'
          ? ' [inline guard]'
          : ` [${String((guard as { type?: unknown }).type)}]`;
  const targets = t.target?.map((node) => node.id).join(', ');
  return `${transitionKey(t)}${guardName}${targets ? ` → ${targets}` : ''}`;
}

/** Everything a machine defines that a test run should take: its state nodes and transitions. */
export interface MachineInventory {
  /** Every state node id, the root included. */
  nodes: string[];
  /** Every transition (`on`, `after` and `always` entries, guarded alternatives apart), by key, with a readable description. */
  transitions: Map<string, string>;
}

/**
 * Lists every state node and every transition of `machine`, read from its own definition.
 *
 * @example
 * const { nodes, transitions } = machineInventory(visitorMachine);
 */
export function machineInventory(machine: AnyStateMachine): MachineInventory {
  const nodes: string[] = [];
  const transitions = new Map<string, string>();
  const add = (t: AnyTransitionDefinition) =>
    transitions.set(transitionKey(t), describeTransition(t));
  const visit = (node: AnyStateNode) => {
    nodes.push(node.id);
    for (const list of node.transitions.values()) for (const t of list) add(t);
    // Delayed transitions are also in `transitions` under their `xstate.after.*` event; the
    // set keeps them once, and listing them here keeps them even if that ever changes.
    for (const t of node.after) add(t);
    for (const t of node.always ?? []) add(t);
    for (const child of Object.values(node.states)) visit(child);
  };
  visit(machine.root);
  return { nodes, transitions };
}

/** What a running actor actually did, collected from its inspection events. */
export class CoverageRecorder {
  readonly transitions = new Set<string>();
  readonly nodes = new Set<string>();

  /** Feed it every inspection event of the actor under test. */
  record(event: InspectionEvent): void {
    if (event.type !== '@xstate.microstep') return;
    for (const t of event._transitions) this.transitions.add(transitionKey(t));
    this.addNodes(event.snapshot);
  }

  /** Adds the state nodes active in a machine snapshot (for states no microstep reported, e.g. the initial ones). */
  addNodes(snapshot: unknown): void {
    const nodes = (snapshot as { _nodes?: readonly AnyStateNode[] })._nodes ?? [];
    for (const node of nodes) this.nodes.add(node.id);
  }

  /** What `inventory` defines that was never taken, as readable lines. */
  missing(inventory: MachineInventory): { nodes: string[]; transitions: string[] } {
    return {
      nodes: inventory.nodes.filter((id) => !this.nodes.has(id)),
      transitions: [...inventory.transitions]
        .filter(([key]) => !this.transitions.has(key))
        .map(([, description]) => description),
    };
  }
}
