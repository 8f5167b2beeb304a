import type { ConsentPrompt, Visitor } from '@beckon/core';
import type { Agent } from '@beckon/core/agent';
import { createContext, useContext } from 'react';

/** What a `<BeckonProvider>` hands down. */
export interface BeckonContextValue {
  visitor: Visitor | undefined;
  agent: Agent | undefined;
  consent: ConsentPrompt | undefined;
}

export const BeckonContext = createContext<BeckonContextValue | null>(null);
BeckonContext.displayName = 'BeckonContext';

/** The provider's value; throws a clear Error outside a provider. */
export function useBeckonContext(hook: string): BeckonContextValue {
  const value = useContext(BeckonContext);
  if (value === null) {
    throw new Error(`${hook} must be used inside a <BeckonProvider>`);
  }
  return value;
}

/** The provider's visitor; throws when there is no provider or it was given no visitor. */
export function useContextVisitor(hook: string): Visitor {
  const { visitor } = useBeckonContext(hook);
  if (!visitor) {
    throw new Error(`${hook} needs a visitor: render <BeckonProvider visitor={visitor}>`);
  }
  return visitor;
}

/** The provider's agent; throws when there is no provider or it was given no agent. */
export function useContextAgent(hook: string): Agent {
  const { agent } = useBeckonContext(hook);
  if (!agent) {
    throw new Error(`${hook} needs an agent: render <BeckonProvider agent={agent}>`);
  }
  return agent;
}
