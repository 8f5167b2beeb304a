import { WebhookEvent } from '../wire/httpApi.js';

/** Why {@link verifyWebhook} refused a request. */
export type WebhookVerificationReason =
  | 'missingHeaders'
  | 'badTimestamp'
  | 'tooOld'
  | 'tooNew'
  | 'badSignature'
  | 'badSecret'
  | 'badPayload';

/**
 * A webhook request that must not be trusted: unsigned, signed with another secret,
 * outside the time window, or not a Beckon event. Answer it with 4xx and drop it.
 *
 * @example
 * try {
 *   await verifyWebhook(secret, body, headers);
 * } catch (error) {
 *   if (error instanceof WebhookVerificationError) return respond(400, error.reason);
 *   throw error;
 * }
 */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
  readonly reason: WebhookVerificationReason;
  constructor(reason: WebhookVerificationReason, message: string) {
    super(message);
    this.reason = reason;
  }
}

/** Request headers as `fetch` (`Headers`) or Node's `http` module (`req.headers`) give them. */
export type WebhookHeaders =
  | Headers
  | Readonly<Record<string, string | readonly string[] | undefined>>;

/** Options of {@link verifyWebhook}. */
export interface VerifyWebhookOptions {
  /** How far `webhook-timestamp` may be from now, in seconds, either way. Default 300. */
  toleranceSeconds?: number;
  /** Now, in ms since the epoch. Default `Date.now()`. */
  now?: number;
}

const SECRET_PREFIX = 'whsec_';
const encoder = new TextEncoder();

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function')
    return (headers as Headers).get(name) ?? undefined;
  const value = (headers as Record<string, string | readonly string[] | undefined>)[name];
  return Array.isArray(value) ? value.join(' ') : (value as string | undefined);
}

function base64ToBytes(text: string): Uint8Array<ArrayBuffer> | undefined {
  try {
    const binary = atob(text);
    const bytes = new Uint8Array(new ArrayBuffer(binary.length));
    for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    return undefined;
  }
}

async function keyOf(secret: string): Promise<CryptoKey> {
  const raw = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const bytes = base64ToBytes(raw);
  if (!bytes || bytes.length === 0) {
    throw new WebhookVerificationError(
      'badSecret',
      'the secret must be "whsec_" followed by base64',
    );
  }
  return crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, [
    'verify',
  ]);
}

/**
 * Checks a webhook as the Standard Webhooks specification describes, then returns its
 * event: `webhook-timestamp` must lie within the tolerance of now (so a captured request
 * cannot be replayed later), and one of the `v1,` signatures of `webhook-signature` must be
 * the HMAC-SHA256 of `webhook-id.webhook-timestamp.body` under one of `secrets` (several
 * while a secret is rotated). The comparison is WebCrypto's `verify`, in constant time.
 * Pass the body exactly as received — as text, before any JSON parsing. Works wherever
 * WebCrypto does: Node 18+, browsers, workers.
 *
 * @example
 * import { createServer } from 'node:http';
 * import { verifyWebhook } from '@beckon/core/http';
 *
 * createServer(async (req, res) => {
 *   let body = '';
 *   for await (const chunk of req) body += chunk;
 *   try {
 *     const event = await verifyWebhook(process.env.BECKON_WEBHOOK_SECRET ?? '', body, req.headers);
 *     if (event.type === 'visitor.terms') console.log(event.data.visitorId, event.data.status);
 *     res.writeHead(204).end();
 *   } catch {
 *     res.writeHead(400).end();
 *   }
 * }).listen(3000);
 */
export async function verifyWebhook(
  secrets: string | readonly string[],
  body: string,
  headers: WebhookHeaders,
  options: VerifyWebhookOptions = {},
): Promise<WebhookEvent> {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) {
    throw new WebhookVerificationError(
      'missingHeaders',
      'webhook-id, webhook-timestamp and webhook-signature are required',
    );
  }
  const seconds = /^\d{1,15}$/.test(timestamp) ? Number(timestamp) : Number.NaN;
  if (!Number.isSafeInteger(seconds)) {
    throw new WebhookVerificationError(
      'badTimestamp',
      'webhook-timestamp must be whole seconds since the epoch',
    );
  }
  const tolerance = options.toleranceSeconds ?? 300;
  const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
  if (seconds < nowSeconds - tolerance) {
    throw new WebhookVerificationError('tooOld', `the webhook is more than ${tolerance} s old`);
  }
  if (seconds > nowSeconds + tolerance) {
    throw new WebhookVerificationError(
      'tooNew',
      `the webhook is more than ${tolerance} s in the future`,
    );
  }
  const signed = encoder.encode(`${id}.${timestamp}.${body}`);
  const candidates = signatures
    .split(' ')
    .filter((s) => s.startsWith('v1,'))
    .map((s) => base64ToBytes(s.slice(3)))
    .filter((s): s is Uint8Array<ArrayBuffer> => s !== undefined);
  const keys = await Promise.all((typeof secrets === 'string' ? [secrets] : secrets).map(keyOf));
  let verified = false;
  for (const key of keys) {
    for (const signature of candidates) {
      if (await crypto.subtle.verify('HMAC', key, signature, signed)) verified = true;
    }
  }
  if (!verified) {
    throw new WebhookVerificationError('badSignature', 'no signature matches the secret');
  }
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new WebhookVerificationError('badPayload', 'the body is not JSON');
  }
  const event = WebhookEvent.safeParse(value);
  if (!event.success) {
    throw new WebhookVerificationError(
      'badPayload',
      'the body is not a Beckon webhook event this version knows',
    );
  }
  return event.data;
}
