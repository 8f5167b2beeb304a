import { describe, expect, it } from 'vitest';
import { createMockService } from '../src/index.js';
import { Client, hello, NestingProbe } from './helpers.js';

describe('ordering under reentrancy', () => {
  it('runs deliveries triggered inside handlers after the handler returns, in order', () => {
    const service = createMockService();
    const probe = new NestingProbe();
    const client = new Client(service.transport, probe);
    const log: string[] = [];
    client.onOpen = () => {
      log.push('open:start');
      client.send(hello());
      client.send({ type: 'ping' });
      log.push('open:end');
    };
    client.onMessage = (data) => {
      const { type } = JSON.parse(data) as { type: string };
      log.push(`client got ${type}`);
      if (type === 'welcome')
        client.send({ type: 'sessionStart', sessionKey: 'k', presenceStart: true });
    };
    service.onMessage((msg, conn) => {
      log.push(`service got ${msg.type}`);
      if (msg.type === 'sessionStart')
        conn.push({ type: 'signal', id: 1, name: 'c_ok', properties: {} });
    });

    service.flush();
    expect(log).toEqual([
      'open:start',
      'open:end',
      'service got hello',
      'service got ping',
      'client got welcome',
      'client got pong',
      'service got sessionStart',
      'client got signal',
    ]);
    expect(probe.max).toBe(1);
  });

  it('keeps deliveries across connections in one FIFO', () => {
    const service = createMockService();
    const probe = new NestingProbe();
    const a = new Client(service.transport, probe);
    const b = new Client(service.transport, probe);
    const log: string[] = [];
    a.onOpen = () => {
      log.push('a open');
      service.connections[1]?.push({ type: 'ping' });
    };
    b.onOpen = () => log.push('b open');
    b.onMessage = () => log.push('b message');
    service.flush();
    // b's open was queued before a's handler pushed, so it comes first.
    expect(log).toEqual(['a open', 'b open', 'b message']);
    expect(probe.max).toBe(1);
  });

  it('a handler that throws does not lose the deliveries queued behind it', () => {
    const service = createMockService();
    const client = new Client(service.transport);
    service.flush();
    service.onMessage((_msg, conn) => {
      conn.push({ type: 'signal', id: 1, name: 'c_a', properties: {} });
      conn.push({ type: 'signal', id: 2, name: 'c_b', properties: {} });
    });
    let thrown = false;
    client.onMessage = () => {
      if (!thrown) {
        thrown = true;
        throw new Error('app bug');
      }
    };
    expect(() => client.send({ type: 'sessionEnd' })).toThrow('app bug');
    service.flush();
    expect(client.messages.map((m) => (m.type === 'signal' ? m.id : m.type))).toEqual([1, 2]);
  });

  it('stops a client and service that answer each other forever with an error, not a hang', () => {
    const service = createMockService();
    const client = new Client(service.transport);
    service.flush();
    client.onMessage = () => client.send({ type: 'ping' });
    expect(() => client.send({ type: 'ping' })).toThrow(/forever/);
    expect(client.conn.readyState).toBe('open');
  });
});
