import { assign, emit, enqueueActions, fromCallback, setup } from 'xstate';
import {
  defaultReconnectPolicy,
  type ReconnectPolicy,
  retryDelayAfter,
} from '../connection/backoff.js';
import { MAX_TIMER_MS } from '../connection/clientOptions.js';
import { CloseCode, isFatalClose } from '../wire/codes.js';
import type { Violation } from '../wire/limits.js';
import type { AgentLiveEvent, VisitorSummary } from '../wire/protocol.js';
import type {
  AgentConnectionInput,
  AgentSocketCommand,
  AgentSocketEvent,
} from './agentConnection.js';
import {
  type AgentReply,
  type AgentRequest,
  type AgentRequestDraft,
  type AgentRequestMessage,
  EXPECTED_REPLY,
  prepareRequest,
  type RequestFailure,
} from './agentRequest.js';
import {
  applyVisitorEvent,
  EMPTY_VISITORS,
  filterVisitors,
  setVisitor,
  type VisitorMap,
} from './visitorMap.js';
import {
  pageFailed,
  type SyncStep,
  startSync,
  syncEvent,
  takePage,
  type VisitorSync,
} from './visitorSync.js';

/** A request on the wire, awaiting its reply. */
export interface PendingAgentRequest {
  id: number;
  /** The public API's handle for the caller's promise; absent for the agent's own requests. */
  ticket: number | undefined;
  message: AgentRequestMessage;
  /** Callers (tickets) answered when this request of the agent's own completes. */
  waiters?: readonly number[];
}

/** One page of `listVisitors()`: the visitors, and where the next page starts. */
export interface VisitorPage {
  visitors: VisitorSummary[];
  /** Pass as `after` for the next page; absent on the last one. */
  next?: string;
}

/** Why the connection last failed, as the close reported it. */
export interface AgentConnectionError {
  code: number;
  reason: string;
}

export interface AgentContext {
  groupId: string;
  policy: ReconnectPolicy;
  requestTimeoutMs: number;
  /** Failed attempts since the last successful connect. */
  attempt: number;
  /** The wait before the next attempt, drawn when the attempt is scheduled. */
  retryDelay: number;
  everConnected: boolean;
  connectionId: string | undefined;
  /** The next request id; ids are never reused, so a late reply cannot match a newer request. */
  nextId: number;
  pending: ReadonlyMap<number, PendingAgentRequest>;
  /** Watches the service confirmed; re-sent after every reconnect. */
  watchGroup: boolean;
  watchedVisitors: readonly string[];
  /** The live view of watched visitors the service knows (away ones included). */
  visitors: VisitorMap;
  /** The group listing that fills the view after a group watch or a reconnect, while it runs. */
  sync: VisitorSync | undefined;
  error: AgentConnectionError | undefined;
  /** Frames from the service that failed validation and were ignored. */
  invalidFrames: number;
}

export type RequestOutcome = { ok: true; value: unknown } | { ok: false; failure: RequestFailure };

/** Commands the public API sends. */
export type AgentCommand =
  | { type: 'CONNECT' }
  | { type: 'DISCONNECT' }
  | { type: 'REQUEST'; ticket: number; request: AgentRequest };

export type AgentMachineEvent =
  | AgentCommand
  | AgentSocketEvent
  | { type: 'request.timeout'; id: number }
  /** Time to ask again for the listing page that failed. */
  | { type: 'sync.retry' };

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

/** Where an `error` event came from. */
export type AgentErrorSource =
  /** An `error` frame from the service that answered no particular request. */
  | 'service'
  /** A frame that failed validation; it was ignored. */
  | 'invalidFrame'
  /** The agent's own requests that keep `visitors` live: re-watching after a reconnect, refreshing after a watch. */
  | 'sync';

/** Every event the agent fires, by type: the service's live events plus the connection's. */
export interface AgentEventMap {
  /** Connected (or reconnected: `reconnected: true`) and welcomed by the service. */
  connected: { connectionId: string; groupId: string; reconnected: boolean };
  /** The connection failed or dropped. `willRetry` says whether the agent keeps trying. */
  connectFail: { reason: string; code: number; willRetry: boolean; retryInMs?: number };
  /** `disconnect()` took effect. */
  disconnected: Record<never, never>;
  /** Something went wrong that no request is waiting for. */
  error: {
    source: AgentErrorSource;
    code: RequestFailure['code'];
    message: string;
    param?: string;
    retryAfter?: number;
  };
  presence: Omit<Extract<AgentLiveEvent, { type: 'presence' }>, 'type'>;
  visibility: Omit<Extract<AgentLiveEvent, { type: 'visibility' }>, 'type'>;
  visitorConnected: Omit<Extract<AgentLiveEvent, { type: 'visitorConnected' }>, 'type'>;
  connections: Omit<Extract<AgentLiveEvent, { type: 'connections' }>, 'type'>;
  visitorDisconnected: Omit<Extract<AgentLiveEvent, { type: 'visitorDisconnected' }>, 'type'>;
  focus: Omit<Extract<AgentLiveEvent, { type: 'focus' }>, 'type'>;
  terms: Omit<Extract<AgentLiveEvent, { type: 'terms' }>, 'type'>;
  sessionStart: Omit<Extract<AgentLiveEvent, { type: 'sessionStart' }>, 'type'>;
  sessionEnd: Omit<Extract<AgentLiveEvent, { type: 'sessionEnd' }>, 'type'>;
  visitorError: Omit<Extract<AgentLiveEvent, { type: 'visitorError' }>, 'type'>;
  signal: Omit<Extract<AgentLiveEvent, { type: 'signal' }>, 'type'>;
  /** A request found the visitor asleep: a push went out (`sent`), then `answered` or `unanswered`. */
  push: Omit<Extract<AgentLiveEvent, { type: 'push' }>, 'type'>;
  /**
   * One of this agent's own `showTerms` or `signalVisitor` requests found the visitor
   * asleep: a push notification went to `devices` of its devices, and the request now waits
   * up to `waitMs` more for the visitor to come back (its promise settles then).
   */
  waking: { visitorId: string; devices: number; waitMs: number };
}

/** A request finished; the public API settles the caller's promise. Not part of the public events. */
export interface RequestSettled {
  type: 'request.settled';
  ticket: number;
  outcome: RequestOutcome;
}

export type AgentEmitted =
  | { [K in keyof AgentEventMap]: { type: K } & AgentEventMap[K] }[keyof AgentEventMap]
  | RequestSettled;

export interface AgentMachineInput {
  groupId: string;
  reconnect?: Partial<ReconnectPolicy>;
  /** Default 15,000. */
  requestTimeoutMs?: number;
}

const timerId = (id: number) => `request-timeout-${id}`;
const SYNC_RETRY = 'sync-retry';
/** Failed attempts at one listing page (rate limits aside) before the listing gives up. */
const MAX_SYNC_FAILURES = 3;

const failure = (
  code: RequestFailure['code'],
  message: string,
  extra: { param?: string | undefined; retryAfter?: number | undefined } = {},
): RequestFailure => ({
  code,
  message,
  ...(extra.param === undefined ? {} : { param: extra.param }),
  ...(extra.retryAfter === undefined ? {} : { retryAfter: extra.retryAfter }),
});

const invalid = (v: Violation): RequestFailure =>
  failure('invalidParameter', `${v.param} ${v.reason}`, { param: v.param });

const notConnected = failure('notConnected', 'not connected to the presence service');

const inScope = (context: AgentContext, visitorId: string) =>
  context.watchGroup || context.watchedVisitors.includes(visitorId);

// Gives drafts ids and records them as pending; the caller sends them.
function allocate(
  context: Pick<AgentContext, 'nextId' | 'pending'>,
  drafts: readonly AgentRequestDraft[],
  ticket: number | undefined,
  waiters?: readonly number[],
): { nextId: number; pending: Map<number, PendingAgentRequest>; issued: PendingAgentRequest[] } {
  let { nextId } = context;
  const pending = new Map(context.pending);
  const issued: PendingAgentRequest[] = [];
  for (const draft of drafts) {
    const id = nextId++;
    const entry: PendingAgentRequest = {
      id,
      ticket,
      message: { ...draft, id } as AgentRequestMessage,
      ...(waiters && { waiters }),
    };
    pending.set(id, entry);
    issued.push(entry);
  }
  return { nextId, pending, issued };
}

/** What a reply does besides answering its request. */
interface Interpretation {
  outcome: RequestOutcome;
  patch: Partial<AgentContext>;
  follow: AgentRequestDraft[];
  /** The caller waits for the follow-up requests (or the listing) instead of this reply. */
  defer?: boolean;
}

// What a reply means for its request: the caller's outcome and the context it changes.
function interpret(
  context: AgentContext,
  entry: PendingAgentRequest,
  reply: AgentReply,
): Interpretation {
  const request = entry.message;
  if (reply.type === 'failed') {
    return {
      outcome: {
        ok: false,
        failure: failure(reply.code, reply.message, {
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
        failure: failure(
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
            failure: failure('invalidMessage', 'the service answered about another visitor'),
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

// The part of XState's `enqueue` the helpers below use; they are shared by several actions.
interface Enqueue {
  sendTo(target: 'socket', event: AgentSocketCommand): void;
  raise(event: AgentMachineEvent, options: { id: string; delay: number }): void;
  cancel(id: string): void;
  emit(event: AgentEmitted): void;
}

// Sends allocated requests and starts their timers on the actor's clock.
function transmit(enqueue: Enqueue, context: AgentContext, issued: readonly PendingAgentRequest[]) {
  for (const { id, message } of issued) {
    enqueue.sendTo('socket', { type: 'send', message });
    enqueue.raise(
      { type: 'request.timeout', id },
      { id: timerId(id), delay: context.requestTimeoutMs },
    );
  }
}

// Reports an outcome to whoever waits: the caller, the callers waiting on one of the
// agent's own requests, or else the app through `error` (a failed re-watch must not vanish).
function settle(enqueue: Enqueue, entry: PendingAgentRequest, outcome: RequestOutcome) {
  if (entry.ticket !== undefined) {
    enqueue.emit({ type: 'request.settled', ticket: entry.ticket, outcome });
  } else if (entry.waiters && entry.waiters.length > 0) {
    // They asked to watch: they learn that the view holds it, not what it holds.
    const answer: RequestOutcome = outcome.ok ? { ok: true, value: undefined } : outcome;
    for (const ticket of entry.waiters) {
      enqueue.emit({ type: 'request.settled', ticket, outcome: answer });
    }
  } else if (!outcome.ok) {
    const target =
      'visitorId' in entry.message && entry.message.visitorId !== undefined
        ? ` for ${entry.message.visitorId}`
        : '';
    enqueue.emit({
      type: 'error',
      source: 'sync',
      ...outcome.failure,
      message: `${entry.message.type}${target}: ${outcome.failure.message}`,
    });
  }
}

// --- The group listing (see visitorSync.ts) ---------------------------------------------

// Asks for the listing's next page.
function requestPage(
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

// Ends the listing, answering the `watch()` calls that waited for it.
function endSync(enqueue: Enqueue, sync: VisitorSync, outcome: RequestOutcome) {
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
      const failed = why ?? failure('internal', 'the listing failed');
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

// A reply (or a timeout) for the listing's page in flight.
function syncReply(
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
        ? failure(reply.code, reply.message, { retryAfter: reply.retryAfter })
        : failure('invalidMessage', `the service answered a list request with "${reply.type}"`)
      : reply;
  return continueSync(enqueue, context, sync, pageFailed(sync, why, MAX_SYNC_FAILURES), why);
}

function closeOf(event: AgentMachineEvent): AgentConnectionError {
  return event.type === 'socket.closed'
    ? { code: event.code, reason: event.reason }
    : { code: CloseCode.abnormal, reason: 'connection failed' };
}

/**
 * The agent's state machine: the connection lifecycle (connect, reconnect with backoff,
 * refusal), requests correlated with their replies and timed out on the actor's clock, and
 * the live view of watched visitors. I/O is the named `socket` actor, which `createAgent`
 * provides; tests swap it with `.provide()`.
 *
 * Outcomes of requests leave as `request.settled` emitted events carrying the caller's
 * ticket, so the machine's context stays plain data.
 *
 * @example
 * const actor = createActor(
 *   agentMachine.provide({ actors: { socket: createAgentConnection({ transport, clock, token, handshakeTimeoutMs: 10_000, heartbeatMs: 25_000 }) } }),
 *   { input: { groupId: 'acme' }, clock },
 * ).start();
 * actor.send({ type: 'CONNECT' });
 */
export const agentMachine = setup({
  types: {
    context: {} as AgentContext,
    events: {} as AgentMachineEvent,
    emitted: {} as AgentEmitted,
    input: {} as AgentMachineInput,
  },
  actors: {
    // Placeholder: createAgent provides the real one.
    socket: fromCallback<AgentSocketCommand, AgentConnectionInput, AgentSocketEvent>(
      ({ sendBack }) => {
        sendBack({
          type: 'socket.closed',
          code: CloseCode.badRequest,
          reason: 'no transport configured',
        });
      },
    ),
  },
  guards: {
    fatalClose: ({ event }) => event.type === 'socket.closed' && isFatalClose(event.code),
    outOfAttempts: ({ context }) => context.attempt + 1 > context.policy.maxAttempts,
  },
  delays: {
    retryDelay: ({ context }) => context.retryDelay,
  },
  actions: {
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
      const { outcome, patch, follow, defer } = interpret(context, entry, event.message);
      const waiters = defer && entry.ticket !== undefined ? [entry.ticket] : undefined;
      let next: AgentContext = { ...context, ...patch, pending: rest };
      const { nextId, pending, issued } = allocate(next, follow, undefined, waiters);
      next = { ...next, nextId, pending };
      let listing: Partial<AgentContext> = {};
      // A group watch (or an unwatch) starts (or ends) the listing that fills the view.
      if (patch.sync && patch.sync !== context.sync)
        listing = requestPage(enqueue, next, patch.sync);
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
      settle(enqueue, entry, { ok: false, failure: failure('notConnected', event.reason) });
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
      const timedOut = failure('timeout', message);
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
      const lost: RequestOutcome = { ok: false, failure: failure('notConnected', reason) };
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
        ...failure(code, message, { param, retryAfter }),
      });
    }),
    reportInvalidFrame: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'socket.invalid') return;
      enqueue.assign({ invalidFrames: context.invalidFrames + 1 });
      const { code, message, param } = event.error;
      enqueue.emit({
        type: 'error',
        source: 'invalidFrame',
        ...failure(code, `ignored a frame from the service: ${message}`, { param }),
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
    reportRetry: emit(({ context, event }) => ({
      type: 'connectFail' as const,
      ...closeOf(event),
      willRetry: true,
      retryInMs: context.retryDelay,
    })),
    reportGiveUp: emit(({ event }) => ({
      type: 'connectFail' as const,
      ...closeOf(event),
      willRetry: false,
    })),
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
  },
}).createMachine({
  id: 'agent',
  initial: 'idle',
  context: ({ input }) => ({
    groupId: input.groupId,
    policy: { ...defaultReconnectPolicy, ...input.reconnect },
    requestTimeoutMs: input.requestTimeoutMs ?? 15_000,
    attempt: 0,
    retryDelay: 0,
    everConnected: false,
    connectionId: undefined,
    nextId: 1,
    pending: new Map(),
    watchGroup: false,
    watchedVisitors: [],
    visitors: EMPTY_VISITORS,
    sync: undefined,
    error: undefined,
    invalidFrames: 0,
  }),
  on: {
    // Outside `connected` there is no hidden queue: requests fail at once.
    REQUEST: { actions: 'refuseRequest' },
    'request.timeout': { actions: 'timeoutRequest' },
    DISCONNECT: { target: '.disconnected', actions: ['forget', 'announceDisconnected'] },
  },
  states: {
    idle: {
      on: { CONNECT: 'online', DISCONNECT: {} },
    },
    online: {
      initial: 'connecting',
      invoke: {
        id: 'socket',
        src: 'socket',
        input: ({ context }) => ({ groupId: context.groupId }),
      },
      exit: 'failPending',
      on: {
        // Connecting again while online does nothing.
        CONNECT: {},
        'socket.closed': [
          {
            guard: 'fatalClose',
            target: 'refused',
            actions: ['noteClose', 'resetAttempts', 'reportGiveUp'],
          },
          {
            guard: 'outOfAttempts',
            target: 'disconnected',
            actions: ['noteClose', 'resetAttempts', 'reportGiveUp'],
          },
          { target: 'reconnecting', actions: ['noteClose', 'scheduleRetry', 'reportRetry'] },
        ],
        'socket.error': { actions: 'reportServiceError' },
        'socket.invalid': { actions: 'reportInvalidFrame' },
        'socket.sendFailed': { actions: 'settleUnsent' },
      },
      states: {
        connecting: {
          on: { 'socket.welcome': { target: 'connected', actions: 'acceptWelcome' } },
        },
        connected: {
          on: {
            REQUEST: { actions: 'handleRequest' },
            'socket.reply': { actions: 'settleReply' },
            'socket.waking': { actions: 'extendRequest' },
            'socket.event': { actions: 'applyEvent' },
            'sync.retry': { actions: 'retrySync' },
          },
        },
      },
    },
    reconnecting: {
      after: { retryDelay: 'online' },
      // Skips the rest of the wait.
      on: { CONNECT: 'online' },
    },
    disconnected: {
      on: { CONNECT: 'online', DISCONNECT: {} },
    },
    refused: {
      // A fresh token may fix it; only the app knows, so only the app retries.
      on: { CONNECT: 'online' },
    },
  },
});

export type AgentMachine = typeof agentMachine;
