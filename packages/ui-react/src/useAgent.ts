import type { Agent } from '@beckon/core/agent';
import { useContextAgent } from './beckonContext.js';

/**
 * The agent from the nearest `<BeckonProvider agent={…}>`, to send requests. Throws a clear
 * Error outside a provider or when the provider has no agent.
 *
 * @example
 * function ConnectButton({ visitorId }: { visitorId: string }) {
 *   const agent = useAgent();
 *   return <button onClick={() => agent.showTerms(visitorId).catch(console.warn)}>Connect</button>;
 * }
 */
export function useAgent(): Agent {
  return useContextAgent('useAgent()');
}
