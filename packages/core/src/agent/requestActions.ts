import { enqueueActions } from 'xstate';
import { MAX_TIMER_MS } from '../connection/clientOptions.js';
import type { Violation } from '../wire/limits.js';
import { agentActions } from './agentActions.js';
import type { AgentContext, RequestOutcome } from './agentContext.js';
import { prepareRequest, type RequestFailure, requestFailure } from './agentRequest.js';
import { interpretReply } from './interpretReply.js';
import { allocate, settle, timerId, transmit } from './pendingRequests.js';
import { endSync, requestPage, syncReply } from './syncRequests.js';

const invalid = (v: Violation): RequestFailure =>
  requestFailure('invalidParameter', `${v.param} ${v.reason}`, { param: v.param });

const notConnected = requestFailure('notConnected', 'not connected to the presence service');

/**
 * The agent machine's actions for requests: refusing or sending them, matching replies,
 * timeouts and refused frames to them, waiting longer for a woken visitor, and failing every
 * one still waiting when the connection goes.
 */
export const requestActions = agentActions({
  // A request that cannot go out: invalid, or there is no connection. Nothing is sent.
  refuseRequest: enqueueActions(({ event, enqueue }) => {
    if (event.type !== 'REQUEST') return;
    const prepared = prepareRequest(event.request);
    enqueue.emit({
      type: 'request.settled',
      ticket: event.ticket,
      outcome: { ok: false, failure: prepared.ok ? notConnected : invalid(prepared.violation) },
    });
  }),
  handleRequest: enqueueActions(({ context, event, enqueue }) => {
    if (event.type !== 'REQUEST') return;
    const prepared = prepareRequest(event.request);
    if (!prepared.ok) {
      enqueue.emit({
        type: 'request.settled',
        ticket: event.ticket,
        outcome: { ok: false, failure: invalid(prepared.violation) },
      });
      return;
    }
    const { nextId, pending, issued } = allocate(context, [prepared.draft], event.ticket);
    enqueue.assign({ nextId, pending });
    transmit(enqueue, context, issued);
  }),
  settleReply: enqueueActions(({ context, event, enqueue }) => {
    if (event.type !== 'socket.reply') return;
    const entry = context.pending.get(event.message.id);
    // A reply to nothing we wait for: most likely one that arrived after its timeout.
    if (!entry) return;
    enqueue.cancel(timerId(entry.id));
    const rest = new Map(context.pending);
    rest.delete(entry.id);
    const sync = context.sync;
    if (sync && sync.pageId === entry.id) {
      enqueue.assign({
        pending: rest,
        ...syncReply(enqueue, { ...context, pending: rest }, sync, event.message),
      });
      return;
    }
    const { outcome, patch, follow, defer } = interpretReply(context, entry, event.message);
    const waiters = defer && entry.ticket !== undefined ? [entry.ticket] : undefined;
    let next: AgentContext = { ...context, ...patch, pending: rest };
    const { nextId, pending, issued } = allocate(next, follow, undefined, waiters);
    next = { ...next, nextId, pending };
    let listing: Partial<AgentContext> = {};
    // A group watch (or an unwatch) starts (or ends) the listing that fills the view.
    if (patch.sync && patch.sync !== context.sync) listing = requestPage(enqueue, next, patch.sync);
    else if (context.sync && !next.watchGroup) {
      endSync(enqueue, context.sync, { ok: true, value: undefined });
      listing = { sync: undefined };
    }
    enqueue.assign({ ...patch, nextId, pending, ...listing });
    if (!defer) settle(enqueue, entry, outcome);
    if (issued.length > 0) transmit(enqueue, context, issued);
  }),
  // The listing's page failed earlier: ask for it again.
  retrySync: enqueueActions(({ context, enqueue }) => {
    const sync = context.sync;
    if (!sync || sync.pageId !== undefined) return;
    enqueue.assign(requestPage(enqueue, context, sync));
  }),
  // The transport refused a frame we handed it: fail that request now, not at its timeout.
  settleUnsent: enqueueActions(({ context, event, enqueue }) => {
    if (event.type !== 'socket.sendFailed' || !('id' in event.message)) return;
    const entry = context.pending.get(event.message.id);
    if (!entry) return;
    enqueue.cancel(timerId(entry.id));
    const pending = new Map(context.pending);
    pending.delete(entry.id);
    enqueue.assign({ pending });
    // The listing's page: the connection is going, and the listing ends with it.
    if (context.sync?.pageId === entry.id) return;
    settle(enqueue, entry, { ok: false, failure: requestFailure('notConnected', event.reason) });
  }),
  // The service waits for a visitor it woke with a push: so does the request, that long
  // plus its own allowance for the answer.
  extendRequest: enqueueActions(({ context, event, enqueue }) => {
    if (event.type !== 'socket.waking') return;
    const entry = context.pending.get(event.id);
    if (!entry) return;
    enqueue.cancel(timerId(entry.id));
    enqueue.raise(
      { type: 'request.timeout', id: entry.id },
      {
        id: timerId(entry.id),
        delay: Math.min(event.waitMs + context.requestTimeoutMs, MAX_TIMER_MS),
      },
    );
    const visitorId = (entry.message as { visitorId?: string }).visitorId;
    if (entry.ticket !== undefined && visitorId !== undefined) {
      enqueue.emit({ type: 'waking', visitorId, devices: event.devices, waitMs: event.waitMs });
    }
  }),
  timeoutRequest: enqueueActions(({ context, event, enqueue }) => {
    if (event.type !== 'request.timeout') return;
    const entry = context.pending.get(event.id);
    if (!entry) return;
    const pending = new Map(context.pending);
    pending.delete(entry.id);
    const message = `no reply from the presence service within ${context.requestTimeoutMs} ms`;
    const timedOut = requestFailure('timeout', message);
    const sync = context.sync;
    if (sync && sync.pageId === entry.id) {
      enqueue.assign({
        pending,
        ...syncReply(enqueue, { ...context, pending }, sync, timedOut),
      });
      return;
    }
    enqueue.assign({ pending });
    settle(enqueue, entry, { ok: false, failure: timedOut });
  }),
  // Leaving the connection: every request still waiting fails now, none hangs.
  failPending: enqueueActions(({ context, event, enqueue }) => {
    const reason = event.type === 'DISCONNECT' ? 'disconnected by the app' : 'connection lost';
    const lost: RequestOutcome = { ok: false, failure: requestFailure('notConnected', reason) };
    // The listing starts over on the next connection; who waited for it hears now.
    if (context.sync) {
      endSync(enqueue, context.sync, lost);
      enqueue.assign({ sync: undefined });
    }
    if (context.pending.size === 0) return;
    for (const entry of context.pending.values()) {
      enqueue.cancel(timerId(entry.id));
      // The agent's own requests are repeated on the next connection; only callers hear.
      if (entry.ticket !== undefined || entry.waiters) settle(enqueue, entry, lost);
    }
    enqueue.assign({ pending: new Map() });
  }),
});
