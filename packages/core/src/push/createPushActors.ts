import { fromCallback } from 'xstate';
import { checkPushSubscription } from '../wire/pushSubscription.js';
import type { PushFailureReason, PushProviderSpec, PushSubscriptionData } from './PushProvider.js';

/** What the push actors report to the visitor machine. */
export type PushActorEvent =
  | { type: 'push.subscribed'; subscription: PushSubscriptionData }
  | { type: 'push.failed'; reason: PushFailureReason; message: string }
  | { type: 'push.removed' };

const REASONS: readonly PushFailureReason[] = ['unsupported', 'denied', 'failed'];

function failureOf(error: unknown): { reason: PushFailureReason; message: string } {
  const reason = (error as { reason?: unknown } | null)?.reason;
  const message = error instanceof Error ? error.message : String(error);
  return {
    reason: REASONS.includes(reason as PushFailureReason)
      ? (reason as PushFailureReason)
      : 'failed',
    message,
  };
}

/**
 * The visitor machine's two push actors over a push provider's platform part: `push` subscribes with
 * the group's key and reports the subscription or why not; `pushRemoval` unsubscribes and
 * reports when it is done (a failure to unsubscribe leaves nothing for the app to do: the
 * service forgets the subscription either way).
 *
 * @example
 * const machine = visitorMachine.provide({ actors: createPushActors(provider) });
 */
export function createPushActors(provider: PushProviderSpec) {
  return {
    push: fromCallback<{ type: 'push.none' }, { vapidPublicKey: string }, PushActorEvent>(
      ({ input, sendBack }) => {
        let live = true;
        let run: Promise<PushSubscriptionData>;
        try {
          run = Promise.resolve(provider.subscribe(input.vapidPublicKey));
        } catch (error) {
          run = Promise.reject(error);
        }
        run.then(
          (subscription) => {
            if (!live) return;
            // A provider of the app's own may hand back anything: the service would refuse it.
            const wrong = checkPushSubscription(subscription ?? {});
            if (wrong) {
              sendBack({
                type: 'push.failed',
                reason: 'failed',
                message: `the push provider gave an unusable subscription: ${wrong.param} ${wrong.reason}`,
              });
            } else sendBack({ type: 'push.subscribed', subscription });
          },
          (error: unknown) => {
            if (live) sendBack({ type: 'push.failed', ...failureOf(error) });
          },
        );
        return () => {
          live = false;
        };
      },
    ),
    pushRemoval: fromCallback<{ type: 'push.none' }, undefined, PushActorEvent>(({ sendBack }) => {
      let live = true;
      const done = () => {
        if (live) sendBack({ type: 'push.removed' });
      };
      try {
        Promise.resolve(provider.unsubscribe()).then(done, done);
      } catch {
        done();
      }
      return () => {
        live = false;
      };
    }),
  };
}
