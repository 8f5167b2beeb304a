import type { ConsentPromptState, ConsentRequest } from '@beckon/core';
import { useCallback, useEffect, useMemo, useSyncExternalStore } from 'react';
import { useBeckonContext } from './beckonContext.js';
import { customConsentStore } from './customConsent.js';

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
 * consent UI (`<ConsentDialog />` is built on it).
 *
 * It serves both of the spec's paths and answers each the right way:
 * - **Default UI**: the provider has a `consent` prompt (`createConsentPrompt()`, passed to
 *   `createVisitor({ ui: prompt.ui })`) and the default UI is on. `accept()` / `decline()`
 *   answer the prompt; core signals the agent and starts the session itself.
 * - **Custom UI** (`visitor.setDefaultUI(false)`, or a visitor without a UI): the request
 *   comes from the visitor's `showTerms` event. The hook signals `terms: displayed` once when
 *   the request is first rendered; `accept()` signals `accepted` and calls
 *   `startSession({ key: request.sessionKey, presenceStart: true })`; `decline()` signals
 *   `declined`.
 *
 * The request goes away once answered, or when the visitor's consent flow leaves the
 * `shown` state (a disconnect, a withdrawn request).
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
  const store = customConsentStore(visitor);
  const custom = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);

  const subscribePrompt = useCallback(
    (onStoreChange: () => void) =>
      consent ? consent.subscribe(() => onStoreChange()) : noSubscription(),
    [consent],
  );
  const getPrompt = useCallback(() => consent?.getSnapshot() ?? NO_PROMPT, [consent]);
  const prompted = useSyncExternalStore(subscribePrompt, getPrompt, getPrompt);

  // "Displayed" once it is on screen: after commit, deduplicated by the shared store, so
  // StrictMode's double effects and several components still signal once.
  const showsCustom = prompted.request === null && custom.request !== null;
  useEffect(() => {
    if (showsCustom) store.markDisplayed(custom);
  }, [store, custom, showsCustom]);

  return useMemo(() => {
    if (consent && prompted.request) {
      // Bound to this request: a late click never answers a newer one.
      const answer = (accept: boolean) =>
        consent.getSnapshot() === prompted && (accept ? consent.accept() : consent.decline());
      return {
        request: prompted.request,
        accept: () => answer(true),
        decline: () => answer(false),
      };
    }
    if (custom.request) {
      return {
        request: custom.request,
        accept: () => store.answer(custom, 'accepted'),
        decline: () => store.answer(custom, 'declined'),
      };
    }
    return null;
  }, [consent, prompted, store, custom]);
}
