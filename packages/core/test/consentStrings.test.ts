import { describe, expect, it } from 'vitest';
import { consentStrings, pickConsentLocale, resolveConsentStrings } from '../src/index.js';

describe('consent strings', () => {
  it('ships the same keys in every language', () => {
    const keys = Object.keys(consentStrings.en).sort();
    for (const strings of Object.values(consentStrings)) {
      expect(Object.keys(strings).sort()).toEqual(keys);
      expect(strings.message).toContain('{requester}');
    }
  });

  it('picks a language by its primary subtag, English otherwise', () => {
    expect(pickConsentLocale(undefined)).toBe('en');
    expect(pickConsentLocale('DE_ch')).toBe('de');
    expect(pickConsentLocale('fr-CA')).toBe('fr');
    expect(pickConsentLocale('constructor')).toBe('en');
    expect(pickConsentLocale('ja')).toBe('en');
  });

  it('resolves a language with overrides and fills in the requester', () => {
    const t = resolveConsentStrings('de-AT', { requester: 'Das $& Team', accept: 'Ja' });
    expect(t.title).toBe(consentStrings.de.title);
    expect(t.accept).toBe('Ja');
    expect(t.message).toMatch(/^Das \$& Team möchte Ihren Bildschirm sehen/);
    expect(t.message).not.toContain('{requester}');
    // Non-string overrides (an undefined prop, say) keep the language's text.
    const u = resolveConsentStrings('en', { decline: undefined as unknown as string });
    expect(u.decline).toBe('Decline');
    // The shipped tables are never changed by resolving.
    expect(consentStrings.de.accept).toBe('Akzeptieren');
  });
});
