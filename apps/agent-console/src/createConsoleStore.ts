import type { Agent, AgentEvent } from '@beckon/core/agent';
import { type DeliveryState, deliveryStateFromError } from './deliveryState.js';
import {
  appendTimelineEntry,
  MAX_TIMELINE_ENTRIES,
  TIMELINE_EVENT_TYPES,
  type TimelineEntry,
  timelineEntryFromEvent,
} from './timeline.js';

/** What the console knows besides the agent's own state. */
export interface ConsoleState {
  /** The group listing arrived after the first connect: the visitor list is meaningful. */
  loaded: boolean;
  /** The agent has been connected at least once (a drop, not a service never reached). */
  everConnected: boolean;
  /** Per visitor, the live events since the console opened, oldest first (bounded). */
  timelines: ReadonlyMap<string, readonly TimelineEntry[]>;
  /** Per visitor, the last One-Click Connect request's status. */
  deliveries: ReadonlyMap<string, DeliveryState>;
  /** The last time the connection failed or dropped; cleared once connected again. */
  lastFailure: Omit<AgentEvent<'connectFail'>, 'type'> | undefined;
  /** The last problem outside any request (a failed watch, an error frame); cleared on connect. */
  lastError: { source: string; code: string; message: string } | undefined;
}

export interface ConsoleStoreOptions {
  /** Timeline entries kept per visitor. Default {@link MAX_TIMELINE_ENTRIES}. */
  maxEntries?: number;
  /** Visitors whose timelines are kept; the least recently active go first. Default 500. */
  maxVisitors?: number;
  /** Clock for delivery timestamps. Default `Date.now`. */
  now?: () => number;
}

/** The console's store: timelines, delivery statuses and the group watch, for one agent. */
export interface ConsoleStore {
  getSnapshot(): ConsoleState;
  subscribe(listener: () => void): () => void;
  /**
   * One-Click Connect: `agent.showTerms(visitorId)`, tracked as the visitor's delivery
   * status. While one is sending for that visitor, a second call returns the same promise.
   */
  oneClickConnect(visitorId: string): Promise<DeliveryState>;
  /** Stops listening to the agent and cancels the store's timers. The agent is left as is. */
  dispose(): void;
}

/**
 * Creates the console's store for an agent: it watches the whole group once the agent
 * connects (the agent keeps the watch and its visitor map live from then on, listing the
 * group again after each reconnect), records each visitor's live events as a timeline, and
 * runs One-Click Connect requests. Create it before `agent.connect()` so no event is missed.
 *
 * @example
 * const agent = createAgent({ transport, groupId: 'demo', token });
 * const store = createConsoleStore(agent);
 * agent.connect();
 * await store.oneClickConnect('alice-42'); // { state: 'delivered', connectionId, epoch, at }
 */
export function createConsoleStore(agent: Agent, options: ConsoleStoreOptions = {}): ConsoleStore {
  const maxEntries = options.maxEntries ?? MAX_TIMELINE_ENTRIES;
  const maxVisitors = options.maxVisitors ?? 500;
  const now = options.now ?? Date.now;

  let state: ConsoleState = {
    loaded: false,
    everConnected: false,
    timelines: new Map(),
    deliveries: new Map(),
    lastFailure: undefined,
    lastError: undefined,
  };
  const listeners = new Set<() => void>();
  const set = (patch: Partial<ConsoleState>) => {
    state = { ...state, ...patch };
    for (const listener of [...listeners]) listener();
  };

  let disposed = false;
  let seq = 0;
  const offs: (() => void)[] = [];
  const sending = new Map<string, Promise<DeliveryState>>();

  const reportSync = (error: unknown) => {
    if (disposed) return;
    const code = (error as { code?: unknown })?.code;
    set({
      lastError: {
        source: 'sync',
        code: typeof code === 'string' ? code : 'unknown',
        message: error instanceof Error ? error.message : String(error),
      },
    });
  };

  // Watch the group: `watch()` resolves once the agent has read the whole listing (page by
  // page), so the visitor map is filled. The agent re-sends the watch after reconnects and
  // lists again by itself; a watch that failed is asked for again on the next connect.
  let watching = false;
  // `connected` listeners pass `true`: the watch must go out even from inside one.
  const sync = async (justConnected = false): Promise<void> => {
    if (disposed || watching) return;
    if (!justConnected && agent.getSnapshot().status !== 'connected') return;
    if (agent.getSnapshot().watchingGroup && state.loaded) return;
    watching = true;
    try {
      await agent.watch();
      if (!disposed) set({ loaded: true, lastError: undefined });
    } catch (error) {
      // `notConnected` means the link dropped meanwhile: the next `connected` watches again.
      if ((error as { code?: unknown })?.code !== 'notConnected') reportSync(error);
    } finally {
      watching = false;
    }
  };

  offs.push(
    agent.on('connected', () => {
      set({ lastFailure: undefined, lastError: undefined, everConnected: true });
      void sync(true);
    }),
    agent.on('connectFail', ({ type: _, ...failure }) => set({ lastFailure: failure })),
    agent.on('disconnected', () => set({ loaded: false })),
    agent.on('error', ({ source, code, message }) => set({ lastError: { source, code, message } })),
  );

  for (const type of TIMELINE_EVENT_TYPES) {
    offs.push(
      agent.on(type, (event) => {
        const entry = timelineEntryFromEvent(event as AgentEvent<typeof type>, ++seq);
        const timelines = new Map(state.timelines);
        const previous = timelines.get(entry.visitorId) ?? [];
        // Re-inserting keeps the map in least-recently-active order for the eviction below.
        timelines.delete(entry.visitorId);
        timelines.set(entry.visitorId, appendTimelineEntry(previous, entry, maxEntries));
        for (const id of timelines.keys()) {
          if (timelines.size <= maxVisitors) break;
          timelines.delete(id);
        }
        set({ timelines });
      }),
    );
  }

  // The store may be created after the agent connected (a remount): catch up.
  if (agent.getSnapshot().status === 'connected') void sync();

  const setDelivery = (visitorId: string, delivery: DeliveryState) => {
    if (disposed) return;
    set({ deliveries: new Map(state.deliveries).set(visitorId, delivery) });
  };

  return {
    getSnapshot: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    oneClickConnect(visitorId) {
      const inFlight = sending.get(visitorId);
      if (inFlight) return inFlight;
      // The visitor's answer (terms, session start) is what arrives after this point, and
      // so is a push that wakes it.
      const afterSeq = seq;
      setDelivery(visitorId, { state: 'sending', since: now(), afterSeq });
      const request = agent
        .showTerms(visitorId)
        .then(
          ({ connectionId, epoch, woken }): DeliveryState => ({
            state: 'delivered',
            connectionId,
            epoch,
            at: now(),
            afterSeq,
            ...(woken && { woken: true }),
          }),
          (error: unknown) => deliveryStateFromError(error, now()),
        )
        .then((delivery) => {
          sending.delete(visitorId);
          setDelivery(visitorId, delivery);
          return delivery;
        });
      sending.set(visitorId, request);
      return request;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const off of offs) off();
      listeners.clear();
    },
  };
}
