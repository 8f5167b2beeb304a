import {
  type Clock,
  type Peer,
  systemClock,
  type Transport,
  type TransportConnection,
  type TransportReadyState,
} from '@beckon/core';

export interface LinkedTransportOptions {
  /**
   * Hands each new connection's service end, a core {@link Peer}, to the service, e.g.
   * `(peer) => server.accept(peer)`. The peer passes text frames only and has no
   * transport-level ping, so a presence service keeps it alive with protocol pings.
   */
  accept: (peer: Peer) => void;
  /** Schedules deliveries (0 ms timers). Default: real timers, so each frame arrives asynchronously, as on a network. */
  clock?: Clock;
}

/** One linked connection, as the test sees it. */
export interface LinkedConnection {
  readonly readyState: TransportReadyState;
  /** The link dies: both ends see 1006, and frames in flight are lost. */
  drop(reason?: string): void;
}

export interface LinkedTransport extends Transport {
  /** Every connection made through this transport, oldest first. */
  readonly connections: readonly LinkedConnection[];
  /** Drops every open connection, like a network outage or a killed service. */
  dropAll(reason?: string): void;
}

const ABNORMAL = 1006;

/**
 * An in-memory transport whose far end is a real service running in the same process:
 * each connection's service end is a {@link Peer} handed to `accept`. Frames are
 * delivered asynchronously in order, so the client code under test sees the same timing
 * shape as a network (frames never arrive inside the call that sent them).
 *
 * @example
 * const server = await createPresenceServer({ groups, logLevel: 'silent' });
 * const transport = createLinkedTransport({ accept: (peer) => server.accept(peer) });
 * const visitor = createVisitor({ transport });
 */
export function createLinkedTransport(options: LinkedTransportOptions): LinkedTransport {
  if (typeof options?.accept !== 'function') {
    throw new TypeError('createLinkedTransport: options.accept must be a function');
  }
  const clock = options.clock ?? systemClock;
  const connections: LinkedConnection[] = [];
  const later = (fn: () => void) => {
    clock.setTimeout(fn, 0);
  };

  const transport = ((handlers) => {
    let state: TransportReadyState = 'connecting';
    // Each end's listeners, and whether that end has heard the close yet.
    const serviceMessage: ((data: string | Uint8Array) => void)[] = [];
    const serviceClose: ((code: number, reason: string) => void)[] = [];
    let clientClosed = false;
    let serviceClosed = false;
    // Bumped on drop so frames already scheduled are lost, as on a dead link.
    let generation = 0;

    const closeClient = (code: number, reason: string) => {
      if (clientClosed) return;
      clientClosed = true;
      state = 'closed';
      handlers.close({ code, reason });
    };
    const closeService = (code: number, reason: string) => {
      if (serviceClosed) return;
      serviceClosed = true;
      for (const listener of serviceClose) listener(code, reason);
    };
    const deliverToService = (data: string) => {
      const gen = generation;
      later(() => {
        if (gen !== generation || serviceClosed) return;
        for (const listener of serviceMessage) listener(data);
      });
    };

    const peer: Peer = {
      send(text) {
        const gen = generation;
        later(() => {
          if (gen === generation && state === 'open' && !clientClosed) handlers.message(text);
        });
      },
      close(code, reason) {
        const gen = generation;
        later(() => {
          if (gen !== generation) return;
          closeService(code, reason);
          closeClient(code, reason);
        });
      },
      onMessage(listener) {
        serviceMessage.push(listener);
      },
      onClose(listener) {
        serviceClose.push(listener);
      },
    };

    const link: LinkedConnection = {
      get readyState() {
        return state;
      },
      drop(reason = 'connection lost') {
        if (clientClosed && serviceClosed) return;
        generation += 1;
        later(() => {
          closeService(ABNORMAL, reason);
          closeClient(ABNORMAL, reason);
        });
      },
    };
    connections.push(link);

    later(() => {
      // Closed (or closing) before the service ever saw it: nothing to attach.
      if (state !== 'connecting') return;
      try {
        options.accept(peer);
      } catch (error) {
        closeClient(
          ABNORMAL,
          `service refused: ${error instanceof Error ? error.message : String(error)}`,
        );
        return;
      }
      state = 'open';
      handlers.open();
    });

    const connection: TransportConnection = {
      get readyState() {
        return state;
      },
      send(data) {
        if (state !== 'open') return false;
        deliverToService(data);
        return true;
      },
      close(code = 1000, reason = '') {
        if (state === 'closing' || state === 'closed') return;
        const wasOpen = state === 'open';
        state = 'closing';
        later(() => {
          if (wasOpen) closeService(code, reason);
          closeClient(code, reason);
        });
      },
    };
    return connection;
  }) as LinkedTransport;

  Object.defineProperty(transport, 'connections', { value: connections, enumerable: true });
  transport.dropAll = (reason) => {
    for (const link of connections) link.drop(reason);
  };
  return transport;
}
