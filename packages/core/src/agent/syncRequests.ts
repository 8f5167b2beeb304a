/**
 * The requests of the group listing that fills the agent's live view (the listing itself is
 * `visitorSync.ts`): asking for each page, going on after a page came back or failed, and
 * ending it, which answers the `watch()` calls that waited for it.
 */
import { type AgentContext, inScope, type RequestOutcome } from './agentContext.js';
import {
  type AgentReply,
  type AgentRequestDraft,
  type RequestFailure,
  requestFailure,
} from './agentRequest.js';
import { allocate, type Enqueue, transmit } from './pendingRequests.js';
import { pageFailed, type SyncStep, takePage, type VisitorSync } from './visitorSync.js';

/** The id of the timer that asks again for a page that failed. */
const SYNC_RETRY = 'sync-retry';
/** Failed attempts at one listing page (rate limits aside) before the listing gives up. */
const MAX_SYNC_FAILURES = 3;

/**
 * Asks for the listing's next page.
 *
 * @example
 * const listing = { sync, ...requestPage(enqueue, context, sync) };
 */
export function requestPage(
  enqueue: Enqueue,
  context: AgentContext,
  sync: VisitorSync,
): Pick<AgentContext, 'nextId' | 'pending'> {
  const draft: AgentRequestDraft =
    sync.after === undefined ? { type: 'list' } : { type: 'list', after: sync.after };
  const { nextId, pending, issued } = allocate(context, [draft], undefined);
  sync.pageId = issued[0]?.id;
  transmit(enqueue, context, issued);
  return { nextId, pending };
}

/**
 * Ends the listing, answering the `watch()` calls that waited for it.
 *
 * @example
 * endSync(enqueue, context.sync, { ok: true, value: undefined });
 */
export function endSync(enqueue: Enqueue, sync: VisitorSync, outcome: RequestOutcome) {
  enqueue.cancel(SYNC_RETRY);
  for (const ticket of sync.waiters) enqueue.emit({ type: 'request.settled', ticket, outcome });
}

// Goes on with the listing after a page came back or failed.
function continueSync(
  enqueue: Enqueue,
  context: AgentContext,
  sync: VisitorSync,
  step: SyncStep,
  why: RequestFailure | undefined,
): Partial<AgentContext> {
  switch (step.type) {
    case 'next':
      return requestPage(enqueue, context, sync);
    case 'done':
      endSync(enqueue, sync, { ok: true, value: undefined });
      return { sync: undefined };
    case 'retry':
      enqueue.raise({ type: 'sync.retry' }, { id: SYNC_RETRY, delay: step.delayMs });
      return {};
    case 'giveUp': {
      const failed = why ?? requestFailure('internal', 'the listing failed');
      enqueue.emit({
        type: 'error',
        source: 'sync',
        ...failed,
        message: `list: ${failed.message}`,
      });
      endSync(enqueue, sync, { ok: false, failure: failed });
      return { sync: undefined };
    }
  }
}

/**
 * Takes a reply (or a timeout) for the listing's page in flight, and goes on with the listing.
 *
 * @example
 * enqueue.assign({ pending: rest, ...syncReply(enqueue, { ...context, pending: rest }, sync, event.message) });
 */
export function syncReply(
  enqueue: Enqueue,
  context: AgentContext,
  sync: VisitorSync,
  reply: AgentReply | RequestFailure,
): Partial<AgentContext> {
  if ('type' in reply && reply.type === 'visitors') {
    const { visitors, step } = takePage(context.visitors, sync, reply.visitors, reply.next, (id) =>
      inScope(context, id),
    );
    return { visitors, ...continueSync(enqueue, { ...context, visitors }, sync, step, undefined) };
  }
  const why: RequestFailure =
    'type' in reply
      ? reply.type === 'failed'
        ? requestFailure(reply.code, reply.message, { retryAfter: reply.retryAfter })
        : requestFailure(
            'invalidMessage',
            `the service answered a list request with "${reply.type}"`,
          )
      : reply;
  return continueSync(enqueue, context, sync, pageFailed(sync, why, MAX_SYNC_FAILURES), why);
}
