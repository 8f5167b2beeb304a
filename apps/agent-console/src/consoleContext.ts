import { createContext, useContext, useSyncExternalStore } from 'react';
import type { ConsoleState, ConsoleStore } from './createConsoleStore.js';

export const ConsoleStoreContext = createContext<ConsoleStore | null>(null);
ConsoleStoreContext.displayName = 'ConsoleStoreContext';

/**
 * The console store of the nearest `ConsoleStoreContext` provider, to run requests.
 *
 * @example
 * const store = useConsoleStore();
 * return <button onClick={() => void store.oneClickConnect(visitorId)}>Connect</button>;
 */
export function useConsoleStore(): ConsoleStore {
  const store = useContext(ConsoleStoreContext);
  if (!store) throw new Error('useConsoleStore() must be used inside <ConsoleStoreContext>');
  return store;
}

/**
 * The console store's state, re-rendering when it changes.
 *
 * @example
 * const { timelines } = useConsoleState();
 */
export function useConsoleState(): ConsoleState {
  const store = useConsoleStore();
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
}
