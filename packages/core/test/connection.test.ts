import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createAgent } from '../src/agent/index.js';
import type { Transport, TransportHandlers } from '../src/index.js';
import { createVisitor } from '../src/index.js';
import { CloseCode, LIMITS, PROTOCOL_VERSION } from '../src/wire/index.js';

// Both client roles run on one connection actor, so every rule here is asserted for both
// with the same numbers: the visitor and the agent must not drift apart again.

interface Link {
  handlers: TransportHandlers;
  sent: { type: string }[];
  closed: boolean;
}

function rawTransport() {
  const links: Link[] = [];
  const transport: Transport = (handlers) => {
    const link: Link = { handlers, sent: [], closed: false };
    links.push(link);
    queueMicrotask(() => handlers.open());
    return {
      get readyState() {
        return link.closed ? 'closed' : 'open';
      },
      send(data) {
        if (link.closed) return false;
        link.sent.push(JSON.parse(data));
        return true;
      },
      close() {
        if (link.closed) return;
        link.closed = true;
        handlers.close({ code: CloseCode.normal, reason: 'client disconnect' });
      },
    };
  };
  return { transport, links };
}

type Role = 'visitor' | 'agent';
const ROLES: Role[] = ['visitor', 'agent'];

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Starts one client of the role over a raw transport on simulated time. */
async function start(role: Role, options: Record<string, unknown> = {}) {
  const clock = new SimulatedClock();
  const { transport, links } = rawTransport();
  const events: { type: string; [key: string]: unknown }[] = [];
  const common = { transport, clock, reconnect: { random: () => 0.5 }, ...options };
  if (role === 'visitor') {
    const visitor = createVisitor(common as never);
    for (const type of ['connected', 'connectFail', 'error'] as const) {
      visitor.on(type, (e) => events.push(e));
    }
    visitor.init({ groupId: 'acme', visitorId: 'alice' });
    visitor.connect();
  } else {
    const agent = createAgent({ groupId: 'acme', token: 'agent-jwt', ...common } as never);
    for (const type of ['connected', 'connectFail', 'error'] as const) {
      agent.on(type, (e) => events.push(e));
    }
    agent.connect();
  }
  await tick();
  const link = () => links.at(-1)!;
  const welcome = (heartbeatMs = 1_000) =>
    link().handlers.message(
      JSON.stringify(
        role === 'visitor'
          ? {
              type: 'welcome',
              v: PROTOCOL_VERSION,
              connectionId: 'c1',
              focused: true,
              epoch: 1,
              heartbeatMs,
            }
          : {
              type: 'welcome',
              v: PROTOCOL_VERSION,
              connectionId: 'c1',
              groupId: 'acme',
              heartbeatMs,
            },
      ),
    );
  const pings = () => link().sent.filter((m) => m.type === 'ping').length;
  return { clock, links, link, events, welcome, pings };
}

describe.each(ROLES)('the %s connection', (role) => {
  it('pings after one silent heartbeat interval and gives up after a second one', async () => {
    const c = await start(role);
    c.welcome(1_000);
    c.clock.increment(999);
    expect(c.pings()).toBe(0);
    c.clock.increment(1);
    expect(c.pings()).toBe(1);
    c.clock.increment(999);
    expect(c.events.filter((e) => e.type === 'connectFail')).toEqual([]);
    c.clock.increment(1);
    expect(c.events.at(-1)).toMatchObject({
      type: 'connectFail',
      code: CloseCode.heartbeatTimeout,
      reason: 'no heartbeat from the service',
      willRetry: true,
    });
  });

  it('any frame from the service restarts the silent interval', async () => {
    const c = await start(role);
    c.welcome(1_000);
    c.clock.increment(800);
    c.link().handlers.message('{"type":"pong"}');
    c.clock.increment(800);
    expect(c.pings()).toBe(0);
    c.clock.increment(200);
    expect(c.pings()).toBe(1);
    // An invalid frame is hearing from the service too.
    c.link().handlers.message('not json');
    c.clock.increment(999);
    expect(c.pings()).toBe(1);
  });

  it('reports an invalid frame as a typed error and keeps the connection', async () => {
    const c = await start(role);
    c.welcome();
    c.link().handlers.message('{"type":"bogus"}');
    expect(c.events.at(-1)).toEqual({
      type: 'error',
      source: 'invalidFrame',
      code: 'invalidMessage',
      message: 'ignored a frame from the service: unknown message type "bogus"',
      param: 'type',
    });
    c.link().handlers.message('{');
    expect(c.events.at(-1)).toMatchObject({ type: 'error', code: 'malformed' });
    expect(c.link().closed).toBe(false);
  });

  it('times out a handshake at handshakeTimeoutMs, and refuses one a timer cannot hold', async () => {
    const bound = 2 ** 31 - 1;
    const longest = await start(role, { handshakeTimeoutMs: bound });
    longest.clock.increment(60_000);
    expect(longest.events).toEqual([]);
    const short = await start(role, { handshakeTimeoutMs: 5_000 });
    short.clock.increment(5_000);
    expect(short.events.at(-1)).toMatchObject({
      type: 'connectFail',
      code: CloseCode.handshakeTimeout,
      reason: 'handshake timed out',
    });
    const factory = role === 'visitor' ? createVisitor : createAgent;
    for (const key of ['handshakeTimeoutMs', 'heartbeatMs']) {
      for (const value of [2 ** 32, bound + 1, 0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
        expect(() =>
          factory({
            transport: rawTransport().transport,
            ...(role === 'agent' ? { groupId: 'acme', token: 't' } : {}),
            [key]: value,
          } as never),
        ).toThrow(
          new RegExp(`${role === 'visitor' ? 'createVisitor' : 'createAgent'}: options.${key}`),
        );
      }
    }
  });

  it('refuses an empty or oversized token from the token function as unauthorized', async () => {
    for (const token of ['', 'x'.repeat(LIMITS.maxTextLength + 1)]) {
      const c = await start(role, { token: () => token });
      await tick();
      expect(c.events.at(-1)).toMatchObject({
        type: 'connectFail',
        code: CloseCode.unauthorized,
        willRetry: false,
      });
      expect(c.links).toHaveLength(0);
    }
  });

  it('words a close that came without a reason the same way', async () => {
    const c = await start(role);
    c.welcome();
    c.link().closed = true;
    c.link().handlers.close({ code: CloseCode.forbidden, reason: '' });
    expect(c.events.at(-1)).toMatchObject({
      type: 'connectFail',
      code: CloseCode.forbidden,
      reason: 'forbidden: this origin, group or ID is not allowed',
    });
  });
});

describe.each(ROLES)('the %s reconnect delay', (role) => {
  it('takes the delay a restarting service names, capped at maxDelayMs', async () => {
    const c = await start(role, { reconnect: { random: () => 0.5, maxDelayMs: 5_000 } });
    c.welcome();
    c.link().closed = true;
    c.link().handlers.close({ code: CloseCode.reconnect, reason: '1234' });
    expect(c.events.at(-1)).toMatchObject({ type: 'connectFail', retryInMs: 1234 });
    c.clock.increment(1234);
    await tick();
    c.welcome();
    c.link().closed = true;
    c.link().handlers.close({ code: CloseCode.rateLimited, reason: '999999' });
    expect(c.events.at(-1)).toMatchObject({ type: 'connectFail', retryInMs: 5_000 });
  });
});
