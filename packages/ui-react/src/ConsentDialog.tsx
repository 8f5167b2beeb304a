import {
  type KeyboardEvent,
  type SyntheticEvent,
  useId,
  useLayoutEffect,
  useMemo,
  useRef,
} from 'react';
import { type ConsentRequestHandle, useConsentRequest } from './useConsentRequest.js';

/** Every text `<ConsentDialog />` shows; override any of them with the `strings` prop. */
export interface ConsentDialogStrings {
  title: string;
  message: string;
  /** The text of the link to the terms page (shown when the request has a terms URL). */
  terms: string;
  accept: string;
  decline: string;
}

/** The English defaults of {@link ConsentDialogStrings}. */
export const defaultConsentDialogStrings: Readonly<ConsentDialogStrings> = Object.freeze({
  title: 'Share your screen?',
  message:
    'A support agent would like to see your screen to help you. You can stop sharing at any time.',
  terms: 'Terms and conditions',
  accept: 'Accept',
  decline: 'Decline',
});

export interface ConsentDialogProps {
  /** Texts to replace, e.g. for another language; a missing or undefined one keeps the default. */
  strings?: { [K in keyof ConsentDialogStrings]?: string | undefined } | undefined;
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

/**
 * The terms URL comes from the agent's side: link it only when it is http(s), so a
 * `javascript:` or `data:` URL can never run in the visitor's page.
 */
function safeTermsUrl(url: string | undefined, base: string): string | undefined {
  if (url === undefined) return undefined;
  try {
    const parsed = new URL(url, base);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

interface OpenDialogProps {
  consent: ConsentRequestHandle;
  strings: ConsentDialogStrings;
  className: string | undefined;
  unstyled: boolean;
}

function OpenConsentDialog({ consent, strings, className, unstyled }: OpenDialogProps) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const declineRef = useRef<HTMLButtonElement>(null);
  const id = useId();
  const titleId = `${id}-title`;
  const messageId = `${id}-message`;

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

  const termsUrl = safeTermsUrl(
    consent.request.termsUrl,
    typeof document === 'undefined' ? 'about:blank' : document.baseURI,
  );

  return (
    <>
      {unstyled ? null : <style>{css}</style>}
      <dialog
        ref={dialogRef}
        className={className ? `beckon-dialog ${className}` : 'beckon-dialog'}
        aria-labelledby={titleId}
        aria-describedby={messageId}
        onKeyDown={onKeyDown}
        onCancel={onCancel}
      >
        <h2 id={titleId} className="beckon-dialog-title">
          {strings.title}
        </h2>
        <p id={messageId} className="beckon-dialog-message">
          {strings.message}
        </p>
        {termsUrl ? (
          <a
            className="beckon-dialog-terms"
            href={termsUrl}
            target="_blank"
            rel="noopener noreferrer"
          >
            {strings.terms}
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
 *   <ConsentDialog strings={{ title: 'Bildschirm teilen?', accept: 'Zulassen', decline: 'Ablehnen' }} />
 * </BeckonProvider>
 */
export function ConsentDialog({ strings, className, unstyled = false }: ConsentDialogProps) {
  const consent = useConsentRequest();
  const merged = useMemo(() => {
    const texts: ConsentDialogStrings = { ...defaultConsentDialogStrings };
    // Only strings replace strings: an undefined (or mistyped) entry keeps the default.
    for (const key of Object.keys(texts) as (keyof ConsentDialogStrings)[]) {
      const text = strings?.[key];
      if (typeof text === 'string') texts[key] = text;
    }
    return texts;
  }, [strings]);
  if (!consent) return null;
  return (
    <OpenConsentDialog
      consent={consent}
      strings={merged}
      className={className}
      unstyled={unstyled}
    />
  );
}
