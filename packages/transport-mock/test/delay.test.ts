import { describe, expect, it } from 'vitest';
import { createMockService } from '../src/index.js';
import { Client, hello, SimulatedClock } from './helpers.js';

function setup(ms: number) {
  const clock = new SimulatedClock();
  const service = createMockService({ clock });
  const client = new Client(service.transport);
  service.flush();
  const conn = service.current;
  if (!conn) throw new Error('no connection');
  conn.delay(ms);
  return { clock, service, client, conn };
}

describe('delay', () => {
  it('needs a clock, and a finite non-negative number', () => {
    const service = createMockService();
    new Client(service.transport);
    service.flush();
    expect(() => service.current?.delay(10)).toThrow(/clock/);
    expect(() => service.current?.delay(-1)).toThrow(TypeError);
    expect(() => service.current?.delay(Number.NaN)).toThrow(TypeError);
    expect(() => service.current?.delay(0)).not.toThrow();
  });

  it('delays both directions: hello arrives after ms, welcome a further ms later', () => {
    const { clock, client, conn } = setup(100);
    expect(client.send(hello())).toBe(true);
    clock.increment(99);
    expect(conn.sent).toEqual([]);
    clock.increment(1);
    expect(conn.sent).toEqual([hello()]);
    expect(client.messages).toEqual([]);
    clock.increment(99);
    expect(client.messages).toEqual([]);
    clock.increment(1);
    expect(client.messages.map((m) => m.type)).toEqual(['welcome']);
  });

  it('keeps order for frames due at the same time', () => {
    const { clock, client, conn } = setup(50);
    for (let id = 0; id < 8; id += 1) {
      conn.push({ type: 'signal', id, name: 'c_n', properties: {} });
    }
    clock.increment(50);
    expect(client.messages.map((m) => (m.type === 'signal' ? m.id : -1))).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7,
    ]);
  });

  it('keeps order when the delay shrinks: a newer frame waits behind an older one', () => {
    const { clock, client, conn } = setup(100);
    conn.push({ type: 'ping' });
    conn.delay(10);
    conn.push({ type: 'pong' });
    clock.increment(10);
    expect(client.messages).toEqual([]);
    clock.increment(90);
    expect(client.messages).toEqual([{ type: 'ping' }, { type: 'pong' }]);
  });

  it('a client close takes a round trip; frames already in flight still arrive', () => {
    const { clock, client, conn } = setup(50);
    conn.push({ type: 'ping' });
    client.conn.close(1000, 'bye');
    expect(client.conn.readyState).toBe('closing');
    expect(client.send({ type: 'pong' })).toBe(false);

    clock.increment(50);
    expect(conn.closedBy).toBe('client');
    expect(client.messages).toEqual([{ type: 'ping' }]);
    expect(client.conn.readyState).toBe('closing');

    clock.increment(50);
    expect(client.closes).toEqual([{ type: 'close', code: 1000, reason: 'bye' }]);
    expect(client.conn.readyState).toBe('closed');
  });

  it('a service close arrives after ms; frames the client sends meanwhile are lost', () => {
    const { clock, client, conn } = setup(30);
    conn.close(4100, '2000');
    expect(client.conn.readyState).toBe('open');
    expect(client.send({ type: 'ping' })).toBe(true);
    clock.increment(30);
    expect(client.closes).toEqual([{ type: 'close', code: 4100, reason: '2000' }]);
    expect(conn.sent).toEqual([]);
    expect(conn.lost).toEqual([{ direction: 'toService', raw: '{"type":"ping"}' }]);
    expect(client.messages).toEqual([]);
  });

  it('drop skips the delay and loses what was in flight', () => {
    const { clock, client, conn } = setup(40);
    client.send({ type: 'ping' });
    conn.push({ type: 'pong' });
    conn.drop();
    expect(client.closes).toEqual([{ type: 'close', code: 1006, reason: 'connection lost' }]);
    expect(conn.lost).toEqual([
      { direction: 'toClient', raw: '{"type":"pong"}' },
      { direction: 'toService', raw: '{"type":"ping"}' },
    ]);
    clock.increment(1000);
    expect(client.events).toEqual([
      { type: 'open' },
      { type: 'close', code: 1006, reason: 'connection lost' },
    ]);
    expect(conn.sent).toEqual([]);
  });

  it('delay(0) goes back to immediate delivery once the pipe is empty', () => {
    const { clock, client, conn } = setup(20);
    conn.push({ type: 'ping' });
    conn.delay(0);
    conn.push({ type: 'pong' });
    expect(client.messages).toEqual([]); // the pong waits behind the ping
    clock.increment(20);
    expect(client.messages).toEqual([{ type: 'ping' }, { type: 'pong' }]);
    conn.push({ type: 'ping' });
    expect(client.messages).toHaveLength(3);
  });
});
