import type { Visibility } from '../PresenceRegistry.js';
import type { AgentFanOut } from './agentFanOut.js';
import { visitorKey } from './Conn.js';
import type { HubContext } from './hubContext.js';

/** The clocks this process runs for visitors whose connections it holds or held last. */
export interface VisitorTimers {
  /** A connection of the visitor joined here: it is back, whatever grace was running. */
  joined(groupId: string, visitorId: string): void;
  /**
   * The visitor's last connection closed (here, or in a process that died) at
   * `disconnectedAt`: forget it unless it returns within the grace window.
   */
  left(groupId: string, visitorId: string, disconnectedAt: number): void;
  /** Another process forgot the visitor for us: tell agents it is gone. */
  gone(groupId: string, visitorId: string): void;
  /** The visitor's visibility changed: tell agents, and start counting towards away if hidden. */
  visibility(
    groupId: string,
    visitorId: string,
    visibility: Visibility,
    hiddenSince: number | undefined,
  ): void;
  /** Forgets every visitor (the timers themselves are the hub's to cancel). */
  clear(): void;
}

// Both fields always present (undefined when idle): `delete` would turn each of thousands
// of these objects into a slower, larger dictionary.
interface VisitorLocal {
  graceTimer: unknown;
  awayTimer: unknown;
}

/**
 * The reconnect grace (`visitorDisconnected` once it runs out) and the away clock of hidden
 * visitors. The registry has the last word: `forget` only drops a visitor with no open
 * connection that left when the timer says it did, and `markAway` only one still hidden
 * since then, so a timer that fires while the visitor is back, or after it came back and
 * left again (here or in another process), changes nothing. A draining hub starts no
 * timers: in a cluster the shared state forgets for it (`gone`).
 *
 * @example
 * const visitors = createVisitorTimers(ctx, fanOut);
 * visitors.left('shop', 'alice'); // `visitorDisconnected` in graceMs unless alice returns
 */
export function createVisitorTimers(
  ctx: HubContext,
  fanOut: AgentFanOut,
  /** The visitor was forgotten: its session, if any, is over. */
  onGone: (groupId: string, visitorId: string) => Promise<void> = async () => {},
): VisitorTimers {
  const { registry, log, now, timer, cancel } = ctx;
  const { graceMs, awayAfterMs } = ctx.settings;
  // Made only when a timer needs it: creating it for every visitor would cost a few hundred
  // bytes each.
  const visitors = new Map<string, VisitorLocal>();

  const local = (groupId: string, visitorId: string): VisitorLocal => {
    const key = visitorKey(groupId, visitorId);
    let v = visitors.get(key);
    if (!v) {
      v = { graceTimer: undefined, awayTimer: undefined };
      visitors.set(key, v);
    }
    return v;
  };

  const gone = (groupId: string, visitorId: string) => {
    log.debug({ group: groupId, visitorId }, 'visitor gone');
    // Agents' processes also fail the requests they held for this visitor on this event.
    fanOut.emit(groupId, visitorId, { type: 'visitorDisconnected' });
    onGone(groupId, visitorId).catch((error) => ctx.internal(error, 'visitor gone'));
    const key = visitorKey(groupId, visitorId);
    const v = visitors.get(key);
    if (!v) return;
    cancel(v.graceTimer);
    cancel(v.awayTimer);
    visitors.delete(key);
  };

  const expire = async (groupId: string, visitorId: string, disconnectedAt: number) => {
    const v = visitors.get(visitorKey(groupId, visitorId));
    if (v) v.graceTimer = undefined;
    if (await registry.forget({ groupId, visitorId, disconnectedAt })) gone(groupId, visitorId);
  };

  return {
    joined(groupId, visitorId) {
      const v = visitors.get(visitorKey(groupId, visitorId));
      if (v) {
        cancel(v.graceTimer);
        v.graceTimer = undefined;
      }
    },

    left(groupId, visitorId, disconnectedAt) {
      if (ctx.stopping) return;
      const v = local(groupId, visitorId);
      cancel(v.graceTimer);
      v.graceTimer = timer(
        disconnectedAt + graceMs - now(),
        () => expire(groupId, visitorId, disconnectedAt),
        'grace',
      );
    },

    gone,

    visibility(groupId, visitorId, visibility, hiddenSince) {
      fanOut.emit(groupId, visitorId, { type: 'visibility', visibility });
      if (ctx.stopping) return;
      const v = local(groupId, visitorId);
      cancel(v.awayTimer);
      v.awayTimer = undefined;
      if (visibility === 'hidden' && hiddenSince !== undefined) {
        v.awayTimer = timer(
          hiddenSince + awayAfterMs - now(),
          async () => {
            v.awayTimer = undefined;
            if (await registry.markAway({ groupId, visitorId, hiddenSince })) {
              fanOut.emit(groupId, visitorId, { type: 'visibility', visibility: 'away' });
            }
          },
          'away',
        );
      }
    },

    clear() {
      visitors.clear();
    },
  };
}
