import { z } from 'zod';
import { checkOptions } from '../checkOptions.js';

/** How the service delivers webhooks (the same for every endpoint). */
export interface WebhookDeliveryOptions {
  /** How long one attempt may take before it counts as failed. Default 10 000. */
  timeoutMs?: number;
  /** Attempts per event, the first included. Default 8 (about 4 minutes of retrying). */
  maxAttempts?: number;
  /** The first retry's delay; each next one doubles, with jitter. Default 1 000. */
  retryBaseMs?: number;
  /** The longest delay between two attempts. Default 120 000. */
  retryMaxMs?: number;
  /** Events one endpoint may hold (waiting, retrying or in flight); more are dropped and counted. Default 1 000. */
  queueSize?: number;
  /** Attempts in flight at once per endpoint. Events of one visitor still go one after another. Default 4. */
  concurrency?: number;
}

/** The delivery options with their defaults. */
export type WebhookSettings = Required<WebhookDeliveryOptions>;

/** The `webhookDelivery` option's shape, for the service's and the CLI's checks. */
export const WebhookDeliverySchema = z.strictObject({
  timeoutMs: z.number().int().positive().optional(),
  maxAttempts: z.number().int().min(1).max(100).optional(),
  retryBaseMs: z.number().int().positive().optional(),
  retryMaxMs: z.number().int().positive().optional(),
  queueSize: z.number().int().min(1).optional(),
  concurrency: z.number().int().min(1).max(64).optional(),
});

/**
 * Checks the `webhookDelivery` option and fills in the defaults. Throws a `ConfigError`
 * naming every bad field.
 *
 * @example
 * const settings = webhookSettings({ timeoutMs: 5_000 });
 */
export function webhookSettings(options: WebhookDeliveryOptions = {}): WebhookSettings {
  checkOptions(WebhookDeliverySchema, options, ['options', 'webhookDelivery']);
  return {
    timeoutMs: options.timeoutMs ?? 10_000,
    maxAttempts: options.maxAttempts ?? 8,
    retryBaseMs: options.retryBaseMs ?? 1_000,
    retryMaxMs: options.retryMaxMs ?? 120_000,
    queueSize: options.queueSize ?? 1_000,
    concurrency: options.concurrency ?? 4,
  };
}
