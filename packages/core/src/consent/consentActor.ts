import { fromCallback } from 'xstate';
import type { ConsentDecision, ConsentRequest, ConsentUI } from './consentUI.js';

/** What the consent dialog tells the visitor machine. */
export type ConsentEvent =
  | { type: 'consent.answered'; decision: ConsentDecision }
  /** The dialog is on screen: the agent may hear "displayed". */
  | { type: 'consent.displayed' }
  /** The dialog could not show (it threw, or said so later); the machine hands the request to the app. */
  | { type: 'consent.failed'; reason: string };

/**
 * The visitor machine's `consentDialog` actor for a {@link ConsentUI}: shows the request,
 * reports the first answer, and hides the dialog when the machine stops the actor (the
 * request was answered, replaced, or withdrawn).
 *
 * @example
 * const machine = visitorMachine.provide({ actors: { consentDialog: createConsentActor(myConsentUI) } });
 */
export function createConsentActor(ui: ConsentUI) {
  return fromCallback<{ type: 'consent.none' }, ConsentRequest, ConsentEvent>(
    ({ input, sendBack }) => {
      let over = false;
      let shown = false;
      let hide: (() => void) | undefined;
      const displayed = () => {
        if (over || shown) return;
        shown = true;
        sendBack({ type: 'consent.displayed' });
      };
      const fail = (reason: string) => {
        if (over) return;
        over = true;
        sendBack({ type: 'consent.failed', reason: String(reason) });
      };
      try {
        hide =
          ui.show(
            input,
            (decision) => {
              // A dialog may call back twice (double click); only the first answer counts.
              if (over) return;
              if (decision !== 'accepted' && decision !== 'declined') return;
              // An answer means the visitor saw it, even from a dialog that answers inside
              // show or never said so: the agent hears "displayed" first.
              displayed();
              over = true;
              sendBack({ type: 'consent.answered', decision });
            },
            fail,
            displayed,
          ) ?? undefined;
        if (!ui.reportsDisplay) displayed();
      } catch (error) {
        fail(error instanceof Error ? error.message : String(error));
      }
      return () => {
        over = true;
        try {
          hide?.();
        } catch {
          // Closing a dialog that is already gone is not the visitor's problem.
        }
      };
    },
  );
}
