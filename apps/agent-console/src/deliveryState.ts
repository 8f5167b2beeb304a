import { AgentRequestError } from '@beckon/core/agent';

/** Where a One-Click Connect request is; `state` is also the element's `data-state`. */
export type DeliveryState =
  | {
      state: 'sending';
      since: number;
      /** Timeline entries after this sequence number came after the request was sent. */
      afterSeq?: number;
    }
  | {
      state: 'delivered';
      connectionId: string;
      epoch: number;
      at: number;
      /** Timeline entries after this sequence number came after the request was sent. */
      afterSeq?: number;
      /** The visitor was asleep and came back through a push notification. */
      woken?: boolean;
    }
  | {
      state: 'visitorNotPresent' | 'visitorAsleep' | 'timeout' | 'busy';
      message: string;
      at: number;
    }
  /** Any other failure; `code` is the `AgentRequestError` code, or `unknown`. */
  | { state: 'error'; code: string; message: string; at: number };

/**
 * What a rejected `showTerms` means for the delivery status. The service's expected answers
 * (`visitorNotPresent`, `visitorAsleep`, `timeout`, `busy`) get their own states; anything else is
 * `error` with its code, so the agent still sees why.
 *
 * @example
 * agent.showTerms(id).catch((error) => setDelivery(deliveryStateFromError(error, Date.now())));
 */
export function deliveryStateFromError(error: unknown, at: number): DeliveryState {
  if (error instanceof AgentRequestError) {
    if (
      error.code === 'visitorNotPresent' ||
      error.code === 'visitorAsleep' ||
      error.code === 'timeout' ||
      error.code === 'busy'
    ) {
      return { state: error.code, message: error.message, at };
    }
    return { state: 'error', code: error.code, message: error.message, at };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { state: 'error', code: 'unknown', message, at };
}
