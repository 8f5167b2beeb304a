import { checkText, type Violation } from './limits.js';

// Browsers drop tabs and newlines anywhere in a URL and trim control characters and spaces
// at its ends, so `/\t/evil.example` becomes `//evil.example` once clicked. A terms link has
// no business containing any of them: refuse them outright instead of guessing.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const CONTROL_OR_SPACE = /[\u0000-\u0020\u007f]/;
// A path on the visitor's own site: one slash, then anything but a second slash or a
// backslash (which browsers read as a slash, making `/\host` another site).
const SITE_PATH = /^\/(?![/\\])/;
const HTTP_URL = /^https?:\/\/[^/\\?#]/i;

/**
 * The one rule for terms URLs, applied by the protocol (every channel), the service's
 * config and every consent UI: an absolute `http:`/`https:` URL, or a path on the visitor's
 * own site (`/terms`). Anything else — `javascript:`, `data:`, protocol-relative `//host`,
 * `/\host`, or a URL hiding tabs, newlines or control characters — is refused, because a
 * dialog puts the URL in a link the visitor clicks.
 *
 * @example
 * checkTermsUrl('https://acme.test/terms'); // undefined — fine
 * checkTermsUrl('/terms');                  // undefined — fine
 * checkTermsUrl('javascript:alert(1)');     // { param: 'termsUrl', reason: '…' }
 */
export function checkTermsUrl(value: unknown, param = 'termsUrl'): Violation | undefined {
  const text = checkText(param, value, { optional: true });
  if (text || value === undefined) return text;
  const url = value as string;
  if (!CONTROL_OR_SPACE.test(url) && (SITE_PATH.test(url) || HTTP_URL.test(url))) {
    return undefined;
  }
  return { param, reason: 'must be an http(s) URL or a path starting with "/"' };
}

/**
 * The terms URL if {@link checkTermsUrl} accepts it, else `undefined`: what a consent UI
 * puts in its link's `href`. A UI must never link a URL this refuses, even one that came
 * through a service that (wrongly) let it pass.
 *
 * @example
 * safeTermsUrl('/terms');               // '/terms'
 * safeTermsUrl('//evil.example/terms'); // undefined
 * safeTermsUrl(42);                     // undefined
 */
export function safeTermsUrl(value: unknown): string | undefined {
  return typeof value === 'string' && checkTermsUrl(value) === undefined ? value : undefined;
}
