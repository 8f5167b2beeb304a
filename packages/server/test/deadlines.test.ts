import { CloseCode, PROTOCOL_VERSION } from '@beckon/core/protocol';
import { describe, expect, it } from 'vitest';
import { rawSocket } from './rawSocket.js';
import { connectVisitor, delay, httpGet, startServer } from './utils.js';

const visitorHello = JSON.stringify({
  type: 'hello',
  v: PROTOCOL_VERSION,
  role: 'visitor',
  groupId: 'shop',
  visitorId: 'alice',
  visible: true,
});

/** Every stage of a socket has a deadline of Beckon's own, far below Node's and `ws`'s. */
describe('deadlines at every stage of a socket', () => {
  it('accept → upgrade: a silent socket is destroyed at upgradeTimeoutMs', async () => {
    const server = await startServer({ upgradeTimeoutMs: 200 });
    const raw = await rawSocket(server.port);
    expect(JSON.parse((await httpGet(server, '/healthz')).body).byRole.pending).toBe(1);
    const after = await raw.ended;
    expect(after).toBeGreaterThanOrEqual(150);
    expect(after).toBeLessThan(2_000);
    expect(server.metrics.get('beckon_rejections_total', { reason: 'upgradeTimeout' })).toBe(1);
    expect(JSON.parse((await httpGet(server, '/healthz')).body).byRole.pending).toBe(0);
  });

  it('accept → upgrade: trickling the request does not extend the deadline', async () => {
    const server = await startServer({ upgradeTimeoutMs: 300 });
    const raw = await rawSocket(server.port);
    // A valid request that never ends: one more character of a header every 20 ms.
    raw.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    const trickle = setInterval(() => {
      if (!raw.socket.destroyed) raw.write('a');
    }, 20);
    try {
      const after = await raw.ended;
      expect(after).toBeGreaterThanOrEqual(250);
      expect(after).toBeLessThan(2_000);
    } finally {
      clearInterval(trickle);
    }
  });

  it('accept → upgrade: plain HTTP requests are served, each within the deadline', async () => {
    const server = await startServer({ upgradeTimeoutMs: 200 });
    for (let n = 0; n < 3; n++) expect((await httpGet(server, '/healthz')).status).toBe(200);
    expect(server.metrics.get('beckon_rejections_total', { reason: 'upgradeTimeout' })).toBe(0);
  });

  it('upgrade → hello: closed 4108 at handshakeTimeoutMs, then destroyed when it stalls mid-frame', async () => {
    const server = await startServer({ handshakeTimeoutMs: 150, closeTimeoutMs: 200 });
    const raw = await rawSocket(server.port);
    await raw.upgrade();
    expect(await raw.closeFrame()).toBe(CloseCode.handshakeTimeout);
    const closedAt = Date.now();
    // Instead of answering the close, the peer starts a frame and stalls.
    raw.stallMidFrame();
    expect(JSON.parse((await httpGet(server, '/healthz')).body).byRole.closing).toBe(1);
    await raw.ended;
    // Without the closing deadline, `ws` would wait 30 s for the rest of the frame.
    expect(Date.now() - closedAt).toBeLessThan(2_000);
    await expect
      .poll(async () => JSON.parse((await httpGet(server, '/healthz')).body).byRole.closing)
      .toBe(0);
  });

  it('the session endpoint too: closed 4108, then destroyed when it stalls mid-frame', async () => {
    const server = await startServer({ handshakeTimeoutMs: 150, closeTimeoutMs: 200 });
    const raw = await rawSocket(server.port);
    await raw.upgrade(new URL(server.sessionUrl).pathname);
    expect(await raw.closeFrame()).toBe(CloseCode.handshakeTimeout);
    const closedAt = Date.now();
    raw.stallMidFrame();
    await raw.ended;
    expect(Date.now() - closedAt).toBeLessThan(2_000);
  });

  it('hello → open: a refused token closes 4001 and a stalling peer is destroyed just as fast', async () => {
    const server = await startServer({ closeTimeoutMs: 200 });
    const raw = await rawSocket(server.port);
    await raw.upgrade();
    raw.sendText(
      JSON.stringify({
        type: 'hello',
        v: PROTOCOL_VERSION,
        role: 'agent',
        groupId: 'shop',
        token: 'not-a-jwt',
      }),
    );
    expect(await raw.closeFrame()).toBe(CloseCode.unauthorized);
    const closedAt = Date.now();
    raw.stallMidFrame();
    await raw.ended;
    expect(Date.now() - closedAt).toBeLessThan(2_000);
  });

  it('open: a peer that stops answering pings is closed 4101, then destroyed', async () => {
    const server = await startServer({ heartbeatMs: 100, closeTimeoutMs: 200 });
    const raw = await rawSocket(server.port);
    await raw.upgrade();
    raw.sendText(visitorHello);
    await raw.waitFor('"welcome"');
    // A raw socket answers no WebSocket ping: dead to the service.
    expect(await raw.closeFrame()).toBe(CloseCode.heartbeatTimeout);
    raw.stallMidFrame();
    const waited = await raw.ended;
    expect(waited).toBeLessThan(3_000);
  });

  it('closing: a peer that completes the close is not waited for', async () => {
    const server = await startServer({ handshakeTimeoutMs: 100, closeTimeoutMs: 5_000 });
    const alice = await connectVisitor(server, 'alice');
    alice.ws.close(1000, 'bye');
    await alice.closeInfo();
    expect(JSON.parse((await httpGet(server, '/healthz')).body).byRole.closing).toBe(0);
  });

  it('shutdown: drain cuts a stalled client at shutdownTimeoutMs', async () => {
    const server = await startServer({ shutdownTimeoutMs: 300, closeTimeoutMs: 30_000 });
    const raw = await rawSocket(server.port);
    await raw.upgrade();
    raw.sendText(visitorHello);
    await raw.waitFor('"welcome"');
    const started = Date.now();
    const draining = server.drain();
    expect(await raw.closeFrame()).toBe(CloseCode.reconnect);
    raw.stallMidFrame();
    await draining;
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(2_000);
    await raw.ended;
  });
});

describe('connections per address', () => {
  it('refuses one more than the cap with HTTP 429, counts it, and admits again once one closes', async () => {
    const server = await startServer({ maxConnectionsPerAddress: 3 });
    const held = [
      await rawSocket(server.port),
      await rawSocket(server.port),
      await connectVisitor(server, 'alice'),
    ];
    const refused = await rawSocket(server.port);
    await refused.waitFor('HTTP/1.1 429 Too Many Requests');
    expect(refused.received().toString()).toContain('too many connections from this address');
    await refused.ended;
    expect(server.metrics.get('beckon_rejections_total', { reason: 'tooManyConnections' })).toBe(1);
    // Open WebSockets count too: the visitor still holds its place.
    (held[0] as Awaited<ReturnType<typeof rawSocket>>).socket.destroy();
    await delay(50);
    const admitted = await rawSocket(server.port);
    await admitted.upgrade();
    expect(server.metrics.get('beckon_rejections_total', { reason: 'tooManyConnections' })).toBe(1);
  });

  it('0 means no cap', async () => {
    const server = await startServer({ maxConnectionsPerAddress: 0 });
    const sockets = await Promise.all(Array.from({ length: 20 }, () => rawSocket(server.port)));
    await delay(50);
    expect(sockets.every((s) => !s.socket.destroyed)).toBe(true);
    expect(JSON.parse((await httpGet(server, '/healthz')).body).byRole.pending).toBe(20);
  });

  it('bad figures fail at startup, naming the option', async () => {
    await expect(startServer({ maxConnectionsPerAddress: -1 })).rejects.toThrow(
      /maxConnectionsPerAddress/,
    );
    await expect(startServer({ upgradeTimeoutMs: 0 })).rejects.toThrow(/upgradeTimeoutMs/);
    await expect(startServer({ closeTimeoutMs: 1.5 })).rejects.toThrow(/closeTimeoutMs/);
  });
});
