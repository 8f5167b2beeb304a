import type { ConsentPromptState, ConsentRequest } from '@beckon/core';
import { useCallback, useEffect, useMemo, useSyncExternalStore } from 'react';
import { useBeckonContext } from './beckonContext.js';

/** A consent request awaiting the visitor's answer, with the two ways to answer it. */
export interface ConsentRequestHandle {
  request: ConsentRequest;
  /** Accepts: the session starts. `false` when the request was already over. */
  accept(): boolean;
  /** Declines. `false` when the request was already over. */
  decline(): boolean;
}

const NO_PROMPT: ConsentPromptState = Object.freeze({ request: null });
const noSubscription = () => () => {};

/**
 * The consent request the visitor should answer now, or `null` — for building your own
 * consent UI (`<ConsentDialog />` is built on it). The consent logic itself lives in
 * `@beckon/core`; this hook only reads it and calls it.
 *
 * It serves both of the spec's paths:
 * - **Default UI**: the provider has a `consent` prompt (`createConsentPrompt()`, passed to
 *   `createVisitor({ ui: prompt.ui })`) and the default UI is on. Core has already told the
 *   agent the dialog is displayed; `accept()` / `decline()` answer the prompt.
 * - **Custom UI** (`visitor.setDefaultUI(false)`, or a visitor without a UI): the request
 *   is the visitor's pending one. Once it is on screen the hook calls
 *   `visitor.termsDisplayed(request)`; `accept()` and `decline()` call
 *   `visitor.acceptTerms(request)` / `visitor.declineTerms(request)`, which signal the agent
 *   and, on accept, start the session.
 *
 * Either way an answer is bound to its request: a late click never answers a newer one.
 *
 * @example
 * function MyConsent() {
 *   const consent = useConsentRequest();
 *   if (!consent) return null;
 *   return (
 *     <div role="dialog" aria-label="Share your screen?">
 *       <button onClick={consent.accept}>Share</button>
 *       <button onClick={consent.decline}>Not now</button>
 *     </div>
 *   );
 * }
 */
export function useConsentRequest(): ConsentRequestHandle | null {
  const { visitor, consent } = useBeckonContext('useConsentRequest()');
  if (!visitor) {
    throw new Error(
      'useConsentRequest() needs a visitor: render <BeckonProvider visitor={visitor}>',
    );
  }
  const state = useSyncExternalStore(visitor.subscribe, visitor.getSnapshot, visitor.getSnapshot);
  // With the default UI on, core hands requests to its dialog, never to the app.
  const custom = !state.defaultUI && state.terms === 'shown' ? state.request : undefined;

  const subscribePrompt = useCallback(
    (onStoreChange: () => void) =>
      consent ? consent.subscribe(() => onStoreChange()) : noSubscription(),
    [consent],
  );
  const getPrompt = useCallback(() => consent?.getSnapshot() ?? NO_PROMPT, [consent]);
  const prompted = useSyncExternalStore(subscribePrompt, getPrompt, getPrompt);

  // "Displayed" once it is on screen: after commit. Core reports it once per request, so
  // StrictMode's double effects and several components still signal once.
  useEffect(() => {
    if (custom && prompted.request === null) visitor.termsDisplayed(custom);
  }, [visitor, custom, prompted]);

  return useMemo(() => {
    if (consent && prompted.request) {
      const answer = (accept: boolean) =>
        consent.getSnapshot() === prompted && (accept ? consent.accept() : consent.decline());
      return {
        request: prompted.request,
        accept: () => answer(true),
        decline: () => answer(false),
      };
    }
    if (custom) {
      return {
        request: custom,
        accept: () => visitor.acceptTerms(custom),
        decline: () => visitor.declineTerms(custom),
      };
    }
    return null;
  }, [consent, prompted, visitor, custom]);
}
