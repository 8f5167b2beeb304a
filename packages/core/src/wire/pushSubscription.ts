import type { Violation } from './limits.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const CONTROL_OR_SPACE = /[\u0000-\u0020\u007f]/;
const HTTP_URL = /^https?:\/\/[^/\\?#]/i;
/** An uncompressed P-256 point (65 bytes, 0x04 first) in URL-safe base64 without padding. */
const P256DH = /^B[A-Za-z0-9_-]{86}$/;
/** A 16-byte authentication secret in URL-safe base64 without padding. */
const AUTH = /^[A-Za-z0-9_-]{21}[AQgw]$/;

/**
 * The protocol's rule for a Web Push subscription (`pushSubscribe`): the endpoint an
 * `http(s)` URL without spaces or control characters, `p256dh` an uncompressed P-256
 * public key and `auth` a 16-byte secret, both URL-safe base64 without padding — what every
 * browser's `PushSubscription.toJSON()` gives. Which push services the service will call is
 * its own configuration (`docs/push.md`), checked there.
 *
 * @example
 * checkPushSubscription({ endpoint: 'ftp://x', keys: { p256dh: '…', auth: '…' } });
 * // { param: 'subscription.endpoint', reason: 'must be an http(s) URL' }
 */
export function checkPushSubscription(value: unknown): Violation | undefined {
  const s = value as { endpoint?: unknown; keys?: { p256dh?: unknown; auth?: unknown } };
  if (
    typeof s.endpoint !== 'string' ||
    CONTROL_OR_SPACE.test(s.endpoint) ||
    !HTTP_URL.test(s.endpoint)
  ) {
    return { param: 'subscription.endpoint', reason: 'must be an http(s) URL' };
  }
  if (typeof s.keys?.p256dh !== 'string' || !P256DH.test(s.keys.p256dh)) {
    return {
      param: 'subscription.keys.p256dh',
      reason: 'must be an uncompressed P-256 public key in URL-safe base64 (87 characters)',
    };
  }
  if (typeof s.keys.auth !== 'string' || !AUTH.test(s.keys.auth)) {
    return {
      param: 'subscription.keys.auth',
      reason: 'must be a 16-byte secret in URL-safe base64 (22 characters)',
    };
  }
  return undefined;
}
