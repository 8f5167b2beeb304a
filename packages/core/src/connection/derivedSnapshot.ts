/** The parts of an XState actor a derived view needs. */
interface SnapshotSource {
  getSnapshot(): unknown;
  subscribe(listener: () => void): unknown;
}

/** A plain view of an actor, for `useSyncExternalStore` and friends. */
export interface DerivedSnapshot<S> {
  getSnapshot(): S;
  subscribe(listener: (state: S) => void): () => void;
}

/**
 * Derives a plain view from an actor's snapshot. The view is a new object only when `same`
 * says it changed, and it is current even inside the actor's own event listeners, which
 * run before subscribers hear of the new snapshot: it is recomputed whenever the actor's
 * snapshot object has changed since the last read.
 *
 * @example
 * const view = deriveSnapshot(actor, () => ({ status: actor.getSnapshot().value }), (a, b) => a.status === b.status);
 * view.subscribe((state) => render(state));
 */
export function deriveSnapshot<A extends SnapshotSource, S>(
  actor: A,
  derive: (actor: A) => S,
  same: (a: S, b: S) => boolean,
): DerivedSnapshot<S> {
  let raw = actor.getSnapshot();
  let state = derive(actor);
  let notified = state;
  const listeners = new Set<(state: S) => void>();
  const read = () => {
    const current = actor.getSnapshot();
    if (current !== raw) {
      raw = current;
      const next = derive(actor);
      if (!same(state, next)) state = next;
    }
    return state;
  };
  actor.subscribe(() => {
    const current = read();
    // A read inside an event listener may already have moved `state`; subscribers still
    // hear about every change once.
    if (current === notified) return;
    notified = current;
    for (const listener of [...listeners]) listener(current);
  });
  return {
    getSnapshot: read,
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
