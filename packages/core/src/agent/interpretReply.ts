import type { VisitorSummary } from '../wire/protocol.js';
import {
  type AgentContext,
  inScope,
  type PendingAgentRequest,
  type RequestOutcome,
} from './agentContext.js';
import {
  type AgentReply,
  type AgentRequestDraft,
  EXPECTED_REPLY,
  requestFailure,
} from './agentRequest.js';
import { filterVisitors, setVisitor } from './visitorMap.js';
import { startSync } from './visitorSync.js';

/** One page of `listVisitors()`: the visitors, and where the next page starts. */
export interface VisitorPage {
  visitors: VisitorSummary[];
  /** Pass as `after` for the next page; absent on the last one. */
  next?: string;
}

/** A ticket for the session channel, as `joinSession` answers it. */
export interface SessionTicket {
  sessionKey: string;
  visitorId: string;
  ticket: string;
  expiresAt: number;
}

/** What one delivered `showTerms` or `signalVisitor` reached. */
export interface Delivery {
  connectionId: string;
  epoch: number;
  /** The visitor was asleep and came back for the request after a push notification woke it. */
  woken?: true;
}

/** What a reply does besides answering its request. */
export interface Interpretation {
  outcome: RequestOutcome;
  patch: Partial<AgentContext>;
  follow: AgentRequestDraft[];
  /** The caller waits for the follow-up requests (or the listing) instead of this reply. */
  defer?: boolean;
}

/**
 * What a reply means for its request: the caller's outcome and the context it changes.
 *
 * @example
 * const { outcome, patch, follow, defer } = interpretReply(context, entry, event.message);
 */
export function interpretReply(
  context: AgentContext,
  entry: PendingAgentRequest,
  reply: AgentReply,
): Interpretation {
  const request = entry.message;
  if (reply.type === 'failed') {
    return {
      outcome: {
        ok: false,
        failure: requestFailure(reply.code, reply.message, {
          param: reply.param,
          retryAfter: reply.retryAfter,
        }),
      },
      patch: {},
      follow: [],
    };
  }
  if (reply.type !== EXPECTED_REPLY[request.type]) {
    return {
      outcome: {
        ok: false,
        failure: requestFailure(
          'invalidMessage',
          `the service answered a ${request.type} request with "${reply.type}"`,
        ),
      },
      patch: {},
      follow: [],
    };
  }
  switch (reply.type) {
    case 'visitors': {
      // A page of the app's own listing; the live view is kept by the watch and its events.
      const value: VisitorPage =
        reply.next === undefined
          ? { visitors: reply.visitors }
          : { visitors: reply.visitors, next: reply.next };
      return { outcome: { ok: true, value }, patch: {}, follow: [] };
    }
    case 'visitor': {
      const asked = request.type === 'lookup' ? request.visitorId : '';
      if (reply.visitor !== null && reply.visitor.visitorId !== asked) {
        return {
          outcome: {
            ok: false,
            failure: requestFailure('invalidMessage', 'the service answered about another visitor'),
          },
          patch: {},
          follow: [],
        };
      }
      const visitors = inScope(context, asked)
        ? setVisitor(context.visitors, asked, reply.visitor)
        : context.visitors;
      return { outcome: { ok: true, value: reply.visitor }, patch: { visitors }, follow: [] };
    }
    case 'delivered': {
      const value: Delivery = { connectionId: reply.connectionId, epoch: reply.epoch };
      if (reply.woken) value.woken = true;
      return { outcome: { ok: true, value }, patch: {}, follow: [] };
    }
    case 'sessionTicket': {
      const { id: _, type: __, ...value } = reply;
      return { outcome: { ok: true, value: value satisfies SessionTicket }, patch: {}, follow: [] };
    }
    case 'ok':
      return { outcome: { ok: true, value: undefined }, ...watchChange(context, entry) };
  }
}

// A confirmed watch or unwatch: record it, and fill or prune the live view to match. The
// caller of `watch()` is answered once the view holds what it watches.
function watchChange(
  context: AgentContext,
  entry: PendingAgentRequest,
): Omit<Interpretation, 'outcome'> {
  const request = entry.message;
  const { ticket } = entry;
  // Re-sent watches are already on record; their data was requested with them.
  if (ticket === undefined || (request.type !== 'watch' && request.type !== 'unwatch')) {
    return { patch: {}, follow: [] };
  }
  const { visitorId } = request;
  if (request.type === 'watch') {
    if (visitorId === undefined) {
      // Watching the group (again): list it; a listing under way serves this call too.
      if (context.sync) {
        context.sync.waiters.push(ticket);
        return { patch: {}, follow: [], defer: true };
      }
      return { patch: { watchGroup: true, sync: startSync([ticket]) }, follow: [], defer: true };
    }
    if (context.watchedVisitors.includes(visitorId)) return { patch: {}, follow: [] };
    const patch = { watchedVisitors: [...context.watchedVisitors, visitorId] };
    if (context.watchGroup) return { patch, follow: [] };
    return { patch, follow: [{ type: 'lookup', visitorId }], defer: true };
  }
  const next = {
    watchGroup: visitorId === undefined ? false : context.watchGroup,
    watchedVisitors:
      visitorId === undefined || !context.watchedVisitors.includes(visitorId)
        ? context.watchedVisitors
        : context.watchedVisitors.filter((id) => id !== visitorId),
  };
  const keep = (id: string) => next.watchGroup || next.watchedVisitors.includes(id);
  return {
    patch: { ...next, visitors: filterVisitors(context.visitors, keep) },
    follow: [],
  };
}
