/**
 * The agent's requests in flight: each gets an id that is never reused, a timer on the
 * actor's clock, and exactly one answer — to its caller, to the callers waiting on one of
 * the agent's own requests, or else to the app as an `error` event.
 */
import type { AgentSocketCommand } from './agentConnection.js';
import type {
  AgentContext,
  AgentMachineEvent,
  PendingAgentRequest,
  RequestOutcome,
} from './agentContext.js';
import type { AgentEmitted } from './agentEvents.js';
import type { AgentRequestDraft, AgentRequestMessage } from './agentRequest.js';

/** The id of a request's timeout timer. */
export const timerId = (id: number) => `request-timeout-${id}`;

/** The part of XState's `enqueue` these helpers use: they serve several of the machine's actions. */
export interface Enqueue {
  sendTo(target: 'socket', event: AgentSocketCommand): void;
  raise(event: AgentMachineEvent, options: { id: string; delay: number }): void;
  cancel(id: string): void;
  emit(event: AgentEmitted): void;
}

/**
 * Gives drafts ids and records them as pending; the caller sends them.
 *
 * @example
 * const { nextId, pending, issued } = allocate(context, [draft], event.ticket);
 */
export function allocate(
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

/**
 * Sends allocated requests and starts their timers on the actor's clock.
 *
 * @example
 * transmit(enqueue, context, issued);
 */
export function transmit(
  enqueue: Enqueue,
  context: AgentContext,
  issued: readonly PendingAgentRequest[],
) {
  for (const { id, message } of issued) {
    enqueue.sendTo('socket', { type: 'send', message });
    enqueue.raise(
      { type: 'request.timeout', id },
      { id: timerId(id), delay: context.requestTimeoutMs },
    );
  }
}

/**
 * Reports an outcome to whoever waits: the caller, the callers waiting on one of the
 * agent's own requests, or else the app through `error` (a failed re-watch must not vanish).
 *
 * @example
 * settle(enqueue, entry, { ok: false, failure: timedOut });
 */
export function settle(enqueue: Enqueue, entry: PendingAgentRequest, outcome: RequestOutcome) {
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
