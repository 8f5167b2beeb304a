import { useCallback, useEffect, useMemo, useRef, useSyncExternalStore } from 'react';

/** The store shape shared by `Visitor` and `Agent`: a plain state, new only on change. */
export interface SnapshotStore<S> {
  getSnapshot(): S;
  subscribe(listener: (state: S) => void): () => void;
}

/**
 * `useSyncExternalStore` with a selector, like `use-sync-external-store/with-selector`
 * without the dependency: the selector runs once per store snapshot, and a result that
 * `isEqual` finds equal to the previous one is replaced by the previous one, so an inline
 * selector returning a fresh object neither loops nor re-renders for nothing.
 */
export function useSelectedSnapshot<S, T>(
  store: SnapshotStore<S>,
  selector: (state: S) => T,
  isEqual: (a: T, b: T) => boolean,
): T {
  const subscribe = useCallback(
    (onStoreChange: () => void) => store.subscribe(() => onStoreChange()),
    [store],
  );
  // The last committed selection: a new selector (an inline arrow each render) still gets
  // to keep it when equal.
  const committed = useRef<{ value: T } | null>(null);
  const getSelection = useMemo(() => {
    let memo: { snapshot: S; value: T } | undefined;
    return () => {
      const snapshot = store.getSnapshot();
      if (memo && Object.is(memo.snapshot, snapshot)) return memo.value;
      const next = selector(snapshot);
      const previous = memo ?? committed.current;
      const value = previous && isEqual(previous.value, next) ? previous.value : next;
      memo = { snapshot, value };
      return value;
    };
  }, [store, selector, isEqual]);
  const value = useSyncExternalStore(subscribe, getSelection, getSelection);
  useEffect(() => {
    committed.current = { value };
  }, [value]);
  return value;
}
