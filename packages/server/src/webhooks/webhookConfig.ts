import { WEBHOOK_EVENTS, type WebhookEventType } from '@beckon/core/protocol';
import { z } from 'zod';

/** The prefix of Standard Webhooks secrets. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

const secretBytes = (secret: string): number => {
  const raw = secret.slice(WEBHOOK_SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(raw)) return 0;
  return Buffer.from(raw, 'base64').length;
};

const Secret = z
  .string()
  .refine(
    (s) => s.startsWith(WEBHOOK_SECRET_PREFIX) && secretBytes(s) >= 24 && secretBytes(s) <= 64,
    {
      message:
        'must be "whsec_" followed by 24 to 64 bytes in base64 (createWebhookSecret() makes one)',
    },
  );

/** One webhook endpoint of a group, as configured. */
export const WebhookEndpointSchema = z.strictObject({
  url: z.string().refine(
    (value) => {
      try {
        const url = new URL(value);
        return url.protocol === 'https:' || url.protocol === 'http:';
      } catch {
        return false;
      }
    },
    { message: 'must be an http(s) URL' },
  ),
  /** Signing secrets; every one signs each request (rotation: add the new one, then drop the old). */
  secrets: z.array(Secret).min(1, 'needs at least one secret'),
  /** Event types to send; absent: every type but `visitor.presence`. */
  events: z
    .array(z.enum(Object.keys(WEBHOOK_EVENTS) as [WebhookEventType, ...WebhookEventType[]]))
    .min(1)
    .optional(),
});

/** One webhook endpoint of a group. */
export interface WebhookEndpoint {
  /** Where events are POSTed. */
  url: string;
  /** `whsec_…` secrets; each request carries a signature for every one. */
  secrets: string[];
  /** Event types sent; absent: `DEFAULT_WEBHOOK_EVENTS` (all but `visitor.presence`). */
  events?: WebhookEventType[];
}
