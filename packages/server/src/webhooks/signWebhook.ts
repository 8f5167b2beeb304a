import { createHmac, randomBytes } from 'node:crypto';
import { WEBHOOK_SECRET_PREFIX } from './webhookConfig.js';

/**
 * A new webhook signing secret as the Standard Webhooks specification shapes them:
 * `whsec_` and 32 random bytes in base64. Put it in the group's `webhooks[].secrets` and
 * give it to the receiver.
 *
 * @example
 * import { createWebhookSecret } from '@beckon/server';
 * console.log(createWebhookSecret()); // whsec_mF3vQ…
 */
export function createWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

/**
 * The `webhook-signature` header for one attempt: for every secret, `v1,` and the base64
 * HMAC-SHA256 of `id.timestamp.body` under the secret's bytes, separated by spaces (several
 * while a secret is rotated).
 *
 * @example
 * const signature = signWebhook(['whsec_…'], 'msg_2f…', 1760000000, '{"type":"visitor.terms",…}');
 */
export function signWebhook(
  secrets: readonly string[],
  id: string,
  timestampSeconds: number,
  body: string,
): string {
  const content = `${id}.${timestampSeconds}.${body}`;
  return secrets
    .map((secret) => {
      const key = Buffer.from(secret.slice(WEBHOOK_SECRET_PREFIX.length), 'base64');
      return `v1,${createHmac('sha256', key).update(content).digest('base64')}`;
    })
    .join(' ');
}
