import {
  type AgentLiveEvent,
  DEFAULT_WEBHOOK_EVENTS,
  WEBHOOK_EVENTS,
  type WebhookEvent,
  type WebhookEventType,
} from '@beckon/core/protocol';
import type { BusMessage } from '../bus/BusMessage.js';
import type { HubContext } from '../hub/hubContext.js';
import { createWebhookQueue, type WebhookQueue } from './webhookQueue.js';
import type { WebhookSettings } from './webhookSettings.js';

const TYPE_OF_EVENT = Object.fromEntries(
  Object.entries(WEBHOOK_EVENTS).map(([webhook, live]) => [live, webhook as WebhookEventType]),
) as Partial<Record<AgentLiveEvent['type'], WebhookEventType>>;

/**
 * The webhook body for a live event, or undefined for events webhooks do not carry
 * (`focus`, `connections`).
 *
 * @example
 * toWebhookEvent('shop', { type: 'terms', visitorId: 'alice', at: 1760000000000, status: 'accepted' });
 * // { type: 'visitor.terms', timestamp: '2025-10-09T08:53:20.000Z', data: { groupId: 'shop', … } }
 */
export function toWebhookEvent(groupId: string, event: AgentLiveEvent): WebhookEvent | undefined {
  const type = TYPE_OF_EVENT[event.type];
  if (type === undefined) return undefined;
  const { type: _live, ...fields } = event;
  return {
    type,
    timestamp: new Date(event.at).toISOString(),
    data: { groupId, ...fields },
  } as WebhookEvent;
}

/** The webhook part of a hub. */
export interface Webhooks {
  /**
   * The tag this hub puts on the events it publishes for groups with webhooks, or undefined
   * for a group without: the one way a process tells its own events from others'.
   */
  originFor(groupId: string): string | undefined;
  /** Stops delivering. */
  close(): void;
}

/**
 * Webhooks of every group that configures them. The part listens on the groups' bus topics
 * as an agent would, so it sees the events of every process — but in a cluster every process
 * listens, and each event must be delivered once, not once per process. So each hub tags the
 * events it publishes with its own origin (a bus ID, unique among processes) and enqueues
 * only those: the process where an event happened is the one that delivers it. A process that
 * dies takes its undelivered events with it (delivery is at most once, like the bus's), and a
 * receiver drops a repeated `webhook-id`.
 *
 * @example
 * const webhooks = createWebhooks(ctx, webhookSettings(options.webhookDelivery));
 * const fanOut = createAgentFanOut(ctx, io, relay.onGroupEvent, webhooks.originFor);
 */
export function createWebhooks(ctx: HubContext, settings: WebhookSettings): Webhooks {
  const origin = ctx.bus.createConnectionId();
  const unsubscribes: (() => void)[] = [];
  const queues: WebhookQueue[] = [];

  for (const [groupId, group] of ctx.groups) {
    if (!group.webhooks?.length) continue;
    const endpoints = group.webhooks.map((endpoint) => ({
      events: new Set<WebhookEventType>(endpoint.events ?? DEFAULT_WEBHOOK_EVENTS),
      queue: createWebhookQueue(ctx, groupId, endpoint, settings),
    }));
    queues.push(...endpoints.map((e) => e.queue));
    const receive = (message: BusMessage) => {
      if (message.type !== 'event' || message.origin !== origin) return;
      try {
        const webhook = toWebhookEvent(groupId, message.event);
        if (!webhook) return;
        let body: string | undefined;
        for (const endpoint of endpoints) {
          if (!endpoint.events.has(webhook.type)) continue;
          body ??= JSON.stringify(webhook);
          endpoint.queue.enqueue(message.event.visitorId, body);
        }
      } catch (error) {
        ctx.internal(error, 'webhook event');
      }
    };
    unsubscribes.push(ctx.bus.subscribe(`group:${groupId}`, receive));
  }

  return {
    originFor: (groupId) => (ctx.groups.get(groupId)?.webhooks?.length ? origin : undefined),
    close() {
      for (const unsubscribe of unsubscribes.splice(0)) unsubscribe();
      for (const queue of queues.splice(0)) queue.close();
    },
  };
}
