import type { Peer } from '@beckon/core';
import { CloseCode, PROTOCOL_VERSION } from '@beckon/core/protocol';
import { describe, expect, it, vi } from 'vitest';
import { ConfigError, createPresenceHub, createPresenceServer } from '../src/index.js';
import {
  AGENT_SECRET,
  connectAgent,
  connectVisitor,
  GROUPS,
  httpGet,
  startServer,
  TestClient,
} from './utils.js';

describe('operations', () => {
  it('GET /healthz reports ok and the connection count', async () => {
    const server = await startServer();
    await connectVisitor(server, 'alice');
    await connectAgent(server);
    const res = await httpGet(server, '/healthz');
    expect(res.status).toBe(200);
    expect(res.type).toContain('application/json');
    expect(JSON.parse(res.body)).toEqual({
      status: 'ok',
      connections: 2,
      byRole: { visitor: 1, agent: 1, handshake: 0, closing: 0, pending: 0 },
    });
    expect((await httpGet(server, '/nope')).status).toBe(404);
  });

  it('GET /metrics exposes Prometheus text with the documented series', async () => {
    const server = await startServer();
    const agent = await connectAgent(server);
    const alice = await connectVisitor(server, 'alice');
    alice.send('garbage');
    await alice.take('error');
    agent.send({ type: 'showTerms', id: 1, visitorId: 'alice' });
    const shown = await alice.take('showTerms');
    alice.send({ type: 'ack', id: shown.id });
    await agent.take('delivered');
    await agent.request({ type: 'showTerms', visitorId: 'ghost' });
    const res = await httpGet(server, '/metrics');
    expect(res.status).toBe(200);
    expect(res.type).toContain('text/plain');
    const body = res.body;
    expect(body).toContain('# TYPE beckon_connections gauge');
    expect(body).toMatch(/^beckon_connections\{role="visitor"\} 1$/m);
    expect(body).toMatch(/^beckon_connections\{role="agent"\} 1$/m);
    expect(body).toMatch(/^beckon_messages_in_total\{role="visitor"\} \d+$/m);
    expect(body).toMatch(/^beckon_messages_out_total\{role="agent"\} \d+$/m);
    expect(body).toMatch(/^beckon_signals_delivered_total\{kind="showTerms"\} 1$/m);
    expect(body).toMatch(/^beckon_signals_failed_total\{code="visitorNotPresent"\} 1$/m);
    expect(body).toMatch(/^beckon_focus_changes_total 1$/m);
    expect(body).toMatch(/^beckon_rejections_total\{reason="malformed"\} 1$/m);
    expect(body).toContain('# TYPE beckon_internal_errors_total counter');
  });

  it('drain closes every client with 4100 and a jittered delay in [0, drainSpreadMs]', async () => {
    const server = await startServer({ drainSpreadMs: 1_000 });
    const clients = [
      await connectVisitor(server, 'alice'),
      await connectVisitor(server, 'bob'),
      await connectAgent(server),
      await TestClient.open(server.url),
    ];
    await server.drain();
    for (const c of clients) {
      const { code, reason } = await c.closeInfo();
      expect(code).toBe(CloseCode.reconnect);
      expect(reason).toMatch(/^\d+$/);
      expect(Number(reason)).toBeGreaterThanOrEqual(0);
      expect(Number(reason)).toBeLessThanOrEqual(1_000);
    }
    // The HTTP server is gone too.
    await expect(fetch(`http://127.0.0.1:${server.port}/healthz`)).rejects.toThrow();
    // Idempotent.
    await server.drain();
    await server.close();
  });

  it('spreads drain delays (an injected random shows the mapping)', async () => {
    const values = [0, 0.5, 0.999];
    const server = await startServer({ drainSpreadMs: 200, random: () => values.shift() ?? 0 });
    const clients = [
      await connectVisitor(server, 'a'),
      await connectVisitor(server, 'b'),
      await connectVisitor(server, 'c'),
    ];
    await server.drain();
    const reasons = await Promise.all(clients.map(async (c) => (await c.closeInfo()).reason));
    expect(reasons).toEqual(['0', '100', '200']);
  });

  it('accepts in-process peers next to WebSocket clients', async () => {
    const server = await startServer();
    const agent = await connectAgent(server);
    const sent: string[] = [];
    let deliver: (data: string) => void = () => {};
    let closed: ((code: number, reason: string) => void) | undefined;
    const peer: Peer = {
      send: (text) => sent.push(text),
      close: (code, reason) => closed?.(code, reason),
      onMessage: (listener) => {
        deliver = (data) => listener(data);
      },
      onClose: (listener) => {
        closed = listener;
      },
    };
    const connectionId = server.accept(peer, { origin: 'in-process' });
    deliver(
      JSON.stringify({
        type: 'hello',
        v: PROTOCOL_VERSION,
        role: 'visitor',
        groupId: 'shop',
        visitorId: 'local',
        visible: true,
      }),
    );
    expect(await agent.take('visitorConnected')).toMatchObject({ visitorId: 'local' });
    expect(JSON.parse(sent[0] as string)).toMatchObject({ type: 'welcome', connectionId });
    closed?.(1000, 'bye');
    expect(await agent.take('visitorDisconnected', () => true, 2_000)).toMatchObject({
      visitorId: 'local',
    });
  });

  it('a hub runs without any network listener', async () => {
    const hub = createPresenceHub({ groups: GROUPS, logLevel: 'silent' });
    const out: string[] = [];
    let deliver: (data: string) => void = () => {};
    hub.accept({
      send: (t) => out.push(t),
      close: () => {},
      onMessage: (l) => {
        deliver = (d) => l(d);
      },
      onClose: () => {},
    });
    deliver(
      JSON.stringify({
        type: 'hello',
        v: PROTOCOL_VERSION,
        role: 'visitor',
        groupId: 'shop',
        visitorId: 'v',
        visible: true,
      }),
    );
    await waitFor(() => out.length > 0);
    expect(JSON.parse(out[0] as string)).toMatchObject({ type: 'welcome', focused: true });
    expect((await hub.registry.get({ groupId: 'shop', visitorId: 'v' }))?.connections).toHaveLength(
      1,
    );
    expect(hub.connectionCounts()).toEqual({ visitor: 1, agent: 0, handshake: 0, closing: 0 });
    await hub.close();
  });

  it('never drops a peer it has not pinged, nor on a tick that ran late (a stalled process)', async () => {
    // A hand-driven clock: `at` is the time, `run` fires the timers that are due.
    let at = 0;
    const pending: { due: number; fn: () => void; id: number }[] = [];
    let ids = 0;
    const clock = {
      setTimeout: (fn: () => void, ms: number) => {
        const id = ++ids;
        pending.push({ due: at + ms, fn, id });
        return id;
      },
      clearTimeout: (id: unknown) => {
        const i = pending.findIndex((p) => p.id === id);
        if (i >= 0) pending.splice(i, 1);
      },
    };
    const run = (to: number) => {
      for (;;) {
        pending.sort((a, b) => a.due - b.due);
        const next = pending[0];
        if (!next || next.due > to) break;
        pending.shift();
        at = Math.max(at, next.due);
        next.fn();
      }
      at = to;
    };
    const hub = createPresenceHub({
      groups: GROUPS,
      logLevel: 'silent',
      heartbeatMs: 1_000,
      now: () => at,
      clock,
    });
    const out: string[] = [];
    let closedWith: number | undefined;
    let deliver: (d: string) => void = () => {};
    hub.accept({
      send: (t) => out.push(JSON.parse(t).type),
      close: (code) => {
        closedWith = code;
      },
      onMessage: (l) => {
        deliver = (d) => l(d);
      },
      onClose: () => {},
    });
    deliver(
      JSON.stringify({
        type: 'hello',
        v: PROTOCOL_VERSION,
        role: 'visitor',
        groupId: 'shop',
        visitorId: 'mute',
        visible: true,
      }),
    );
    await vi.waitFor(() => expect(out).toEqual(['welcome']));
    // Before any ping, long silence alone is not enough to drop a peer.
    run(999);
    expect(out).toEqual(['welcome']);
    run(1_000);
    expect(out).toEqual(['welcome', 'ping']);
    // The process stalls for 4 s right after that ping; the peer's answer sits unread. The
    // late tick must not drop it for an answer it could not read yet.
    at = 5_000;
    run(5_000);
    expect(closedWith).toBeUndefined();
    deliver('{"type":"pong"}');
    run(6_000);
    expect(closedWith).toBeUndefined();
    // From now on the peer stays silent: dropped once a ping has gone unanswered on time.
    run(7_999);
    expect(closedWith).toBeUndefined();
    run(8_000);
    expect(closedWith).toBe(CloseCode.heartbeatTimeout);
    await hub.close();
  });

  it('pings a large server in slices, letting I/O run between them, and pings everyone', async () => {
    // A hand-driven clock for the heartbeat; the slices follow each other on setImmediate.
    let at = 0;
    let beat: (() => void) | undefined;
    const clock = {
      setTimeout: (fn: () => void, ms: number) => {
        if (ms === 1_000) beat = fn;
        return {};
      },
      clearTimeout: () => {},
    };
    const hub = createPresenceHub({
      groups: GROUPS,
      logLevel: 'silent',
      heartbeatMs: 1_000,
      now: () => at,
      clock,
    });
    const n = 700;
    let pings = 0;
    const pinged = new Set<number>();
    for (let i = 0; i < n; i++) {
      hub.accept({
        send: () => {},
        close: () => {},
        onMessage: () => {},
        onClose: () => {},
        ping: () => {
          pings += 1;
          pinged.add(i);
        },
      });
    }
    at = 1_000;
    beat?.();
    // Not all in one go: the first slice now, the rest on later turns.
    expect(pings).toBeGreaterThan(0);
    expect(pings).toBeLessThan(n);
    await vi.waitFor(() => expect(pinged.size).toBe(n));
    // Each connection once per round.
    expect(pings).toBe(n);
    await hub.close();
  });

  it('pings a silent in-process peer at protocol level and drops it after two intervals', async () => {
    const hub = createPresenceHub({ groups: GROUPS, logLevel: 'silent', heartbeatMs: 100 });
    const peer = (answersPings: boolean) => {
      const out: Record<string, unknown>[] = [];
      const state = { closedWith: undefined as number | undefined, deliver: (_: string) => {} };
      const p: Peer = {
        send: (t) => {
          const frame = JSON.parse(t);
          out.push(frame);
          // A polite client answers each protocol ping as it arrives, as clients must.
          if (answersPings && frame.type === 'ping')
            queueMicrotask(() => state.deliver('{"type":"pong"}'));
        },
        close: (code) => {
          state.closedWith = code;
        },
        onMessage: (l) => {
          state.deliver = (d) => l(d);
        },
        onClose: () => {},
      };
      hub.accept(p);
      state.deliver(
        JSON.stringify({
          type: 'hello',
          v: PROTOCOL_VERSION,
          role: 'visitor',
          groupId: 'shop',
          visitorId: `v${Math.random()}`.replace('.', ''),
          visible: true,
        }),
      );
      return { out, state };
    };
    const mute = peer(false);
    const polite = peer(true);
    try {
      await waitFor(() => mute.state.closedWith !== undefined);
      expect(mute.out.map((f) => f.type)).toContain('ping');
      expect(mute.state.closedWith).toBe(CloseCode.heartbeatTimeout);
      expect(polite.out.map((f) => f.type)).toContain('ping');
      expect(polite.state.closedWith).toBeUndefined();
    } finally {
      await hub.close();
    }
  });

  it('fails fast on a bad configuration, naming the field', async () => {
    await expect(
      createPresenceServer({
        groups: { shop: { presence: true, agentSecrets: ['short'] } },
        logLevel: 'silent',
      }),
    ).rejects.toThrow(/groups\.shop\.agentSecrets\.0: must be at least 32 characters/);
    await expect(
      createPresenceServer({ groups: GROUPS, heartbeatMs: -1, logLevel: 'silent' }),
    ).rejects.toBeInstanceOf(ConfigError);
    await expect(
      createPresenceServer({
        groups: {
          shop: {
            presence: true,
            agentSecrets: [AGENT_SECRET],
            allowedOrigins: ['https://a.example/path'],
          },
        },
        logLevel: 'silent',
      }),
    ).rejects.toThrow(/groups\.shop\.allowedOrigins\.0/);
  });
});

async function waitFor(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
