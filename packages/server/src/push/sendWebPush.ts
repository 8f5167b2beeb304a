import webPush from 'web-push';
import type { PushSubscriptionRecord } from '../PresenceRegistry.js';

/** What became of one push. */
export type PushResult =
  /** The push service took it (it delivers when the browser is reachable, within the TTL). */
  | { result: 'sent' }
  /** The subscription is gone for good (404 or 410): forget it. */
  | { result: 'gone'; status: number }
  /** It did not go out this time (the push service refused, failed or was unreachable). */
  | { result: 'failed'; status?: number; message: string };

/** How one push is sent. */
export interface WebPushOptions {
  vapid: { publicKey: string; privateKey: string; subject: string };
  /** Seconds the push service keeps it for a browser that is offline. */
  ttlSeconds: number;
  /** A later push with the same topic replaces an undelivered one. */
  topic: string;
  timeoutMs: number;
}

/**
 * Sends one Web Push message: encrypted for the subscription's keys (RFC 8291, aes128gcm)
 * and signed with the group's VAPID key (RFC 8292), by the maintained `web-push` package;
 * posted with `fetch` under a deadline, never following redirects. Never throws.
 *
 * @example
 * const outcome = await sendWebPush(subscription, JSON.stringify({ type: 'beckon.wake' }), {
 *   vapid: group.push.vapid, ttlSeconds: 30, topic: 'beckon-request', timeoutMs: 10_000,
 * });
 * if (outcome.result === 'gone') await registry.removePushSubscription({ groupId, visitorId, endpoint });
 */
export async function sendWebPush(
  subscription: Pick<PushSubscriptionRecord, 'endpoint' | 'keys'>,
  payload: string,
  options: WebPushOptions,
): Promise<PushResult> {
  let details: ReturnType<typeof webPush.generateRequestDetails>;
  try {
    details = webPush.generateRequestDetails(
      { endpoint: subscription.endpoint, keys: subscription.keys },
      payload,
      {
        vapidDetails: options.vapid,
        TTL: options.ttlSeconds,
        topic: options.topic,
        urgency: 'high',
        contentEncoding: 'aes128gcm',
      },
    );
  } catch (error) {
    return {
      result: 'failed',
      message: `cannot encrypt for this subscription: ${(error as Error).message}`,
    };
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(details.headers)) headers[name] = String(value);
  // fetch sets it from the body.
  delete headers['Content-Length'];
  try {
    const response = await fetch(details.endpoint, {
      method: 'POST',
      headers,
      body: details.body === null ? null : new Uint8Array(details.body as Buffer),
      redirect: 'error',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    // The answer's body is of no use; release the connection.
    await response.body?.cancel().catch(() => {});
    if (response.status >= 200 && response.status < 300) return { result: 'sent' };
    if (response.status === 404 || response.status === 410) {
      return { result: 'gone', status: response.status };
    }
    return {
      result: 'failed',
      status: response.status,
      message: `the push service answered ${response.status}`,
    };
  } catch (error) {
    return {
      result: 'failed',
      message: `the push service is unreachable: ${(error as Error).message}`,
    };
  }
}
