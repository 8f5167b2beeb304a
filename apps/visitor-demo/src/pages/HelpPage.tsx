import type { ConnectionStatus } from '@beckon/core';
import { safeTermsUrl } from '@beckon/core';
import { type ConsentRequestHandle, useConsentRequest, useVisitorState } from '@beckon/ui-react';
import { useId } from 'react';

const CONNECTION_WORDS: Record<ConnectionStatus, string> = {
  uninitialized: 'starting',
  initialized: 'starting',
  connecting: 'connecting to support…',
  connected: 'support can reach you',
  reconnecting: 'reconnecting to support…',
  disconnected: 'not connected to support',
  notConfigured: 'support is not set up for this shop',
};

/**
 * The inline consent panel: the spec's custom UI. `useConsentRequest()` signals
 * `terms: displayed` once it is on screen; Accept signals `accepted` and starts the
 * session with the agent's key, Decline signals `declined`.
 */
function ConsentPanel({ consent }: { consent: ConsentRequestHandle }) {
  const titleId = useId();
  const termsUrl = safeTermsUrl(consent.request.termsUrl);
  return (
    <section className="consent-panel" data-testid="custom-consent" aria-labelledby={titleId}>
      <div className="consent-panel__icon" aria-hidden="true">
        <svg
          aria-hidden="true"
          viewBox="0 0 24 24"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.8"
          strokeLinecap="round"
          strokeLinejoin="round"
        >
          <path d="M4 5h16a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1z" />
          <path d="M8 21h8M12 17v4" />
        </svg>
      </div>
      <div className="consent-panel__body">
        <h2 id={titleId}>An agent would like to see your screen</h2>
        <p>
          Our support team asked to start a screen share so they can guide you. They will only see
          this shop, and you can end it at any time from the banner at the top.
        </p>
        <p className="muted">
          Session key <code data-testid="custom-consent-key">{consent.request.sessionKey}</code>
          {termsUrl ? (
            <>
              {' · '}
              <a href={termsUrl} target="_blank" rel="noopener noreferrer">
                Read the terms<span className="sr-only"> (opens in a new tab)</span>
              </a>
            </>
          ) : null}
        </p>
        <div className="actions">
          <button
            type="button"
            className="button"
            data-testid="custom-accept"
            onClick={() => consent.accept()}
          >
            Share my screen
          </button>
          <button
            type="button"
            className="button button--ghost"
            data-testid="custom-decline"
            onClick={() => consent.decline()}
          >
            Not now
          </button>
        </div>
      </div>
    </section>
  );
}

/** What the consent area says while no request is waiting. */
function ConsentIdle() {
  const { connection, terms } = useVisitorState((s) => ({
    connection: s.connection,
    terms: s.terms,
  }));
  let text =
    'When a support agent offers to look at your screen, their request appears right here — no pop-ups.';
  if (terms === 'declined')
    text = 'You declined the last request. The agent has been told; they can ask again.';
  if (terms === 'session')
    text = 'You are sharing your screen with support. End it from the banner at the top.';
  if (terms === 'ended') text = 'The screen share has ended. Thanks for letting us help!';
  return (
    <section className="consent-idle" data-testid="consent-idle" data-terms={terms}>
      <p>{text}</p>
      <p className="muted">Status: {CONNECTION_WORDS[connection]}</p>
    </section>
  );
}

/**
 * The help page, built with React and `@beckon/ui-react`: it shows the visitor ID to give
 * the agent and answers consent requests in an inline panel instead of the default dialog
 * (the page turns the default UI off).
 *
 * @example
 * <BeckonProvider visitor={visitor}><HelpPage /></BeckonProvider>
 */
export function HelpPage() {
  const visitorId = useVisitorState((s) => s.visitorId);
  const consent = useConsentRequest();
  return (
    <div className="help">
      <section className="help__intro">
        <p className="eyebrow">Help centre</p>
        <h1>Need a hand?</h1>
        <p className="lead">
          Call us or start a chat and tell the agent your visitor ID. With one click they can ask to
          see your screen — you decide, right on this page.
        </p>
        <p className="visitor-card">
          Your visitor ID <strong data-testid="help-visitor-id">{visitorId ?? '…'}</strong>
        </p>
      </section>
      <div className="consent-area" aria-live="polite">
        {consent ? <ConsentPanel consent={consent} /> : <ConsentIdle />}
      </div>
      <section className="faq">
        <h2>Questions people ask</h2>
        <details>
          <summary>What can the agent see?</summary>
          <p>
            Before you accept: only which page of the shop you are on and how many items are in your
            cart. After you accept: this tab, until you end the session.
          </p>
        </details>
        <details>
          <summary>I have the shop open in two tabs. Which one gets the request?</summary>
          <p>The one you used last. The status pill in the header says which tab has focus.</p>
        </details>
        <details>
          <summary>How do I stop sharing?</summary>
          <p>Press “End session” in the banner at the top of any page.</p>
        </details>
      </section>
    </div>
  );
}
