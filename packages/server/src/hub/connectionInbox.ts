import type { BusMessage } from '../bus/BusMessage.js';
import type { Conn } from './Conn.js';
import type { ConnectionIO } from './connectionIO.js';
import type { HubContext } from './hubContext.js';
import type { RequestDelivery } from './requestDelivery.js';
import type { SignalRelay } from './signalRelay.js';

/** The bus's way into this hub's connections. */
export interface ConnectionInbox {
  /** Makes a connection reachable through the bus. */
  attach(conn: Conn): void;
  /** Stops routing to it; from now on the bus reports it as gone. */
  detach(conn: Conn): void;
}

/**
 * Hands each message the bus delivers to a connection of this hub to the part that deals
 * with it. This hub's connections by ID live here and nowhere else a handler can see: the
 * only way to reach another connection is to send it something through the bus.
 *
 * @example
 * const inbox = createConnectionInbox(ctx, io, conns, { delivery, relay });
 * inbox.attach(conn); // before the registry names it, so nothing sent to it is lost
 */
export function createConnectionInbox(
  ctx: HubContext,
  io: ConnectionIO,
  conns: ReadonlyMap<string, Conn>,
  parts: { delivery: RequestDelivery; relay: SignalRelay },
): ConnectionInbox {
  const { delivery, relay } = parts;

  const receive = (conn: Conn, message: BusMessage) => {
    switch (message.type) {
      case 'focus':
        io.send(conn, { type: 'focus', epoch: message.epoch });
        return;
      case 'blur':
        io.send(conn, { type: 'blur', epoch: message.epoch });
        return;
      case 'request':
        delivery.onRequest(conn, message);
        return;
      case 'ack':
        relay.onAck(conn, message);
        return;
      case 'undelivered':
        relay.onUndelivered(conn, message);
        return;
      case 'event':
        // Events travel on group topics, never to one connection.
        return;
    }
  };

  // Not welcomed yet: nothing may reach the client before its `welcome`, so the message
  // waits in the connection's queue, behind the join.
  const later = (conn: Conn, message: BusMessage) => {
    io.enqueue(
      conn,
      async () => {
        if (conns.get(conn.id) === conn) receive(conn, message);
        // Torn down meanwhile.
        else if (message.type === 'request') delivery.bounce(message, conn.id);
      },
      'bus message',
    );
  };

  // One handler for every connection (it gets the ID), so attaching costs no closure.
  const route = (message: BusMessage, connectionId: string) => {
    const conn = conns.get(connectionId);
    try {
      if (!conn) {
        if (message.type === 'request') delivery.bounce(message, connectionId);
      } else if (conn.phase === 'joining') later(conn, message);
      else receive(conn, message);
    } catch (error) {
      ctx.internal(error, `bus ${message.type}`, conn);
    }
  };

  return {
    attach(conn) {
      ctx.bus.attach(conn.id, route);
    },
    detach(conn) {
      ctx.bus.detach(conn.id);
    },
  };
}
