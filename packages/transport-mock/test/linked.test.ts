import type { Peer } from '@beckon/core';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createLinkedTransport } from '../src/index.js';

function setup() {
  const clock = new SimulatedClock();
  const peers: Peer[] = [];
  const serviceLog: string[] = [];
  const transport = createLinkedTransport({
    clock,
    accept(peer) {
      peers.push(peer);
      peer.onMessage((data) => {
        serviceLog.push(`msg ${data}`);
        peer.send(`echo ${data}`);
      });
      peer.onClose((code, reason) => serviceLog.push(`close ${code} ${reason}`));
    },
  });
  const clientLog: string[] = [];
  const conn = transport({
    open: () => clientLog.push('open'),
    message: (data) => clientLog.push(`msg ${data}`),
    close: ({ code, reason }) => clientLog.push(`close ${code} ${reason}`),
  });
  const tick = () => {
    for (let i = 0; i < 5; i++) clock.increment(0);
  };
  return { clock, transport, conn, peers, serviceLog, clientLog, tick };
}

describe('createLinkedTransport', () => {
  it('opens asynchronously, then carries frames both ways in order', () => {
    const { conn, clientLog, serviceLog, tick } = setup();
    expect(conn.readyState).toBe('connecting');
    expect(conn.send('early')).toBe(false);
    tick();
    expect(conn.readyState).toBe('open');
    expect(conn.send('a')).toBe(true);
    expect(conn.send('b')).toBe(true);
    expect(clientLog).toEqual(['open']); // nothing arrives inside the call that sent it
    tick();
    expect(serviceLog).toEqual(['msg a', 'msg b']);
    expect(clientLog).toEqual(['open', 'msg echo a', 'msg echo b']);
  });

  it('a client close reaches the service once; the client hears its own code', () => {
    const { conn, clientLog, serviceLog, tick } = setup();
    tick();
    conn.close(4000, 'bye');
    conn.close(1000, 'again');
    tick();
    expect(serviceLog).toEqual(['close 4000 bye']);
    expect(clientLog).toEqual(['open', 'close 4000 bye']);
    expect(conn.send('x')).toBe(false);
  });

  it('a service close reaches the client with its code and reason', () => {
    const { peers, clientLog, serviceLog, tick } = setup();
    tick();
    peers[0]?.close(4004, 'not configured');
    tick();
    expect(clientLog).toEqual(['open', 'close 4004 not configured']);
    expect(serviceLog).toEqual(['close 4004 not configured']);
  });

  it('a drop loses frames in flight and closes both ends with 1006', () => {
    const { conn, transport, clientLog, serviceLog, tick } = setup();
    tick();
    conn.send('lost');
    transport.dropAll('cable cut');
    tick();
    expect(serviceLog).toEqual(['close 1006 cable cut']);
    expect(clientLog).toEqual(['open', 'close 1006 cable cut']);
  });

  it('closing before the service accepted never attaches it', () => {
    const { conn, peers, clientLog, tick } = setup();
    conn.close(1000, 'changed my mind');
    tick();
    expect(peers).toHaveLength(0);
    expect(clientLog).toEqual(['close 1000 changed my mind']);
  });

  it('a service that throws on accept is a refused connection', () => {
    const clock = new SimulatedClock();
    const transport = createLinkedTransport({
      clock,
      accept() {
        throw new Error('full');
      },
    });
    const log: string[] = [];
    transport({
      open: () => log.push('open'),
      message: () => {},
      close: ({ code, reason }) => log.push(`close ${code} ${reason}`),
    });
    clock.increment(0);
    expect(log).toEqual(['close 1006 service refused: full']);
  });

  it('needs an accept function', () => {
    expect(() => createLinkedTransport({} as never)).toThrow(TypeError);
  });
});
