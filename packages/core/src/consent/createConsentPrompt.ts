import type { ConsentDecision, ConsentRequest, ConsentUI } from './consentUI.js';

/** What a {@link ConsentPrompt} shows: the request awaiting an answer, or `null`. */
export interface ConsentPromptState {
  request: ConsentRequest | null;
}

/**
 * A headless default consent UI: core's "Default UI" path, with the dialog left to any
 * renderer (React, Vue, a test). Pass `ui` to `createVisitor({ ui })`, render
 * `getSnapshot().request`, and call `accept()` or `decline()`; core then signals the agent
 * and starts the session itself.
 */
export interface ConsentPrompt {
  /** The `ConsentUI` to pass to `createVisitor({ ui })`. */
  readonly ui: ConsentUI;
  /** The current state: a new object only when the pending request changed. */
  getSnapshot(): ConsentPromptState;
  /** Calls `listener` with each new state; returns the function that stops it. */
  subscribe(listener: (state: ConsentPromptState) => void): () => void;
  /** Answers the pending request with "accepted". `false` when nothing was pending. */
  accept(): boolean;
  /** Answers the pending request with "declined". `false` when nothing was pending. */
  decline(): boolean;
}

const EMPTY: ConsentPromptState = Object.freeze({ request: null });

/**
 * Creates a headless consent prompt: a `ConsentUI` whose pending request is readable as a
 * store (`getSnapshot` / `subscribe`, shaped for React's `useSyncExternalStore`) and whose
 * answer any code can give with `accept()` / `decline()`.
 *
 * The pending request clears as soon as it is answered, and when core withdraws it (a newer
 * request replaced it, or the app called `disconnect()`). `accept()` and `decline()` with
 * nothing pending do nothing and return `false`, so a double click or a late click on a
 * withdrawn dialog is harmless.
 *
 * @example
 * import { createConsentPrompt, createVisitor } from '@beckon/core';
 *
 * const prompt = createConsentPrompt();
 * const visitor = createVisitor({ transport, ui: prompt.ui });
 * prompt.subscribe(({ request }) => {
 *   if (request) myDialog.open(request.termsUrl);
 *   else myDialog.close();
 * });
 * myDialog.onAccept = () => prompt.accept(); // core signals "accepted" and starts the session
 * myDialog.onDecline = () => prompt.decline();
 */
export function createConsentPrompt(): ConsentPrompt {
  let state: ConsentPromptState = EMPTY;
  // The respond callback belongs to the request it came with; a newer show replaces both.
  let respond: ((decision: ConsentDecision) => void) | undefined;
  const listeners = new Set<(state: ConsentPromptState) => void>();

  // Every listener hears every change even if one throws; the first error is returned.
  const publish = (next: ConsentPromptState): { error: unknown } | undefined => {
    state = next;
    let failure: { error: unknown } | undefined;
    for (const listener of [...listeners]) {
      try {
        listener(next);
      } catch (error) {
        failure ??= { error };
      }
    }
    return failure;
  };

  const answer = (decision: ConsentDecision): boolean => {
    const pending = respond;
    if (!pending || state.request === null) return false;
    // Clear first, so listeners see the dialog close even if core's hide comes later.
    respond = undefined;
    const failure = publish(EMPTY);
    pending(decision);
    if (failure) throw failure.error;
    return true;
  };

  const ui: ConsentUI = {
    show(request, reply) {
      // Copied, so the state never shares an object core might hand out elsewhere.
      const shown: ConsentPromptState = Object.freeze({ request: Object.freeze({ ...request }) });
      respond = reply;
      const failure = publish(shown);
      if (failure) {
        // A renderer that cannot show the request must not keep it: core hands a throwing
        // dialog's request to the app (`showTerms`), so withdraw it here and report.
        respond = undefined;
        publish(EMPTY);
        throw failure.error;
      }
      return () => {
        // Only the request this call showed: a newer one may already be on screen.
        if (state !== shown) return;
        respond = undefined;
        const failure = publish(EMPTY);
        if (failure) throw failure.error;
      };
    },
  };

  return {
    ui,
    getSnapshot: () => state,
    subscribe(listener) {
      if (typeof listener !== 'function') {
        throw new TypeError('ConsentPrompt.subscribe: listener must be a function');
      }
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    accept: () => answer('accepted'),
    decline: () => answer('declined'),
  };
}
