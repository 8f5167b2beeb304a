import { assign, emit, enqueueActions } from 'xstate';
import { retryDelayAfter } from '../connection/backoff.js';
import { closeOf, connectFail } from '../connection/connectFail.js';
import { agentActions } from './agentActions.js';
import { type AgentContext, inScope } from './agentContext.js';
import { type AgentRequestDraft, requestFailure } from './agentRequest.js';
import { allocate, transmit } from './pendingRequests.js';
import { requestPage } from './syncRequests.js';
import { applyVisitorEvent, EMPTY_VISITORS } from './visitorMap.js';
import { startSync, syncEvent } from './visitorSync.js';

// The requests that restore a connection's watches and refresh the live view (the group's
// listing follows them, see `requestPage`).
function resubscribe(context: AgentContext): AgentRequestDraft[] {
  const drafts: AgentRequestDraft[] = [];
  if (context.watchGroup) drafts.push({ type: 'watch' });
  for (const visitorId of context.watchedVisitors) drafts.push({ type: 'watch', visitorId });
  if (!context.watchGroup) {
    for (const visitorId of context.watchedVisitors) drafts.push({ type: 'lookup', visitorId });
  }
  return drafts;
}

/**
 * The agent machine's actions for its connection: the welcome (which restores watches), the
 * service's live events and unasked errors, invalid frames, closes and retries, and the
 * app's `disconnect()`.
 */
export const connectionActions = agentActions({
  acceptWelcome: enqueueActions(({ context, event, enqueue }) => {
    if (event.type !== 'socket.welcome') return;
    const { connectionId } = event.message;
    const { nextId, pending, issued } = allocate(context, resubscribe(context), undefined);
    if (issued.length > 0) transmit(enqueue, context, issued);
    // A watched group is listed again after its watch: who left meanwhile leaves the view.
    let listing: Partial<AgentContext> = {};
    if (context.watchGroup) {
      const sync = startSync();
      listing = { sync, ...requestPage(enqueue, { ...context, nextId, pending }, sync) };
    }
    enqueue.assign({
      connectionId,
      attempt: 0,
      error: undefined,
      everConnected: true,
      nextId,
      pending,
      ...listing,
    });
    enqueue.emit({
      type: 'connected',
      connectionId,
      groupId: context.groupId,
      reconnected: context.everConnected,
    });
  }),
  applyEvent: enqueueActions(({ context, event, enqueue }) => {
    if (event.type !== 'socket.event') return;
    const live = event.event;
    if (inScope(context, live.visitorId)) {
      const visitors = context.sync
        ? syncEvent(context.visitors, context.sync, live)
        : applyVisitorEvent(context.visitors, live);
      if (visitors !== context.visitors) enqueue.assign({ visitors });
    }
    enqueue.emit(live);
  }),
  reportServiceError: enqueueActions(({ event, enqueue }) => {
    if (event.type !== 'socket.error') return;
    const { code, message, param, retryAfter } = event.message;
    enqueue.emit({
      type: 'error',
      source: 'service',
      ...requestFailure(code, message, { param, retryAfter }),
    });
  }),
  reportInvalidFrame: enqueueActions(({ context, event, enqueue }) => {
    if (event.type !== 'socket.invalid') return;
    enqueue.assign({ invalidFrames: context.invalidFrames + 1 });
    const { code, message, param } = event.error;
    enqueue.emit({
      type: 'error',
      source: 'invalidFrame',
      ...requestFailure(code, `ignored a frame from the service: ${message}`, { param }),
    });
  }),
  noteClose: assign(({ event }) => ({ connectionId: undefined, error: closeOf(event) })),
  scheduleRetry: assign(({ context, event }) => {
    const attempt = context.attempt + 1;
    const retryDelay = retryDelayAfter(
      attempt,
      context.policy,
      event.type === 'socket.closed' ? event : undefined,
    );
    return { attempt, retryDelay };
  }),
  reportRetry: emit(({ context, event }) => connectFail(event, context.retryDelay)),
  reportGiveUp: emit(({ event }) => connectFail(event)),
  resetAttempts: assign({ attempt: 0 }),
  // `disconnect()` is the app logging out: watches and the live view go with it.
  forget: assign({
    attempt: 0,
    connectionId: undefined,
    error: undefined,
    everConnected: false,
    watchGroup: false,
    watchedVisitors: [],
    visitors: EMPTY_VISITORS,
    sync: undefined,
  }),
  announceDisconnected: emit({ type: 'disconnected' }),
});
