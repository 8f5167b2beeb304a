import { ErrorCode, type FromVisitor } from '@beckon/core/protocol';
import { METRIC_NAMES } from '../createMetrics.js';
import { DEFAULT_PUSH_SERVICES, pushServiceAllowed } from '../push/pushConfig.js';
import { sendWebPush } from '../push/sendWebPush.js';
import { type Conn, visitorKey } from './Conn.js';
import type { ConnectionIO } from './connectionIO.js';
import type { HubContext } from './hubContext.js';

type PushSubscribe = Extract<FromVisitor, { type: 'pushSubscribe' }>;
type PushUnsubscribe = Extract<FromVisitor, { type: 'pushUnsubscribe' }>;

/** Web Push for a hub: visitors' subscriptions in, wake-up notifications out. */
export interface PushWake {
  /** The group's VAPID public key, when the group has push. */
  publicKey(groupId: string): string | undefined;
  /**
   * Sends a wake-up notification to every live subscription of the visitor, forgetting the
   * ones the push service says are gone. Resolves how many the push services took: 0 means
   * nothing can wake the visitor. A visitor woken less than `pushWaitMs` ago by this process
   * is not notified again (the answer is the number of that push).
   */
  wake(groupId: string, visitorId: string): Promise<number>;
  /** A visitor's `pushSubscribe`: stored and answered `pushSubscribed`, or `pushRefused`. */
  subscribe(conn: Conn, m: PushSubscribe): Promise<void>;
  /** A visitor's `pushUnsubscribe`: the subscription is forgotten. */
  unsubscribe(conn: Conn, m: PushUnsubscribe): Promise<void>;
}

/**
 * What a wake-up notification carries: the group's configured words and where a click
 * goes, and nothing about the visitor, the agent or the request — a push service (and
 * anyone who can read the device's notifications) learns only that a request is waiting.
 *
 * @example
 * wakePayload({ title: 'Support would like to help you', body: 'Tap to continue' });
 * // '{"type":"beckon.wake","v":1,"title":"Support would like to help you","body":"Tap to continue"}'
 */
export function wakePayload(notification: {
  title: string;
  body?: string;
  icon?: string;
  url?: string;
}): string {
  return JSON.stringify({ type: 'beckon.wake', v: 1, ...notification });
}

/** Replaces an undelivered wake-up of the same visitor's browser at the push service. */
const TOPIC = 'beckon-request';

/**
 * The hub's Web Push part. Subscriptions live in the registry (so every process sees them);
 * the process that owns an agent's request sends its wake-up, once.
 *
 * @example
 * const push = createPushWake(ctx, io);
 * const devices = await push.wake('shop', 'alice'); // 0: nothing to wake alice with
 */
export function createPushWake(ctx: HubContext, io: ConnectionIO): PushWake {
  const { registry, metrics, log, now, groups } = ctx;
  const { pushWaitMs, pushTimeoutMs, maxPushSubscriptionsPerVisitor, pushSubscriptionTtlMs } =
    ctx.settings;
  /** Wake-ups in progress or sent less than `pushWaitMs` ago, by visitor. */
  const recent = new Map<string, Promise<number>>();

  const send = async (groupId: string, visitorId: string): Promise<number> => {
    const push = groups.get(groupId)?.push;
    if (!push) return 0;
    const services = push.pushServices ?? DEFAULT_PUSH_SERVICES;
    const subscriptions = await registry.pushSubscriptions({ groupId, visitorId, at: now() });
    const payload = wakePayload(push.notification ?? { title: 'Support would like to help you' });
    const results = await Promise.all(
      subscriptions.map(async (subscription) => {
        // The configuration may have changed since it was saved.
        if (!pushServiceAllowed(subscription.endpoint, services)) {
          return { result: 'failed' as const, message: 'push service no longer allowed' };
        }
        return sendWebPush(subscription, payload, {
          vapid: push.vapid,
          ttlSeconds: Math.ceil(pushWaitMs / 1_000),
          topic: TOPIC,
          timeoutMs: pushTimeoutMs,
        });
      }),
    );
    let sent = 0;
    for (const [i, outcome] of results.entries()) {
      const endpoint = subscriptions[i]?.endpoint ?? '';
      metrics.inc(METRIC_NAMES.pushNotifications, { result: outcome.result });
      if (outcome.result === 'sent') sent += 1;
      else if (outcome.result === 'gone') {
        await registry.removePushSubscription({ groupId, visitorId, endpoint });
        log.debug({ group: groupId, visitorId, status: outcome.status }, 'push subscription gone');
      } else {
        log.warn(
          { group: groupId, visitorId, status: outcome.status, reason: outcome.message },
          'push not sent',
        );
      }
    }
    log.debug({ group: groupId, visitorId, sent, of: subscriptions.length }, 'push wake');
    return sent;
  };

  return {
    publicKey: (groupId) => groups.get(groupId)?.push?.vapid.publicKey,

    wake(groupId, visitorId) {
      const key = visitorKey(groupId, visitorId);
      const known = recent.get(key);
      if (known) return known;
      const run = send(groupId, visitorId);
      recent.set(key, run);
      const forget = () => {
        ctx.timer(
          pushWaitMs,
          () => {
            recent.delete(key);
          },
          'push dedupe',
        );
      };
      run.then(forget, () => recent.delete(key));
      return run;
    },

    async subscribe(conn, m) {
      const { groupId, visitorId } = conn;
      const { endpoint } = m.subscription;
      const push = groups.get(groupId)?.push;
      const refuse = (code: ErrorCode, message: string) => {
        io.send(conn, { type: 'pushRefused', endpoint, code, message });
      };
      if (!push) {
        refuse(
          ErrorCode.notConfigured,
          `push notifications are not configured for group "${groupId}"`,
        );
        return;
      }
      if (!pushServiceAllowed(endpoint, push.pushServices ?? DEFAULT_PUSH_SERVICES)) {
        metrics.inc(METRIC_NAMES.rejections, { reason: 'forbidden' });
        refuse(
          ErrorCode.forbidden,
          'the subscription names a push service this group does not allow',
        );
        return;
      }
      const at = now();
      const expiresAt = Math.min(at + pushSubscriptionTtlMs, m.subscription.expiresAt ?? Infinity);
      if (expiresAt <= at) {
        refuse(ErrorCode.invalidParameter, 'the subscription has expired');
        return;
      }
      const { evicted } = await registry.savePushSubscription({
        groupId,
        visitorId,
        subscription: {
          endpoint,
          keys: { p256dh: m.subscription.keys.p256dh, auth: m.subscription.keys.auth },
          expiresAt,
        },
        at,
        maxPerVisitor: maxPushSubscriptionsPerVisitor,
      });
      if (evicted.length > 0) {
        log.debug(
          { group: groupId, visitorId, evicted: evicted.length },
          'push subscriptions evicted',
        );
      }
      io.send(conn, { type: 'pushSubscribed', endpoint });
    },

    async unsubscribe(conn, m) {
      await registry.removePushSubscription({
        groupId: conn.groupId,
        visitorId: conn.visitorId,
        endpoint: m.endpoint,
      });
    },
  };
}
