import type { ConsentPrompt, Visitor } from '@beckon/core';
import type { Agent } from '@beckon/core/agent';
import { type ReactNode, useMemo } from 'react';
import { BeckonContext } from './beckonContext.js';

export interface BeckonProviderProps {
  /** The visitor the visitor-side hooks read, from `createVisitor`. */
  visitor?: Visitor | undefined;
  /** The agent the agent-side hooks read, from `createAgent`. */
  agent?: Agent | undefined;
  /**
   * The headless consent prompt passed to `createVisitor({ ui: prompt.ui })`, so that
   * `useConsentRequest()` and `<ConsentDialog />` can show and answer default-UI requests.
   */
  consent?: ConsentPrompt | undefined;
  children?: ReactNode;
}

function assertStore(name: string, value: unknown, example: string): void {
  if (value === undefined) return;
  const store = value as { getSnapshot?: unknown; subscribe?: unknown } | null;
  if (typeof store?.getSnapshot !== 'function' || typeof store.subscribe !== 'function') {
    throw new TypeError(`<BeckonProvider>: the ${name} prop must come from ${example}`);
  }
}

/**
 * Makes a visitor, an agent and a consent prompt available to Beckon's hooks. It only
 * passes them down: it never creates, connects or disconnects anything, so it is safe under
 * StrictMode's double mounting — create the visitor once, outside React (or in a module),
 * and connect it where your app logs the user in.
 *
 * @example
 * import { createConsentPrompt, createVisitor } from '@beckon/core';
 * import { BeckonProvider, ConsentDialog } from '@beckon/ui-react';
 *
 * const consent = createConsentPrompt();
 * const visitor = createVisitor({ transport, ui: consent.ui });
 *
 * root.render(
 *   <BeckonProvider visitor={visitor} consent={consent}>
 *     <App />
 *     <ConsentDialog />
 *   </BeckonProvider>,
 * );
 */
export function BeckonProvider({ visitor, agent, consent, children }: BeckonProviderProps) {
  assertStore('visitor', visitor, 'createVisitor()');
  assertStore('agent', agent, 'createAgent()');
  assertStore('consent', consent, 'createConsentPrompt()');
  const value = useMemo(() => ({ visitor, agent, consent }), [visitor, agent, consent]);
  return <BeckonContext.Provider value={value}>{children}</BeckonContext.Provider>;
}
