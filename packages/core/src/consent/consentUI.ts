/** What the agent asked the visitor to agree to. */
export interface ConsentRequest {
  /** The key the screen-share session will use: the agent's, or the visitor ID. */
  sessionKey: string;
  /** The terms and conditions page to link to, when the agent's side configured one. */
  termsUrl?: string;
  visitorId: string;
}

/** The visitor's answer to a {@link ConsentRequest}. */
export type ConsentDecision = 'accepted' | 'declined';

/**
 * The contract for a consent (terms) dialog, the spec's "Default UI". Core calls `show`
 * when an agent asks for a session and the default UI is on; the dialog calls `respond`
 * once. Core signals the agent (`terms` displayed / accepted / declined) and starts the
 * session itself, so a dialog only renders and reports.
 *
 * @example
 * const confirmUI: ConsentUI = {
 *   show(request, respond) {
 *     respond(window.confirm(`Share your screen (session ${request.sessionKey})?`) ? 'accepted' : 'declined');
 *   },
 * };
 * const visitor = createVisitor({ transport, ui: confirmUI });
 */
export interface ConsentUI {
  /**
   * Shows the dialog. Return a function that removes it: core calls it once the request is
   * over — answered, or withdrawn before the visitor answered (a newer request arrived, or
   * the app called `disconnect()`).
   *
   * A dialog that cannot show throws; one that finds out later (its code failed to load)
   * calls `fail` instead (core always passes it). Either way core hands the request to the app (`showTerms`).
   *
   * Core tells the agent the terms are displayed once `show` returns, unless the dialog
   * sets {@link ConsentUI.reportsDisplay}: then it calls `displayed` when it is on screen.
   */
  show(
    request: ConsentRequest,
    respond: (decision: ConsentDecision) => void,
    fail?: (reason: string) => void,
    displayed?: () => void,
  ): (() => void) | undefined;
  /**
   * Set by a dialog that may appear later than `show` returns (its code loads on demand):
   * it calls `show`'s `displayed` once the visitor can see it, and the agent hears
   * "displayed" then — never for a dialog that failed to appear.
   */
  readonly reportsDisplay?: boolean;
}
