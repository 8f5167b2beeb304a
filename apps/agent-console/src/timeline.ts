import type { AgentEvent } from '@beckon/core/agent';

/** The live events a visitor's timeline records. */
export const TIMELINE_EVENT_TYPES = [
  'presence',
  'visibility',
  'focus',
  'terms',
  'sessionStart',
  'sessionEnd',
  'visitorError',
  'visitorConnected',
  'visitorDisconnected',
  'signal',
  'push',
] as const;

export type TimelineEventType = (typeof TIMELINE_EVENT_TYPES)[number];

/** What the timeline keeps per visitor: the last entries, older ones are dropped. */
export const MAX_TIMELINE_ENTRIES = 200;

interface EntryBase {
  /** Unique within the console, increasing in arrival order; a stable React key. */
  seq: number;
  visitorId: string;
  /** The service's time of the event, ms since the Unix epoch. */
  at: number;
}

/** One line of a visitor's timeline; `kind` is also the entry's `data-kind`. */
export type TimelineEntry = EntryBase &
  (
    | { kind: 'presence'; data: Readonly<Record<string, string>> }
    | { kind: 'visibility'; visibility: 'visible' | 'hidden' | 'away' }
    | { kind: 'focus'; connectionId: string; epoch: number }
    | { kind: 'terms'; status: 'displayed' | 'accepted' | 'declined' }
    | { kind: 'sessionStart'; sessionKey: string }
    | { kind: 'sessionEnd'; reason?: string }
    | {
        kind: 'visitorError';
        code: string;
        msg: string;
        params?: Readonly<Record<string, string>>;
      }
    | { kind: 'connected'; connections: number }
    | { kind: 'disconnected' }
    | { kind: 'signal'; name: string; properties: Readonly<Record<string, string>> }
    | { kind: 'push'; status: 'sent' | 'answered' | 'unanswered'; devices: number }
  );

export type TimelineKind = TimelineEntry['kind'];

/**
 * Turns one of the agent's live events into a timeline entry (`visitorConnected` becomes
 * `connected`, `visitorDisconnected` becomes `disconnected`; the rest keep their name).
 *
 * @example
 * agent.on('terms', (event) => add(timelineEntryFromEvent({ type: 'terms', ...event }, ++seq)));
 */
export function timelineEntryFromEvent(
  event: AgentEvent<TimelineEventType>,
  seq: number,
): TimelineEntry {
  const base = { seq, visitorId: event.visitorId, at: event.at };
  switch (event.type) {
    case 'presence':
      return { ...base, kind: 'presence', data: { ...event.data } };
    case 'visibility':
      return { ...base, kind: 'visibility', visibility: event.visibility };
    case 'focus':
      return { ...base, kind: 'focus', connectionId: event.connectionId, epoch: event.epoch };
    case 'terms':
      return { ...base, kind: 'terms', status: event.status };
    case 'sessionStart':
      return { ...base, kind: 'sessionStart', sessionKey: event.sessionKey };
    case 'sessionEnd':
      return {
        ...base,
        kind: 'sessionEnd',
        ...(event.reason === undefined ? {} : { reason: event.reason }),
      };
    case 'visitorError':
      return {
        ...base,
        kind: 'visitorError',
        code: event.code,
        msg: event.msg,
        ...(event.params === undefined ? {} : { params: { ...event.params } }),
      };
    case 'visitorConnected':
      return { ...base, kind: 'connected', connections: event.connections };
    case 'visitorDisconnected':
      return { ...base, kind: 'disconnected' };
    case 'signal':
      return { ...base, kind: 'signal', name: event.name, properties: { ...event.properties } };
    case 'push':
      return { ...base, kind: 'push', status: event.status, devices: event.devices };
  }
}

/**
 * A new list with `entry` added at the end, keeping only the last `max` entries. The input
 * is never changed, so the result can go straight into React state.
 *
 * @example
 * list = appendTimelineEntry(list, entry); // at most MAX_TIMELINE_ENTRIES long
 */
export function appendTimelineEntry(
  list: readonly TimelineEntry[],
  entry: TimelineEntry,
  max: number = MAX_TIMELINE_ENTRIES,
): readonly TimelineEntry[] {
  const keep = Math.max(0, Math.floor(max) - 1);
  const start = Math.max(0, list.length - keep);
  return [...list.slice(start), entry];
}
