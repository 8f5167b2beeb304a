import { type ConsentStrings, resolveConsentStrings, safeTermsUrl } from '@beckon/core';
import {
  type KeyboardEvent,
  type SyntheticEvent,
  useId,
  useLayoutEffect,
  useMemo,
  useRef,
} from 'react';
import { type ConsentRequestHandle, useConsentRequest } from './useConsentRequest.js';

export interface ConsentDialogProps {
  /**
   * The language, as a BCP 47 tag (`'de'`, `'fr-CA'`); the same shipped translations as every
   * Beckon consent UI (`consentStrings` of `@beckon/core`). Default: `navigator.language`.
   */
  locale?: string | undefined;
  /** Texts replacing the language's, one by one; a missing or undefined one keeps it. */
  strings?: { [K in keyof ConsentStrings]?: string | undefined } | undefined;
  /** Extra class names for the `<dialog>` element (it always has `beckon-dialog`). */
  className?: string | undefined;
  /** Leaves out the built-in stylesheet, to style the `beckon-` classes yourself. */
  unstyled?: boolean | undefined;
}

// Zero-specificity rules (`:where`), so any class of the app wins; every colour and size
// is a CSS custom property with a default, set them on :root or on .beckon-dialog.
const css = `
:where(.beckon-dialog) {
  box-sizing: border-box;
  max-width: min(var(--beckon-max-width, 28rem), calc(100vw - 2rem));
  padding: var(--beckon-padding, 1.5rem);
  border: var(--beckon-border, 1px solid rgb(0 0 0 / 0.15));
  border-radius: var(--beckon-radius, 12px);
  background: var(--beckon-background, #fff);
  color: var(--beckon-color, #1b1b1f);
  font-family: var(--beckon-font-family, system-ui, sans-serif);
  box-shadow: var(--beckon-shadow, 0 12px 40px rgb(0 0 0 / 0.25));
}
:where(.beckon-dialog)::backdrop { background: var(--beckon-backdrop, rgb(0 0 0 / 0.45)); }
:where(.beckon-dialog-title) { margin: 0 0 0.5rem; font-size: var(--beckon-title-size, 1.25rem); }
:where(.beckon-dialog-message) { margin: 0 0 0.75rem; line-height: 1.5; }
:where(.beckon-dialog-key) { margin: 0 0 0.75rem; font-size: 0.9em; }
:where(.beckon-sr-only) {
  position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap;
}
:where(.beckon-dialog-terms) { color: var(--beckon-link-color, var(--beckon-accent, #0b57d0)); }
:where(.beckon-dialog-actions) {
  display: flex; flex-wrap: wrap; gap: 0.5rem; justify-content: flex-end; margin-top: 1.25rem;
}
:where(.beckon-dialog-button) {
  font: inherit; padding: 0.5rem 1rem; cursor: pointer;
  border: 1px solid var(--beckon-accent, #0b57d0);
  border-radius: var(--beckon-button-radius, 8px);
  background: transparent; color: var(--beckon-accent, #0b57d0);
}
:where(.beckon-dialog-accept) {
  background: var(--beckon-accent, #0b57d0); color: var(--beckon-accent-contrast, #fff);
}
:where(.beckon-dialog-button):focus-visible {
  outline: 2px solid var(--beckon-focus-ring, var(--beckon-accent, #0b57d0)); outline-offset: 2px;
}
`;

interface OpenDialogProps {
  consent: ConsentRequestHandle;
  strings: ConsentStrings;
  lang: string;
  className: string | undefined;
  unstyled: boolean;
}

function OpenConsentDialog({ consent, strings, lang, className, unstyled }: OpenDialogProps) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const declineRef = useRef<HTMLButtonElement>(null);
  const id = useId();
  const titleId = `${id}-title`;
  const messageId = `${id}-message`;
  const keyId = `${id}-key`;

  // Open as a modal (focus moves in, the page behind is inert) and, when closed, give focus
  // back to where it was. A layout effect, so StrictMode's remount opens and closes in pairs.
  useLayoutEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    const previous = dialog.ownerDocument.activeElement;
    let modal = false;
    if (typeof dialog.showModal === 'function') {
      try {
        if (!dialog.open) dialog.showModal();
        modal = true;
      } catch {
        // Not connected or already open without a modal: the attribute still shows it.
      }
    }
    if (!modal) dialog.setAttribute('open', '');
    // The least consequential answer gets focus: Enter by reflex never starts a session.
    declineRef.current?.focus();
    return () => {
      if (modal && typeof dialog.close === 'function') dialog.close();
      else dialog.removeAttribute('open');
      const target = previous as HTMLElement | null;
      if (target?.isConnected && typeof target.focus === 'function') target.focus();
    };
  }, []);

  const onKeyDown = (event: KeyboardEvent<HTMLDialogElement>) => {
    // Covers the fallback without showModal, where no cancel event fires.
    if (event.key !== 'Escape') return;
    event.preventDefault();
    consent.decline();
  };
  const onCancel = (event: SyntheticEvent<HTMLDialogElement>) => {
    // The browser would close the dialog by itself; the answer closes it instead.
    event.preventDefault();
    consent.decline();
  };

  // The agent's side chose this URL: only the one terms-URL rule of core decides it is linked.
  const termsUrl = safeTermsUrl(consent.request.termsUrl);

  return (
    <>
      {unstyled ? null : <style>{css}</style>}
      <dialog
        ref={dialogRef}
        className={className ? `beckon-dialog ${className}` : 'beckon-dialog'}
        lang={lang}
        aria-labelledby={titleId}
        aria-describedby={`${messageId} ${keyId}`}
        onKeyDown={onKeyDown}
        onCancel={onCancel}
      >
        <h2 id={titleId} className="beckon-dialog-title">
          {strings.title}
        </h2>
        <p id={messageId} className="beckon-dialog-message">
          {strings.message}
        </p>
        <p id={keyId} className="beckon-dialog-key">
          {strings.sessionKeyLabel}: <code>{consent.request.sessionKey}</code>
        </p>
        {termsUrl ? (
          <a
            className="beckon-dialog-terms"
            href={termsUrl}
            target="_blank"
            rel="noopener noreferrer"
          >
            {strings.termsLink} <span className="beckon-sr-only">{strings.opensInNewTab}</span>
          </a>
        ) : null}
        <div className="beckon-dialog-actions">
          <button
            ref={declineRef}
            type="button"
            className="beckon-dialog-button beckon-dialog-decline"
            onClick={() => consent.decline()}
          >
            {strings.decline}
          </button>
          <button
            type="button"
            className="beckon-dialog-button beckon-dialog-accept"
            onClick={() => consent.accept()}
          >
            {strings.accept}
          </button>
        </div>
      </dialog>
    </>
  );
}

/**
 * The default consent dialog: a native modal `<dialog>` showing the pending request from
 * {@link useConsentRequest} — title and message (labelled and described for assistive
 * technology), a link to the terms page (new tab), Decline and Accept. Focus moves to
 * Decline when it opens and returns where it was when it closes; Escape declines. It renders
 * nothing while no request is pending. Class names start with `beckon-`; colours and sizes
 * are CSS custom properties (`--beckon-accent`, `--beckon-background`, …).
 *
 * @example
 * <BeckonProvider visitor={visitor} consent={consent}>
 *   <App />
 *   <ConsentDialog locale="de" strings={{ requester: 'Das Acme-Team' }} />
 * </BeckonProvider>
 */
export function ConsentDialog({
  locale,
  strings,
  className,
  unstyled = false,
}: ConsentDialogProps) {
  const consent = useConsentRequest();
  const lang =
    locale ?? (typeof navigator === 'undefined' ? undefined : navigator.language) ?? 'en';
  // Only strings replace strings: an undefined (or mistyped) entry keeps the language's.
  const texts = useMemo(
    () => resolveConsentStrings(lang, strings as Partial<ConsentStrings> | undefined),
    [lang, strings],
  );
  if (!consent) return null;
  return (
    <OpenConsentDialog
      consent={consent}
      strings={texts}
      lang={lang}
      className={className}
      unstyled={unstyled}
    />
  );
}
