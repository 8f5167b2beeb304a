import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { clientAddress } from '../src/clientAddress.js';
import { startServer } from './utils.js';

const proxies = new Set(['10.0.0.2', '10.0.0.3']);

describe('clientAddress', () => {
  it('takes a connection from anyone but a trusted proxy at its own address', () => {
    expect(clientAddress('198.51.100.4', '203.0.113.7', proxies)).toBe('198.51.100.4');
    expect(clientAddress('::ffff:198.51.100.4', undefined, proxies)).toBe('198.51.100.4');
    expect(clientAddress(undefined, '203.0.113.7', proxies)).toBeUndefined();
  });

  it('reads a trusted chain from the right, and ignores what the client wrote further left', () => {
    expect(clientAddress('10.0.0.2', '203.0.113.7', proxies)).toBe('203.0.113.7');
    expect(clientAddress('::ffff:10.0.0.2', '1.2.3.4, 203.0.113.7, 10.0.0.3', proxies)).toBe(
      '203.0.113.7',
    );
    expect(clientAddress('10.0.0.2', ['1.2.3.4', '203.0.113.7'], proxies)).toBe('203.0.113.7');
    expect(clientAddress('10.0.0.2', '2001:DB8::1', proxies)).toBe('2001:db8::1');
  });

  it('falls back to the last address it could trust when the header is absent or garbled', () => {
    expect(clientAddress('10.0.0.2', undefined, proxies)).toBe('10.0.0.2');
    expect(clientAddress('10.0.0.2', '', proxies)).toBe('10.0.0.2');
    expect(clientAddress('10.0.0.2', 'evil, 10.0.0.3', proxies)).toBe('10.0.0.3');
    expect(clientAddress('10.0.0.2', 'unknown', proxies)).toBe('10.0.0.2');
  });
});

/** Opens a WebSocket claiming `forwardedFor`; resolves 'open' or the HTTP status. */
function open(url: string, forwardedFor: string, sockets: WebSocket[]) {
  return new Promise<number | 'open'>((resolve) => {
    const ws = new WebSocket(url, { headers: { 'x-forwarded-for': forwardedFor } });
    sockets.push(ws);
    ws.once('open', () => resolve('open'));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => {});
  });
}

describe('the per-address cap behind a trusted proxy', () => {
  it('counts each forwarded client on its own', async () => {
    const server = await startServer({
      maxConnectionsPerAddress: 2,
      trustedProxies: ['127.0.0.1'],
    });
    const sockets: WebSocket[] = [];
    try {
      expect(await open(server.url, '203.0.113.7', sockets)).toBe('open');
      expect(await open(server.url, '203.0.113.7', sockets)).toBe('open');
      expect(await open(server.url, '203.0.113.7', sockets)).toBe(429);
      expect(await open(server.url, '203.0.113.8', sockets)).toBe('open');
      expect(await open(server.url, '203.0.113.8', sockets)).toBe('open');
      expect(server.metrics.get('beckon_rejections_total', { reason: 'tooManyConnections' })).toBe(
        1,
      );
      // A closed socket gives its client's place back.
      const first = sockets[0] as WebSocket;
      const closed = new Promise((resolve) => first.once('close', resolve));
      first.close();
      await closed;
      await expect.poll(() => open(server.url, '203.0.113.7', sockets)).toBe('open');
    } finally {
      for (const ws of sockets) ws.terminate();
    }
  });

  it('believes no header from an address it does not trust', async () => {
    const server = await startServer({ maxConnectionsPerAddress: 2 });
    const sockets: WebSocket[] = [];
    try {
      expect(await open(server.url, '203.0.113.7', sockets)).toBe('open');
      expect(await open(server.url, '203.0.113.8', sockets)).toBe('open');
      // Both were 127.0.0.1, whatever they claimed.
      expect(await open(server.url, '203.0.113.9', sockets)).toBe(429);
    } finally {
      for (const ws of sockets) ws.terminate();
    }
  });

  it('refuses an address that is not one, naming the option', async () => {
    await expect(startServer({ trustedProxies: ['nginx'] })).rejects.toThrow(
      /options\.trustedProxies\.0: must be an IP address/,
    );
  });
});
