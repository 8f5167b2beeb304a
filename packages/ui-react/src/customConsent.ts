import type { ConsentDecision, ConsentRequest, Visitor } from '@beckon/core';

/** A custom-UI request as `useConsentRequest` sees it: a new object per request. */
export interface CustomConsent {
  request: ConsentRequest | null;
}

export interface CustomConsentStore {
  getSnapshot(): CustomConsent;
  subscribe(onStoreChange: () => void): () => void;
  /** Signals `terms: displayed` for this request, once, however many components show it. */
  markDisplayed(consent: CustomConsent): void;
  /** Follows the spec's custom-UI steps; `false` when `consent` is no longer pending. */
  answer(consent: CustomConsent, decision: ConsentDecision): boolean;
}

const NONE: CustomConsent = Object.freeze({ request: null });

function createStore(visitor: Visitor): CustomConsentStore {
  let snapshot = NONE;
  // The visitor-state request answered here, so it is never picked up again.
  let answered: ConsentRequest | undefined;
  let displayed: CustomConsent | undefined;
  const listeners = new Set<() => void>();
  let detach: (() => void) | undefined;

  const set = (next: CustomConsent) => {
    if (next === snapshot) return;
    snapshot = next;
    for (const listener of [...listeners]) listener();
  };

  // The visitor's state says when a request is over (answered, withdrawn, disconnected).
  // `seed` also picks up one that was handed to the app while nothing listened for
  // `showTerms`: with the default UI off, a shown request is always the app's to answer.
  const sync = (seed: boolean) => {
    const state = visitor.getSnapshot();
    const live = state.terms === 'shown' ? state.request : undefined;
    if (!live) {
      answered = undefined;
      set(NONE);
      return;
    }
    if (seed && snapshot.request === null && !state.defaultUI && live !== answered) {
      set(Object.freeze({ request: live }));
    }
  };

  return {
    getSnapshot() {
      // Without listeners nothing keeps the snapshot current; reconcile on read instead.
      if (!detach) sync(true);
      return snapshot;
    },
    subscribe(onStoreChange) {
      // A wrapper per subscription: the same callback subscribed twice stays counted twice.
      const listener = () => onStoreChange();
      listeners.add(listener);
      if (!detach) {
        const offTerms = visitor.on('showTerms', ({ sessionKey, termsUrl }) => {
          answered = undefined;
          const request: ConsentRequest = {
            sessionKey,
            ...(termsUrl === undefined ? {} : { termsUrl }),
            visitorId: visitor.getSnapshot().visitorId ?? '',
          };
          set(Object.freeze({ request: Object.freeze(request) }));
        });
        const offState = visitor.subscribe(() => sync(false));
        detach = () => {
          offTerms();
          offState();
        };
        sync(true);
      }
      return () => {
        listeners.delete(listener);
        // The last one out detaches, so an unmounted tree leaves no listener on the visitor.
        if (listeners.size === 0 && detach) {
          detach();
          detach = undefined;
        }
      };
    },
    markDisplayed(consent) {
      if (consent.request === null || consent !== snapshot || displayed === consent) return;
      displayed = consent;
      visitor.signalAgent('terms', { status: 'displayed' });
    },
    answer(consent, decision) {
      const { request } = consent;
      if (request === null || consent !== snapshot) return false;
      answered = visitor.getSnapshot().request;
      set(NONE);
      // The spec's custom-UI steps 3 and 4, through the visitor's public API.
      visitor.signalAgent('terms', { status: decision });
      if (decision === 'accepted') {
        visitor.startSession({ key: request.sessionKey, presenceStart: true });
      }
      return true;
    },
  };
}

const stores = new WeakMap<Visitor, CustomConsentStore>();

/** The one custom-consent store of a visitor, shared by every component that asks. */
export function customConsentStore(visitor: Visitor): CustomConsentStore {
  let store = stores.get(visitor);
  if (!store) {
    store = createStore(visitor);
    stores.set(visitor, store);
  }
  return store;
}
