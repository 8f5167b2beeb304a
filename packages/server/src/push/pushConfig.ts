import { createECDH } from 'node:crypto';
import { checkTermsUrl } from '@beckon/core/protocol';
import { z } from 'zod';

/**
 * The push services browsers use today, as origins (a `*.` label matches any subdomain):
 * Chrome's and every Chromium's (FCM), Firefox's (Mozilla autopush), Safari's (Apple) and
 * Edge's (Windows Push Notification Services). A visitor's subscription must name one of a
 * group's `pushServices`, so the service never posts to an address a visitor chose.
 */
export const DEFAULT_PUSH_SERVICES: readonly string[] = [
  'https://fcm.googleapis.com',
  'https://updates.push.services.mozilla.com',
  'https://web.push.apple.com',
  'https://*.push.apple.com',
  'https://*.notify.windows.com',
];

const base64url = (bytes: number, what: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, `must be URL-safe base64 without padding (${what})`)
    .refine((value) => Buffer.from(value, 'base64url').length === bytes, {
      message: `must decode to ${bytes} bytes (${what})`,
    });

const PushService = z.string().refine(
  (value) => {
    try {
      const url = new URL(value.replace('://*.', '://wildcard.'));
      return (
        (url.protocol === 'https:' || url.protocol === 'http:') &&
        url.origin === value.replace('://*.', '://wildcard.')
      );
    } catch {
      return false;
    }
  },
  {
    message:
      'must be an origin such as "https://fcm.googleapis.com", or "https://*.notify.windows.com" for its subdomains',
  },
);

const NotificationText = z.string().min(1).max(200);

/** A group's Web Push configuration, as the config file and `createPresenceServer` take it. */
export const PushConfigSchema = z
  .strictObject({
    vapid: z.strictObject({
      /** The uncompressed P-256 public key, URL-safe base64 (what `beckon-server vapid` prints). */
      publicKey: base64url(65, 'an uncompressed P-256 public key'),
      privateKey: base64url(32, 'a P-256 private key'),
      /** Who runs the service, for push services to reach: `mailto:` or an `https:` URL. */
      subject: z
        .string()
        .regex(/^(mailto:\S+@\S+|https:\/\/\S+)$/, 'must be a mailto: address or an https: URL'),
    }),
    notification: z
      .strictObject({
        title: NotificationText,
        body: NotificationText.optional(),
        /** An icon for the notification: a path on the site or an http(s) URL. */
        icon: z
          .string()
          .refine((v) => checkTermsUrl(v) === undefined, 'must be a path or an http(s) URL')
          .optional(),
        /** The page a click opens when no tab of the app is open. Default: the service worker's scope. */
        url: z
          .string()
          .refine((v) => checkTermsUrl(v) === undefined, 'must be a path or an http(s) URL')
          .optional(),
      })
      .default({ title: 'Support would like to help you', body: 'Tap to continue' }),
    pushServices: z.array(PushService).min(1).optional(),
  })
  .refine(
    (push) => {
      try {
        const ecdh = createECDH('prime256v1');
        ecdh.setPrivateKey(Buffer.from(push.vapid.privateKey, 'base64url'));
        return ecdh.getPublicKey().toString('base64url') === push.vapid.publicKey;
      } catch {
        return false;
      }
    },
    { message: 'the private key does not belong to the public key', path: ['vapid', 'privateKey'] },
  );

/** A group's Web Push configuration (docs/push.md). */
export interface PushConfig {
  vapid: { publicKey: string; privateKey: string; subject: string };
  /** What the notification says. Default "Support would like to help you" / "Tap to continue". */
  notification?: { title: string; body?: string; icon?: string; url?: string };
  /** Origins of the push services subscriptions may name. Default {@link DEFAULT_PUSH_SERVICES}. */
  pushServices?: string[];
}

/**
 * Whether a subscription's endpoint is on one of the allowed push services: same scheme
 * and port, and the same host, or a subdomain of a `*.` entry's.
 *
 * @example
 * pushServiceAllowed('https://fcm.googleapis.com/fcm/send/abc', DEFAULT_PUSH_SERVICES); // true
 * pushServiceAllowed('http://10.0.0.7/admin', DEFAULT_PUSH_SERVICES); // false
 */
export function pushServiceAllowed(endpoint: string, services: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  return services.some((service) => {
    const wild = service.includes('://*.');
    const allowed = new URL(service.replace('://*.', '://wildcard.'));
    if (allowed.protocol !== url.protocol || allowed.port !== url.port) return false;
    if (!wild) return allowed.hostname === url.hostname;
    const suffix = allowed.hostname.slice('wildcard'.length);
    return url.hostname.endsWith(suffix) && url.hostname.length > suffix.length;
  });
}
