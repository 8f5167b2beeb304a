/** Listeners by event type, for the `on(type, listener)` of a session's two ends. */
export interface Listeners<M> {
  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof M & string>(type: K, listener: (event: M[K]) => void): () => void;
  /** Calls the listeners of `type`, in the order they were added. */
  tell<K extends keyof M & string>(type: K, event: M[K]): void;
  /** Removes every listener. */
  clear(): void;
}

/**
 * A registry of listeners by event type. A listener that throws is logged and the others
 * still run: an app's listener must not take the session down. One added or removed while
 * an event is told takes effect from the next event.
 *
 * @example
 * const listeners = createListeners<AgentSessionEventMap>();
 * const off = listeners.on('viewers', ({ viewers }) => console.log(viewers));
 * listeners.tell('viewers', { viewers: 2 });
 */
export function createListeners<M>(): Listeners<M> {
  const byType = new Map<string, Set<(event: never) => void>>();
  return {
    on(type, listener) {
      let set = byType.get(type);
      if (!set) {
        set = new Set();
        byType.set(type, set);
      }
      set.add(listener as (event: never) => void);
      return () => {
        byType.get(type)?.delete(listener as (event: never) => void);
      };
    },
    tell(type, event) {
      for (const listener of [...(byType.get(type) ?? [])]) {
        try {
          (listener as (e: typeof event) => void)(event);
        } catch (error) {
          console.error(`beckon session: a "${type}" listener failed`, error);
        }
      }
    },
    clear: () => byType.clear(),
  };
}
