/**
 * Every text the default consent dialog shows. `{requester}` in `message` is replaced by
 * `requester`; everything else is used as written.
 */
export interface ConsentStrings {
  /** The dialog's heading. */
  title: string;
  /** Who asks; shown in `message` and worth overriding with your team's name. */
  requester: string;
  /** The explanation under the heading; `{requester}` is replaced. */
  message: string;
  /** The label before the session key. */
  sessionKeyLabel: string;
  /** The text of the link to the terms page. */
  termsLink: string;
  /** Said to screen-reader users after the link text: the link opens a new tab. */
  opensInNewTab: string;
  accept: string;
  decline: string;
  // The banner a session provider shows while a session runs (`@beckon/cobrowse`).
  /** While an agent watches. */
  bannerViewing: string;
  /** While the session runs and no agent watches yet. */
  bannerWaiting: string;
  /** The banner's button that ends the session. */
  bannerStop: string;
}

/** A language the dialog ships in. */
export type ConsentLocale = 'en' | 'de' | 'fr';

/**
 * The shipped translations, by language. English is the fallback for any other locale.
 *
 * @example
 * import { consentStrings } from '@beckon/core';
 * import { createConsentDialog } from '@beckon/ui-dom';
 *
 * const ui = createConsentDialog({
 *   locale: 'de',
 *   strings: { requester: 'Das Acme-Support-Team', accept: consentStrings.de.accept },
 * });
 */
export const consentStrings: Readonly<Record<ConsentLocale, Readonly<ConsentStrings>>> = {
  en: {
    title: 'Share your screen?',
    requester: 'A support agent',
    message:
      '{requester} would like to see your screen to help you. Nothing is shared until you accept, and you can stop at any time.',
    sessionKeyLabel: 'Session key',
    termsLink: 'Terms and conditions',
    opensInNewTab: '(opens in a new tab)',
    accept: 'Accept',
    decline: 'Decline',
    bannerViewing: 'A support agent is viewing this page',
    bannerWaiting: 'Screen sharing is on: a support agent can join at any time',
    bannerStop: 'Stop',
  },
  de: {
    title: 'Bildschirm teilen?',
    requester: 'Ein Support-Mitarbeiter',
    message:
      '{requester} möchte Ihren Bildschirm sehen, um Ihnen zu helfen. Es wird nichts geteilt, bevor Sie zustimmen, und Sie können jederzeit beenden.',
    sessionKeyLabel: 'Sitzungsschlüssel',
    termsLink: 'Nutzungsbedingungen',
    opensInNewTab: '(öffnet in einem neuen Tab)',
    accept: 'Akzeptieren',
    decline: 'Ablehnen',
    bannerViewing: 'Ein Support-Mitarbeiter sieht diese Seite',
    bannerWaiting: 'Bildschirmfreigabe aktiv: ein Support-Mitarbeiter kann jederzeit zusehen',
    bannerStop: 'Beenden',
  },
  fr: {
    title: 'Partager votre écran ?',
    requester: 'Un conseiller',
    message:
      '{requester} souhaite voir votre écran pour vous aider. Rien n’est partagé avant votre accord, et vous pouvez arrêter à tout moment.',
    sessionKeyLabel: 'Clé de session',
    termsLink: 'Conditions générales',
    opensInNewTab: '(s’ouvre dans un nouvel onglet)',
    accept: 'Accepter',
    decline: 'Refuser',
    bannerViewing: 'Un conseiller voit cette page',
    bannerWaiting: 'Partage d’écran actif : un conseiller peut se joindre à tout moment',
    bannerStop: 'Arrêter',
  },
};

/**
 * Picks the shipped language for a BCP 47 tag by its primary subtag (`de-AT` → `de`),
 * falling back to English.
 *
 * @example
 * pickConsentLocale('fr-CA'); // 'fr'
 * pickConsentLocale('ja');    // 'en'
 */
export function pickConsentLocale(tag: string | undefined): ConsentLocale {
  const primary = (tag ?? '').trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return Object.hasOwn(consentStrings, primary) ? (primary as ConsentLocale) : 'en';
}

/**
 * The texts a consent UI shows: the chosen language's (by {@link pickConsentLocale}), with
 * `overrides` replacing single texts and `{requester}` filled into `message`. Every consent
 * UI (ui-dom's dialog, ui-react's, an app's own) reads its words through this, so they say
 * the same things in the same languages.
 *
 * @example
 * const t = resolveConsentStrings('de-AT', { requester: 'Das Acme-Team' });
 * t.message; // 'Das Acme-Team möchte Ihren Bildschirm sehen, …'
 */
export function resolveConsentStrings(
  locale: string | undefined,
  overrides: Partial<ConsentStrings> = {},
): ConsentStrings {
  const base = consentStrings[pickConsentLocale(locale)];
  const merged: ConsentStrings = { ...base };
  for (const key of Object.keys(base) as (keyof ConsentStrings)[]) {
    const value = overrides[key];
    if (typeof value === 'string') merged[key] = value;
  }
  // split/join, not replace: a requester name with `$&` in it must stay literal.
  merged.message = merged.message.split('{requester}').join(merged.requester);
  return merged;
}
