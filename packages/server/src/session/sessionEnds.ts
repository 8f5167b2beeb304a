import type { ErrorCode } from '@beckon/core/protocol';
import type { BusMessage } from '../bus/BusMessage.js';
import { sessionTopics } from '../bus/SessionBusMessage.js';
import type { HubContext } from '../hub/hubContext.js';
import type { SessionStore } from './SessionStore.js';

/** What an agent's request to end a session came to. */
export type SessionEndOutcome =
  | { ended: { sessionKey: string; visitorId: string; reason?: string } }
  | { failed: { code: ErrorCode; message: string; param?: string } }
  | { stopping: true };

/** Ending a session on an agent's request, for agents without a session channel of their own. */
export interface SessionEnds {
  /**
   * Asks the visitor's app to end the session with this key in the agent's group, and
   * resolves once it has (the visitor's `sessionEnd`), or with `sessionNotFound`, or
   * `timeout` after `ackTimeoutMs`.
   */
  end(
    agent: { groupId: string; agentId: string },
    sessionKey: string,
    reason: string | undefined,
    cancel?: AbortSignal,
  ): Promise<SessionEndOutcome>;
  /** The hub stops: requests waiting end with `{ stopping: true }`. */
  close(): void;
}

/**
 * The same way a viewer's `end` goes (docs/session.md): a `viewerEnd` on the session's host
 * topic, which the visitor's page streaming the session turns into the `end` its app acts
 * on. The app's `sessionEnd` ends the session for everyone, and its `sessionEnded` on the
 * view topic, wherever that happens in a cluster, answers the request.
 *
 * @example
 * const ends = createSessionEnds(ctx, store);
 * const outcome = await ends.end({ groupId: 'shop', agentId: 'crm' }, 'alice', 'solved');
 */
export function createSessionEnds(ctx: HubContext, store: SessionStore): SessionEnds {
  const { bus, log } = ctx;
  const { ackTimeoutMs } = ctx.settings;
  const waiting = new Set<() => void>();

  const end: SessionEnds['end'] = async (agent, sessionKey, reason, cancel) => {
    const record = await store.find({ groupId: agent.groupId, sessionKey });
    if (!record) {
      return {
        failed: {
          code: 'sessionNotFound',
          message: `no session with key "${sessionKey}" runs in this group`,
          param: 'sessionKey',
        },
      };
    }
    const topics = sessionTopics(record.groupId, record.visitorId);
    return new Promise<SessionEndOutcome>((resolve) => {
      let unsubscribe = () => {};
      const done = (outcome: SessionEndOutcome | undefined) => {
        if (!waiting.delete(stop)) return;
        unsubscribe();
        ctx.cancel(timer);
        cancel?.removeEventListener('abort', onAbort);
        if (outcome) resolve(outcome);
      };
      const stop = () => done({ stopping: true });
      const onAbort = () => done(undefined);
      waiting.add(stop);
      cancel?.addEventListener('abort', onAbort);
      const timer = ctx.timer(
        ackTimeoutMs,
        () =>
          done({
            failed: {
              code: 'timeout',
              message: `the visitor's app did not end the session within ${ackTimeoutMs} ms`,
            },
          }),
        'session end',
      );
      unsubscribe = bus.subscribe(topics.view, (message: BusMessage) => {
        if (message.type !== 'sessionEnded' || message.sessionKey !== record.sessionKey) return;
        done({
          ended: {
            sessionKey: record.sessionKey,
            visitorId: record.visitorId,
            ...(message.reason !== undefined && { reason: message.reason }),
          },
        });
      });
      // Heard from everywhere before the request leaves, so the answer cannot slip past.
      bus
        .ready()
        .then(() => {
          if (!waiting.has(stop)) return;
          log.info(
            {
              audit: 'session',
              group: record.groupId,
              visitorId: record.visitorId,
              sessionKey: record.sessionKey,
              agentId: agent.agentId,
              reason,
            },
            'session end asked over HTTP',
          );
          bus.publish(topics.host, {
            type: 'viewerEnd',
            sessionKey: record.sessionKey,
            agentId: agent.agentId,
            ...(reason !== undefined && { reason }),
          });
        })
        .catch((error) => {
          ctx.internal(error, 'session end');
          done({ failed: { code: 'internal', message: 'the shared state is unreachable' } });
        });
    });
  };

  return {
    end,
    close() {
      for (const stop of [...waiting]) stop();
    },
  };
}
