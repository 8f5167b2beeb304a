import { describe, expect, it } from 'vitest';
import { safeTermsUrl } from '../src/index.js';
import { checkTermsUrl, LIMITS, parseMessage, ToVisitor } from '../src/wire/index.js';

// One rule for terms URLs, used by the protocol, the service's config and every consent UI.
const ACCEPTED = [
  '/terms',
  '/legal/terms?lang=de#privacy',
  '/%2F%2Fevil.example',
  'https://acme.test/terms',
  'HTTP://acme.test/terms',
  'https://acme.test:8443/t?x=1',
];
const REFUSED = [
  'javascript:alert(1)',
  'JavaScript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'vbscript:msgbox',
  '//evil.example/terms',
  '/\\evil.example/terms',
  '\\\\evil.example/terms',
  '/\t/evil.example',
  '/\n/evil.example',
  ' /terms',
  '/terms ',
  'java\tscript:alert(1)',
  '\u0000/terms',
  '/te\u007frms',
  'https:evil.example',
  'https:/evil.example',
  'https:///evil.example',
  'https://\\evil.example',
  'terms',
  'ftp://acme.test/terms',
  '',
];

describe('the terms-URL rule', () => {
  it.each(ACCEPTED)('accepts %j everywhere', (url) => {
    expect(checkTermsUrl(url)).toBeUndefined();
    expect(safeTermsUrl(url)).toBe(url);
    expect(parseMessage({ type: 'showTerms', id: 1, termsUrl: url }, ToVisitor).ok).toBe(true);
  });

  it.each(REFUSED)('refuses %j everywhere', (url) => {
    expect(checkTermsUrl(url)).toEqual({
      param: 'termsUrl',
      reason: 'must be an http(s) URL or a path starting with "/"',
    });
    expect(safeTermsUrl(url)).toBeUndefined();
    const parsed = parseMessage({ type: 'showTerms', id: 1, termsUrl: url }, ToVisitor);
    expect(parsed.ok).toBe(false);
  });

  it('an absent URL is fine; anything but a string is not', () => {
    expect(checkTermsUrl(undefined)).toBeUndefined();
    expect(checkTermsUrl(42)).toMatchObject({ param: 'termsUrl' });
    expect(safeTermsUrl(undefined)).toBeUndefined();
    expect(safeTermsUrl({ toString: () => '/terms' })).toBeUndefined();
  });

  it('caps the length like any text', () => {
    const long = `/${'t'.repeat(LIMITS.maxTextLength)}`;
    expect(checkTermsUrl(long)?.reason).toMatch(/at most 2000 characters/);
    expect(safeTermsUrl(long)).toBeUndefined();
  });

  it('names the parameter it checks', () => {
    expect(checkTermsUrl('javascript:x', 'groups.shop.termsUrl')?.param).toBe(
      'groups.shop.termsUrl',
    );
  });
});
