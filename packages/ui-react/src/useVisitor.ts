import type { Visitor } from '@beckon/core';
import { useContextVisitor } from './beckonContext.js';

/**
 * The visitor from the nearest `<BeckonProvider>`, to call its methods. Throws a clear
 * Error outside a provider or when the provider has no visitor.
 *
 * @example
 * function ShareButton() {
 *   const visitor = useVisitor();
 *   return <button onClick={() => visitor.presence({ url: location.pathname })}>Ping</button>;
 * }
 */
export function useVisitor(): Visitor {
  return useContextVisitor('useVisitor()');
}
