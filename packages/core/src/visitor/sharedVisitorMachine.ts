import type { Actor, ActorScope, AnyActorLogic, Snapshot } from 'xstate';
import { type VisitorMachine, visitorMachine } from './visitorMachine.js';

/** The machine's named actors, as `createVisitor` fills them in for one visitor. */
export type VisitorActorName = 'socket' | 'consentDialog' | 'session' | 'push' | 'pushRemoval';
export type VisitorActors = Partial<Record<VisitorActorName, AnyActorLogic>>;

type System = Actor<VisitorMachine>['system'];

// Each visitor's actors, found through the actor system its machine runs in: every actor
// of one visitor shares its root's system, and no two visitors share one.
const actorsBySystem = new WeakMap<System, VisitorActors>();

// An actor that runs the logic of the visitor it belongs to, or the machine's placeholder.
// Every actor of the visitor machine is callback logic, whose snapshot is persisted as it
// is, so the one hook without a scope needs no visitor.
function delegate(name: VisitorActorName): AnyActorLogic {
  const placeholder = visitorMachine.implementations.actors[name] as AnyActorLogic;
  const pick = (scope: ActorScope<Snapshot<unknown>, never>) =>
    actorsBySystem.get(scope.system as System)?.[name] ?? placeholder;
  return {
    config: placeholder.config,
    transition: (snapshot, event, scope) => pick(scope).transition(snapshot, event, scope),
    start: (snapshot, scope) => pick(scope).start?.(snapshot, scope),
    getInitialSnapshot: (scope, input) => pick(scope).getInitialSnapshot(scope, input),
    getPersistedSnapshot: (snapshot) => snapshot,
  };
}

let shared: VisitorMachine | undefined;

/**
 * The visitor machine every `createVisitor` runs: provided once per process, not once per
 * visitor (a provided machine is a whole new tree of state nodes), with actors that run the
 * logic {@link bindVisitorActors} gave the visitor.
 *
 * @example
 * const actor = createActor(sharedVisitorMachine(), { input: {} });
 * bindVisitorActors(actor, { socket: createVisitorConnection(connection) });
 * actor.start();
 */
export function sharedVisitorMachine(): VisitorMachine {
  shared ??= visitorMachine.provide({
    actors: {
      socket: delegate('socket'),
      consentDialog: delegate('consentDialog'),
      session: delegate('session'),
      push: delegate('push'),
      pushRemoval: delegate('pushRemoval'),
    } as NonNullable<Parameters<VisitorMachine['provide']>[0]['actors']>,
  });
  return shared;
}

/**
 * Gives one visitor's actor (of {@link sharedVisitorMachine}, not yet started) its actors'
 * logic; those it leaves out stay the machine's placeholders.
 *
 * @example
 * bindVisitorActors(actor, { socket, consentDialog: createConsentActor(ui) });
 */
export function bindVisitorActors(actor: Actor<VisitorMachine>, actors: VisitorActors): void {
  actorsBySystem.set(actor.system, actors);
}
