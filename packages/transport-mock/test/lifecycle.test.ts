import { CloseCode, encodeMessage, PROTOCOL_VERSION } from '@beckon/core/protocol';
import { describe, expect, it } from 'vitest';
import { createMockService } from '../src/index.js';
import { Client, hello, SimulatedClock } from './helpers.js';

describe('opening', () => {
  it('does not open inside the factory, and opens on flush', () => {
    const service = createMockService();
    const client = new Client(service.transport);
    expect(client.events).toEqual([]);
    expect(client.conn.readyState).toBe('connecting');
    expect(client.conn.send('{"type":"ping"}')).toBe(false);

    service.flush();
    expect(client.events).toEqual([{ type: 'open' }]);
    expect(client.conn.readyState).toBe('open');
    expect(service.current?.sentRaw).toEqual([]); // the early send recorded nothing
  });

  it('opens on a 0 ms timer of the given clock', () => {
    const clock = new SimulatedClock();
    const service = createMockService({ clock });
    const client = new Client(service.transport);
    expect(client.events).toEqual([]);
    clock.increment(0);
    expect(client.events).toEqual([{ type: 'open' }]);
  });

  it('a connection made inside a handler opens right after that handler returns', () => {
    const service = createMockService();
    const first = new Client(service.transport);
    let second: Client | undefined;
    let openedDuringHandler = false;
    first.onClose = () => {
      second = new Client(service.transport);
      openedDuringHandler = second.events.length > 0;
    };
    service.flush();
    service.current?.drop();
    expect(openedDuringHandler).toBe(false);
    expect(second?.events).toEqual([{ type: 'open' }]);
    expect(service.current?.id).toBe('conn-2');
  });
});

describe('handshake', () => {
  it('answers hello with welcome and records what the client sent', () => {
    const service = createMockService({ heartbeatMs: 10_000 });
    const client = new Client(service.transport);
    client.onOpen = () => client.send(hello('v-42', 'acme'));
    service.flush();

    const conn = service.current;
    expect(conn?.sent).toEqual([hello('v-42', 'acme')]);
    expect(conn?.sentRaw).toEqual([encodeMessage(hello('v-42', 'acme'))]);
    expect(client.messages).toEqual([
      {
        type: 'welcome',
        v: PROTOCOL_VERSION,
        connectionId: 'conn-1',
        focused: true,
        epoch: 1,
        heartbeatMs: 10_000,
      },
    ]);
    expect(conn?.identity).toEqual({ groupId: 'acme', visitorId: 'v-42' });
    expect(conn?.focused).toBe(true);
  });

  it('puts the default heartbeat of 25 s into welcome', () => {
    const service = createMockService();
    const client = new Client(service.transport);
    service.flush();
    client.send(hello());
    expect(client.messages[0]).toMatchObject({ type: 'welcome', heartbeatMs: 25_000 });
  });

  it('only records hello when autoWelcome is off, but still answers ping', () => {
    const service = createMockService({ autoWelcome: false });
    const client = new Client(service.transport);
    service.flush();
    client.send(hello());
    client.send({ type: 'ping' });
    expect(service.current?.sent.map((m) => m.type)).toEqual(['hello', 'ping']);
    expect(client.messages).toEqual([{ type: 'pong' }]);
  });

  it('answers ping with pong and records everything else without answering', () => {
    const service = createMockService();
    const client = new Client(service.transport);
    service.flush();
    client.send({ type: 'ping' });
    client.send({ type: 'sessionEnd', reason: 'done' });
    client.send({ type: 'pong' });
    expect(client.messages).toEqual([{ type: 'pong' }]);
    expect(service.current?.sent).toEqual([
      { type: 'ping' },
      { type: 'sessionEnd', reason: 'done' },
      { type: 'pong' },
    ]);
  });

  it('refuses another protocol version with an error and 4005', () => {
    const service = createMockService();
    const client = new Client(service.transport);
    service.flush();
    client.send({ ...hello(), v: PROTOCOL_VERSION + 1 });
    expect(client.messages).toEqual([
      expect.objectContaining({ type: 'error', code: 'unsupportedVersion' }),
    ]);
    expect(client.closes).toEqual([
      { type: 'close', code: CloseCode.unsupportedVersion, reason: 'unsupported version' },
    ]);
  });

  it('replyNotConfigured: error notConfigured, then close 4004, until switched off', () => {
    const service = createMockService();
    service.replyNotConfigured();
    const client = new Client(service.transport);
    service.flush();
    client.send(hello());

    expect(client.events.slice(1)).toEqual([
      { type: 'message', data: expect.stringContaining('"code":"notConfigured"') },
      { type: 'close', code: CloseCode.notConfigured, reason: 'not configured' },
    ]);
    expect(client.messages[0]).toMatchObject({ type: 'error', code: 'notConfigured' });
    expect(client.conn.readyState).toBe('closed');
    expect(service.connections[0]?.closedBy).toBe('service');
    expect(service.connections[0]?.closeInfo).toEqual({ code: 4004, reason: 'not configured' });

    service.replyNotConfigured(false);
    const again = new Client(service.transport);
    service.flush();
    again.send(hello());
    expect(again.messages[0]?.type).toBe('welcome');
  });
});

describe('push', () => {
  it('delivers service messages encoded, and raw text verbatim', () => {
    const service = createMockService();
    const client = new Client(service.transport);
    service.flush();
    service.current?.push({ type: 'showTerms', id: 7, sessionKey: 'v-42' });
    service.current?.pushRaw('{not json');
    expect(client.events.slice(1)).toEqual([
      { type: 'message', data: '{"type":"showTerms","id":7,"sessionKey":"v-42"}' },
      { type: 'message', data: '{not json' },
    ]);
    expect(service.current?.received).toEqual([
      '{"type":"showTerms","id":7,"sessionKey":"v-42"}',
      '{not json',
    ]);
  });

  it('refuses an invalid message with a TypeError and sends nothing', () => {
    const service = createMockService();
    const client = new Client(service.transport);
    service.flush();
    // A negative request id passes the type but not ToVisitor's schema.
    expect(() => service.current?.push({ type: 'showTerms', id: -1 })).toThrow(/id/);
    expect(() => service.current?.push({ type: 'teleport' } as never)).toThrow(TypeError);
    expect(() => service.current?.pushRaw(42 as unknown as string)).toThrow(TypeError);
    expect(client.events).toEqual([{ type: 'open' }]);
  });

  it('throws once the service side is closed', () => {
    const service = createMockService();
    const client = new Client(service.transport);
    service.flush();
    const conn = service.current;
    client.conn.close();
    expect(() => conn?.push({ type: 'pong' })).toThrow(/closed/);
  });
});

describe('refusals', () => {
  it('refuseNext: the next attempt never opens and gets close, the one after is accepted', () => {
    const service = createMockService();
    service.refuseNext();
    const refused = new Client(service.transport);
    expect(refused.conn.readyState).toBe('connecting');
    service.flush();
    expect(refused.events).toEqual([{ type: 'close', code: 1006, reason: 'refused' }]);
    expect(refused.conn.readyState).toBe('closed');
    expect(service.connections[0]?.refused).toBe(true);
    expect(refused.conn.send('{"type":"ping"}')).toBe(false);

    const accepted = new Client(service.transport);
    service.flush();
    expect(accepted.events).toEqual([{ type: 'open' }]);
    expect(service.current?.refused).toBe(false);
  });

  it('refuseNext stacks and takes custom close info', () => {
    const service = createMockService();
    service.refuseNext({ code: 4001, reason: 'unauthorized' });
    service.refuseNext();
    const a = new Client(service.transport);
    const b = new Client(service.transport);
    const c = new Client(service.transport);
    service.flush();
    expect(a.events).toEqual([{ type: 'close', code: 4001, reason: 'unauthorized' }]);
    expect(b.events).toEqual([{ type: 'close', code: 1006, reason: 'refused' }]);
    expect(c.events).toEqual([{ type: 'open' }]);
  });

  it('refuseAll refuses every attempt until acceptAll', () => {
    const service = createMockService();
    service.refuseAll({ code: 4100, reason: '1000' });
    const clients = [1, 2, 3].map(() => new Client(service.transport));
    service.flush();
    for (const client of clients) {
      expect(client.events).toEqual([{ type: 'close', code: 4100, reason: '1000' }]);
    }
    expect(service.current).toBeUndefined();

    service.refuseNext(); // forgotten by acceptAll
    service.acceptAll();
    const back = new Client(service.transport);
    service.flush();
    expect(back.events).toEqual([{ type: 'open' }]);
  });

  it('rejects malformed close info with a TypeError', () => {
    const service = createMockService();
    expect(() => service.refuseNext({ code: 99, reason: 'x' })).toThrow(TypeError);
    expect(() => service.refuseAll({ code: 4000 } as never)).toThrow(TypeError);
  });
});

describe('closing', () => {
  it('client close: the peer records it and the handler gets the same code and reason', () => {
    const service = createMockService();
    const client = new Client(service.transport);
    service.flush();
    client.conn.close(1000, 'logout');
    expect(client.events).toEqual([
      { type: 'open' },
      { type: 'close', code: 1000, reason: 'logout' },
    ]);
    expect(client.conn.readyState).toBe('closed');
    expect(service.connections[0]?.closedBy).toBe('client');
    expect(service.connections[0]?.closeInfo).toEqual({ code: 1000, reason: 'logout' });
    expect(service.current).toBeUndefined();
  });

  it('client close while connecting: no open, one close', () => {
    const service = createMockService();
    const client = new Client(service.transport);
    client.conn.close(4000, 'never mind');
    service.flush();
    expect(client.events).toEqual([{ type: 'close', code: 4000, reason: 'never mind' }]);
  });

  it('holds client closes to the browser rules', () => {
    const service = createMockService();
    const client = new Client(service.transport);
    service.flush();
    expect(() => client.conn.close(1001)).toThrow(TypeError);
    expect(() => client.conn.close(1000, 'x'.repeat(124))).toThrow(/123/);
    expect(client.conn.readyState).toBe('open');
  });

  it('a clean service close reaches the client after frames sent before it', () => {
    const service = createMockService();
    const client = new Client(service.transport);
    service.flush();
    service.current?.push({ type: 'pong' });
    service.current?.close(CloseCode.reconnect, '5000');
    expect(client.events).toEqual([
      { type: 'open' },
      { type: 'message', data: '{"type":"pong"}' },
      { type: 'close', code: 4100, reason: '5000' },
    ]);
    expect(service.connections[0]?.closedBy).toBe('service');
  });

  it('calls close exactly once, and nothing after it, whatever happens next', () => {
    const service = createMockService();
    const client = new Client(service.transport);
    service.flush();
    const conn = service.connections[0];
    client.conn.close(1000, 'bye');
    client.conn.close(1000, 'again');
    conn?.drop();
    conn?.close(1000, 'service too');
    client.conn.close();
    expect(client.closes).toEqual([{ type: 'close', code: 1000, reason: 'bye' }]);
    expect(client.events.at(-1)).toEqual({ type: 'close', code: 1000, reason: 'bye' });
  });

  it('send after close returns false and records nothing', () => {
    const service = createMockService();
    const client = new Client(service.transport);
    service.flush();
    client.send({ type: 'ping' });
    client.conn.close();
    expect(client.send({ type: 'ping' })).toBe(false);
    expect(service.connections[0]?.sentRaw).toEqual(['{"type":"ping"}']);
    expect(service.connections[0]?.lost).toEqual([]);
  });
});

describe('faults', () => {
  it('drop: the client gets 1006 once, sends fail, and a new connection works', () => {
    const service = createMockService();
    const client = new Client(service.transport);
    service.flush();
    service.current?.drop();
    expect(client.events).toEqual([
      { type: 'open' },
      { type: 'close', code: 1006, reason: 'connection lost' },
    ]);
    expect(service.connections[0]?.closedBy).toBe('network');
    expect(client.send({ type: 'ping' })).toBe(false);
    expect(service.current).toBeUndefined();

    const next = new Client(service.transport);
    service.flush();
    next.send({ type: 'ping' });
    expect(next.messages).toEqual([{ type: 'pong' }]);
  });

  it('drop before open: connecting → closed without open', () => {
    const service = createMockService();
    const first = new Client(service.transport);
    let second: Client | undefined;
    // Inside a handler the new connection's open is still queued when drop() runs.
    first.onClose = () => {
      second = new Client(service.transport);
      service.connections[1]?.drop({ code: 1006, reason: 'dns' });
    };
    service.flush();
    first.conn.close();
    expect(second?.events).toEqual([{ type: 'close', code: 1006, reason: 'dns' }]);
    expect(second?.conn.readyState).toBe('closed');
  });

  it('mock methods run pending deliveries first, so they act on an opened connection', () => {
    const service = createMockService();
    const client = new Client(service.transport);
    service.connections[0]?.drop();
    expect(client.events).toEqual([
      { type: 'open' },
      { type: 'close', code: 1006, reason: 'connection lost' },
    ]);
  });

  it('blackhole: frames are recorded but nothing is answered or delivered', () => {
    const service = createMockService();
    const client = new Client(service.transport);
    service.flush();
    const conn = service.current;
    conn?.blackhole();
    expect(client.send(hello())).toBe(true);
    expect(client.send({ type: 'ping' })).toBe(true);
    conn?.push({ type: 'pong' });
    expect(conn?.sent.map((m) => m.type)).toEqual(['hello', 'ping']);
    expect(client.events).toEqual([{ type: 'open' }]);
    expect(conn?.lost).toEqual([{ direction: 'toClient', raw: '{"type":"pong"}' }]);

    // Closing still completes, so a client giving up on the dead link does not hang.
    client.conn.close(1000, 'heartbeat');
    expect(client.closes).toEqual([{ type: 'close', code: 1000, reason: 'heartbeat' }]);
  });

  it('dropOutgoing(n) silently loses the next n client frames', () => {
    const service = createMockService();
    const client = new Client(service.transport);
    service.flush();
    const conn = service.current;
    conn?.dropOutgoing(2);
    expect(client.send({ type: 'ping' })).toBe(true);
    expect(client.send(hello())).toBe(true);
    expect(client.send({ type: 'pong' })).toBe(true);
    expect(conn?.sent).toEqual([{ type: 'pong' }]);
    expect(conn?.lost.map((f) => f.direction)).toEqual(['toService', 'toService']);
    expect(client.messages).toEqual([]); // the ping never arrived, so no pong

    conn?.dropOutgoing();
    for (let i = 0; i < 5; i += 1) client.send({ type: 'ping' });
    expect(conn?.sent).toHaveLength(1);
    conn?.dropOutgoing(0);
    client.send({ type: 'ping' });
    expect(client.messages).toEqual([{ type: 'pong' }]);
  });

  it('records frames that fail to parse as invalid, without calling listeners', () => {
    const service = createMockService();
    const seen: string[] = [];
    service.onMessage((m) => seen.push(m.type));
    const client = new Client(service.transport);
    service.flush();
    client.conn.send('{not json');
    client.conn.send('{"type":"teleport"}');
    client.conn.send(JSON.stringify({ type: 'presence', data: { favouriteColour: 'red' } }));
    client.send({ type: 'ping' });

    const conn = service.current;
    expect(conn?.sentRaw).toHaveLength(4);
    expect(conn?.sent).toEqual([{ type: 'ping' }]);
    expect(conn?.invalid.map((f) => f.error.code)).toEqual([
      'malformed',
      'invalidMessage',
      'invalidParameter',
    ]);
    expect(conn?.invalid[0]?.raw).toBe('{not json');
    expect(seen).toEqual(['ping']);
  });
});

describe('service view', () => {
  it('onMessage gets each valid frame with its connection, until removed', () => {
    const service = createMockService();
    const seen: [string, string][] = [];
    const off = service.onMessage((m, conn) => seen.push([m.type, conn.id]));
    const a = new Client(service.transport);
    const b = new Client(service.transport);
    service.flush();
    a.send({ type: 'ping' });
    b.send({ type: 'visibility', visible: false });
    off();
    a.send({ type: 'pong' });
    expect(seen).toEqual([
      ['ping', 'conn-1'],
      ['visibility', 'conn-2'],
    ]);
  });

  it('current is the newest connection that is not closed', () => {
    const service = createMockService();
    expect(service.current).toBeUndefined();
    const a = new Client(service.transport);
    const b = new Client(service.transport);
    service.flush();
    expect(service.current?.id).toBe('conn-2');
    b.conn.close();
    expect(service.current?.id).toBe('conn-1');
    a.conn.close();
    expect(service.current).toBeUndefined();
    expect(service.connections.map((c) => c.id)).toEqual(['conn-1', 'conn-2']);
  });

  it('rejects bad options and handlers with TypeErrors', () => {
    expect(() => createMockService({ heartbeatMs: -1 })).toThrow(TypeError);
    expect(() => createMockService({ heartbeatMs: 1.5 })).toThrow(TypeError);
    expect(() => createMockService({ autoWelcome: 'yes' as never })).toThrow(TypeError);
    expect(() => createMockService({ clock: {} as never })).toThrow(/setTimeout/);
    const service = createMockService();
    expect(() => service.transport({ open() {} } as never)).toThrow(TypeError);
    expect(() => service.onMessage(null as never)).toThrow(TypeError);
    expect(service.connections).toEqual([]);
  });
});
