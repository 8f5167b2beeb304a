import { randomBytes } from 'node:crypto';
import { METRIC_NAMES } from '../createMetrics.js';
import type { HubContext } from '../hub/hubContext.js';
import { signWebhook } from './signWebhook.js';
import type { WebhookEndpoint } from './webhookConfig.js';
import type { WebhookSettings } from './webhookSettings.js';

/** One event on its way to one endpoint. */
interface Delivery {
  /** `webhook-id`: the same on every attempt, so receivers can drop a duplicate. */
  id: string;
  visitorId: string;
  body: string;
  attempts: number;
  state: 'waiting' | 'inFlight' | 'backoff' | 'ready';
  timer: unknown;
}

/** Where one endpoint's events wait, and go out. */
export interface WebhookQueue {
  /** Takes an event for delivery; false when the queue is full (the event is dropped and counted). */
  enqueue(visitorId: string, body: string): boolean;
  /** Events held: waiting, retrying or in flight. */
  size(): number;
  /** Stops: attempts in flight are aborted, nothing more is sent. */
  close(): void;
}

/** Whether an answer is worth another attempt: the receiver's trouble, not a refusal. */
const retryable = (status: number) => status >= 500 || status === 408 || status === 429;

/** `Retry-After` in ms (seconds or an HTTP date), when the receiver sent one. */
function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * One endpoint's deliveries. `enqueue` only appends (the hot path never waits for a
 * receiver); up to `concurrency` attempts run at once, each signed afresh, and an event of a
 * visitor goes out only once the one before it is done (delivered or given up), so a
 * receiver sees each visitor's events in order. A failed attempt — 5xx, 408, 429, a timeout,
 * a network error — is tried again after an exponentially growing delay with jitter
 * (`Retry-After` is honoured), up to `maxAttempts`; any other answer is final. The queue
 * holds at most `queueSize` events: beyond that new ones are dropped and counted
 * (`beckon_webhooks_dropped_total`).
 *
 * @example
 * const queue = createWebhookQueue(ctx, 'shop', endpoint, settings);
 * queue.enqueue('alice', JSON.stringify(event));
 */
export function createWebhookQueue(
  ctx: HubContext,
  groupId: string,
  endpoint: WebhookEndpoint,
  settings: WebhookSettings,
): WebhookQueue {
  const { metrics, log, now, random } = ctx;
  const deliveries: Delivery[] = [];
  /** Visitors with an event started and not done: their next events wait. */
  const busy = new Set<string>();
  const aborts = new Set<AbortController>();
  let inFlight = 0;
  let closed = false;
  const labels = { group: groupId };

  const gauge = () => metrics.set(METRIC_NAMES.webhookQueue, labels, deliveries.length);

  const done = (d: Delivery) => {
    const index = deliveries.indexOf(d);
    if (index >= 0) deliveries.splice(index, 1);
    busy.delete(d.visitorId);
    gauge();
  };

  const delayFor = (attempt: number) => {
    const ceiling = Math.min(settings.retryMaxMs, settings.retryBaseMs * 2 ** (attempt - 1));
    // Half fixed, half random: receivers that came back are not hit by every sender at once.
    return Math.round(ceiling / 2 + (random() * ceiling) / 2);
  };

  const failed = (d: Delivery, why: string, retry: boolean, wait?: number) => {
    if (closed) return;
    if (!retry || d.attempts >= settings.maxAttempts) {
      metrics.inc(METRIC_NAMES.webhooksFailed, {
        ...labels,
        reason: retry ? 'exhausted' : 'refused',
      });
      log.warn(
        { group: groupId, url: endpoint.url, webhookId: d.id, attempts: d.attempts, why },
        'webhook given up',
      );
      done(d);
      return;
    }
    metrics.inc(METRIC_NAMES.webhookRetries, labels);
    log.debug(
      { group: groupId, url: endpoint.url, webhookId: d.id, why },
      'webhook will be retried',
    );
    d.state = 'backoff';
    d.timer = ctx.timer(
      Math.max(wait ?? 0, delayFor(d.attempts)),
      () => {
        d.state = 'ready';
        pump();
      },
      'webhook retry',
    );
  };

  const attempt = async (d: Delivery) => {
    d.state = 'inFlight';
    d.attempts += 1;
    inFlight += 1;
    const abort = new AbortController();
    aborts.add(abort);
    const timeout = ctx.timer(settings.timeoutMs, () => abort.abort(), 'webhook timeout');
    const timestamp = Math.floor(now() / 1000);
    try {
      const response = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Beckon-Webhooks/1',
          'webhook-id': d.id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signWebhook(endpoint.secrets, d.id, timestamp, d.body),
        },
        body: d.body,
        redirect: 'manual',
        signal: abort.signal,
      });
      // The body is not needed; reading it frees the connection for the next attempt.
      await response.arrayBuffer().catch(() => undefined);
      if (response.status >= 200 && response.status < 300) {
        metrics.inc(METRIC_NAMES.webhooksDelivered, labels);
        done(d);
      } else {
        failed(
          d,
          `HTTP ${response.status}`,
          retryable(response.status),
          retryAfterMs(response.headers.get('retry-after'), now()),
        );
      }
    } catch (error) {
      const why = abort.signal.aborted
        ? `no answer within ${settings.timeoutMs} ms`
        : error instanceof Error
          ? error.message
          : String(error);
      failed(d, why, true);
    } finally {
      ctx.cancel(timeout);
      aborts.delete(abort);
      inFlight -= 1;
      pump();
    }
  };

  const pump = () => {
    while (!closed && inFlight < settings.concurrency) {
      // Retries first (their visitor is waiting on them), then the oldest event whose
      // visitor has nothing under way.
      const next =
        deliveries.find((d) => d.state === 'ready') ??
        deliveries.find((d) => d.state === 'waiting' && !busy.has(d.visitorId));
      if (!next) return;
      busy.add(next.visitorId);
      void attempt(next);
    }
  };

  return {
    enqueue(visitorId, body) {
      if (closed) return false;
      if (deliveries.length >= settings.queueSize) {
        metrics.inc(METRIC_NAMES.webhooksDropped, labels);
        return false;
      }
      deliveries.push({
        id: `msg_${randomBytes(16).toString('base64url')}`,
        visitorId,
        body,
        attempts: 0,
        state: 'waiting',
        timer: undefined,
      });
      gauge();
      pump();
      return true;
    },
    size: () => deliveries.length,
    close() {
      closed = true;
      for (const d of deliveries) ctx.cancel(d.timer);
      for (const abort of aborts) abort.abort();
      deliveries.length = 0;
      busy.clear();
      gauge();
    },
  };
}
