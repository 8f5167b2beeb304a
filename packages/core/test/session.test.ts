import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createAgent } from '../src/agent/index.js';
import type { Transport, TransportHandlers } from '../src/connection/transport.js';
import { createAgentSession } from '../src/session/createAgentSession.js';
import { defineSessionProvider } from '../src/session/defineSessionProvider.js';
import type { SessionContext, SessionProvider } from '../src/session/SessionProvider.js';
import { createSessionAssembler, splitSessionMessage } from '../src/session/sessionChunks.js';
import { PROTOCOL_VERSION, SESSION_LIMITS } from '../src/wire/index.js';
import { setup } from './utils/harness.js';

/**
 * A session endpoint the test plays: every connection is recorded with the frames it got,
 * and the test welcomes, feeds and closes it.
 */
function scriptedChannel() {
  const connections: {
    handlers: TransportHandlers;
    frames: { type: string; [key: string]: unknown }[];
    closed: boolean;
  }[] = [];
  const transport: Transport = (handlers) => {
    const entry = { handlers, frames: [] as { type: string }[], closed: false };
    connections.push(entry);
    queueMicrotask(() => handlers.open());
    return {
      get readyState() {
        return entry.closed ? 'closed' : 'open';
      },
      send(data) {
        if (entry.closed) return false;
        entry.frames.push(JSON.parse(data));
        return true;
      },
      close() {
        entry.closed = true;
      },
    };
  };
  const last = () => {
    const c = connections.at(-1);
    if (!c) throw new Error('no session channel connection');
    return c;
  };
  return {
    transport,
    connections,
    last,
    welcome(viewers = 0) {
      last().handlers.message(
        JSON.stringify({
          type: 'welcome',
          v: PROTOCOL_VERSION,
          role: 'host',
          sessionKey: 'alice',
          viewers,
        }),
      );
    },
    say(frame: object) {
      last().handlers.message(JSON.stringify(frame));
    },
    drop(code = 1006) {
      const c = last();
      c.closed = true;
      c.handlers.close({ code, reason: 'dropped' });
    },
  };
}

/** A provider recording its context and everything it heard. */
function recordingProvider(transport: Transport) {
  const heard: { type: string; [key: string]: unknown }[] = [];
  const state = { context: undefined as SessionContext | undefined, starts: 0, stops: 0 };
  const provider: SessionProvider = defineSessionProvider({
    transport,
    start(context) {
      state.starts += 1;
      state.context = context;
      for (const type of ['open', 'close', 'viewers', 'resync', 'message', 'error'] as const) {
        context.on(type, (event) => heard.push({ type, ...event }));
      }
      return {
        stop() {
          state.stops += 1;
        },
      };
    },
  });
  return { provider, heard, state };
}

const flushMicrotasks = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('session messages in chunks', () => {
  it('split and put back together give the message back, whatever its size', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 3_000 }),
        fc.integer({ min: 1, max: 500 }),
        fc.nat({ max: 1_000 }),
        (data, size, seq) => {
          const chunks = splitSessionMessage(seq, 'delta', data, size);
          if (!chunks) return false;
          expect(chunks.every((c) => c.data.length <= size && c.parts === chunks.length)).toBe(
            true,
          );
          const assembler = createSessionAssembler();
          const out = chunks.map((c) => assembler.add(c));
          expect(out.slice(0, -1).every((o) => o === undefined)).toBe(true);
          expect(out.at(-1)).toEqual({ seq, kind: 'delta', data });
          return true;
        },
      ),
    );
  });

  it('refuses a message over the limit', () => {
    expect(
      splitSessionMessage(0, 'snapshot', 'x'.repeat(SESSION_LIMITS.maxMessageChars + 1)),
    ).toBeUndefined();
  });

  it('drops a message whose parts do not follow on, and starts again at the next part 0', () => {
    const assembler = createSessionAssembler();
    const [a0, a1, a2] = splitSessionMessage(1, 'snapshot', 'abcdef', 2) ?? [];
    const [b0, b1] = splitSessionMessage(2, 'delta', 'wxyz', 2) ?? [];
    if (!a0 || !a1 || !a2 || !b0 || !b1) throw new Error('chunks expected');
    expect(assembler.add(a0)).toBeUndefined();
    expect(assembler.add(a2)).toBe('broken');
    expect(assembler.add(a1)).toBe('broken');
    expect(assembler.add(b0)).toBeUndefined();
    expect(assembler.add(b1)).toEqual({ seq: 2, kind: 'delta', data: 'wxyz' });
  });
});

describe('a visitor with a session provider', () => {
  it('checks the provider at createVisitor time', () => {
    const transport = scriptedChannel().transport;
    // A provider not made with defineSessionProvider lacks the runtime.
    const bad = [{}, { start() {} }, { transport }, { transport, start() {} }, 'cobrowse'];
    for (const session of bad) {
      expect(() => setup({ session: session as unknown as SessionProvider })).toThrow(
        /options\.session must be a session provider/,
      );
    }
    expect(() => defineSessionProvider({ transport } as never)).toThrow(TypeError);
  });

  it('starts the provider only with the session, opens the channel with the ticket, and chunks what it sends', async () => {
    const channel = scriptedChannel();
    const { provider, heard, state } = recordingProvider(channel.transport);
    const { visitor, service, connect, settle } = setup({ session: provider });
    connect();
    expect(state.starts).toBe(0);
    visitor.startSession();
    settle();
    expect(state.starts).toBe(1);
    expect(service.current?.sent.filter((m) => m.type.startsWith('session'))).toEqual([
      { type: 'sessionStart', sessionKey: 'alice', presenceStart: false },
      { type: 'sessionTicket', sessionKey: 'alice' },
    ]);
    // No ticket yet: no channel, and sends go nowhere.
    expect(channel.connections).toEqual([]);
    expect(state.context?.send('delta', 'x')).toBe(false);

    service.current?.push({
      type: 'sessionTicket',
      sessionKey: 'alice',
      ticket: 'T'.repeat(20),
      expiresAt: 1,
    });
    await flushMicrotasks();
    expect(channel.last().frames[0]).toEqual({
      type: 'hello',
      v: PROTOCOL_VERSION,
      ticket: 'T'.repeat(20),
    });
    channel.welcome(2);
    expect(heard.filter((e) => e.type === 'open' || e.type === 'viewers')).toEqual([
      { type: 'open', viewers: 2 },
      { type: 'viewers', viewers: 2 },
    ]);
    expect(visitor.getSnapshot().sessionViewers).toBe(2);

    const big = 'y'.repeat(SESSION_LIMITS.maxChunkChars + 5);
    expect(state.context?.send('snapshot', big)).toBe(true);
    expect(state.context?.send('transient', 'p')).toBe(true);
    const chunks = channel.last().frames.filter((f) => f.type === 'chunk');
    expect(chunks.map((c) => [c.seq, c.part, c.parts, c.kind])).toEqual([
      [0, 0, 2, 'snapshot'],
      [0, 1, 2, 'snapshot'],
      [1, 0, 1, 'transient'],
    ]);
    expect(state.context?.send('delta', 'z'.repeat(SESSION_LIMITS.maxMessageChars + 1))).toBe(
      false,
    );
    expect(heard.at(-1)).toMatchObject({ type: 'error', code: 'tooLarge', fatal: false });

    // Viewers, a resync request and an agent's pointer reach the provider.
    channel.say({ type: 'viewers', viewers: 1 });
    channel.say({ type: 'resync', reason: 'a viewer joined' });
    channel.say({ type: 'message', from: 'v-1', agentId: 'agent-7', data: '{"t":"p"}' });
    expect(heard.slice(-3)).toEqual([
      { type: 'viewers', viewers: 1 },
      { type: 'resync', reason: 'a viewer joined' },
      { type: 'message', data: '{"t":"p"}', agentId: 'agent-7', from: 'v-1' },
    ]);

    visitor.endSession('done');
    settle();
    expect(state.stops).toBe(1);
    expect(channel.last().closed).toBe(true);
    expect(visitor.getSnapshot().sessionViewers).toBe(0);
  });

  it('asks for a new ticket at once when a working channel drops, and waits longer after each failed one', async () => {
    const channel = scriptedChannel();
    const { provider, heard } = recordingProvider(channel.transport);
    const { visitor, service, connect, settle, advance } = setup({ session: provider });
    connect();
    visitor.startSession();
    settle();
    const tickets = () =>
      service.current?.sent.filter((m) => m.type === 'sessionTicket').length ?? 0;
    const give = async () => {
      service.current?.push({
        type: 'sessionTicket',
        sessionKey: 'alice',
        ticket: 'T'.repeat(20),
        expiresAt: 1,
      });
      await flushMicrotasks();
    };
    await give();
    channel.welcome();
    channel.drop();
    expect(tickets()).toBe(2);
    expect(heard.at(-1)).toMatchObject({ type: 'close', code: 1006 });
    // It fails before a welcome: the next ticket comes after a backoff.
    await give();
    channel.drop();
    expect(tickets()).toBe(2);
    advance(30_000);
    expect(tickets()).toBe(3);
    for (let attempt = 0; attempt < 6; attempt++) {
      await give();
      channel.drop(4001);
      advance(30_000);
    }
    expect(heard.filter((e) => e.type === 'error').at(-1)).toMatchObject({ fatal: true });
    const asked = tickets();
    advance(60_000);
    expect(tickets()).toBe(asked);
  });

  it('reports a refused ticket to the provider, and ends the session when an agent asks', async () => {
    const channel = scriptedChannel();
    const { provider, heard, state } = recordingProvider(channel.transport);
    const { visitor, service, connect, settle, take } = setup({ session: provider });
    connect();
    visitor.startSession();
    settle();
    service.current?.push({
      type: 'sessionRefused',
      sessionKey: 'alice',
      code: 'forbidden',
      message: 'not focused',
    });
    expect(heard.at(-1)).toEqual({
      type: 'error',
      code: 'forbidden',
      message: 'not focused',
      fatal: true,
    });

    service.current?.push({
      type: 'sessionTicket',
      sessionKey: 'alice',
      ticket: 'T'.repeat(20),
      expiresAt: 1,
    });
    await flushMicrotasks();
    channel.welcome(1);
    take();
    channel.say({ type: 'end', agentId: 'agent-7', reason: 'solved' });
    settle();
    expect(state.stops).toBe(1);
    expect(take()).toContainEqual({ type: 'sessionEnd', reason: 'ended by agent agent-7: solved' });
    expect(service.current?.sent.at(-1)).toEqual({
      type: 'sessionEnd',
      reason: 'ended by agent agent-7: solved',
    });
  });

  it('ends the session with the reason when the provider cannot start', () => {
    const channel = scriptedChannel();
    const provider = defineSessionProvider({
      transport: channel.transport,
      start() {
        throw new Error('no document');
      },
    });
    const { visitor, service, connect, settle } = setup({ session: provider });
    connect();
    visitor.startSession();
    settle();
    expect(visitor.getSnapshot().terms).toBe('ended');
    expect(service.current?.sent.at(-1)).toEqual({
      type: 'sessionEnd',
      reason: 'the session could not start: no document',
    });
  });
});

describe('an agent joining a session', () => {
  it('needs the session endpoint, and a valid key', async () => {
    const agent = createAgent({
      transport: scriptedChannel().transport,
      groupId: 'acme',
      token: 't',
    });
    await expect(agent.joinSession('alice')).rejects.toMatchObject({
      code: 'invalidParameter',
      param: 'sessionTransport',
    });
    const withEndpoint = createAgent({
      transport: scriptedChannel().transport,
      sessionTransport: scriptedChannel().transport,
      groupId: 'acme',
      token: 't',
    });
    await expect(withEndpoint.joinSession('not a key')).rejects.toMatchObject({
      code: 'invalidParameter',
      param: 'sessionKey',
    });
    expect(() =>
      createAgent({
        transport: scriptedChannel().transport,
        groupId: 'acme',
        token: 't',
        sessionTransport: 'x' as never,
      }),
    ).toThrow(/sessionTransport/);
  });

  it('joins again with a fresh ticket when the channel drops, and ends when the session is gone', async () => {
    const clock = new SimulatedClock();
    const channel = scriptedChannel();
    let tickets = 0;
    let gone = false;
    const joining = createAgentSession({
      sessionKey: 'alice',
      transport: channel.transport,
      clock,
      handshakeTimeoutMs: 1_000,
      requestTicket: async () => {
        tickets += 1;
        if (gone) throw Object.assign(new Error('over'), { code: 'sessionNotFound' });
        return { visitorId: 'alice', ticket: 'T'.repeat(20) };
      },
      error: (code, message) => Object.assign(new Error(message), { code }),
      isFinal: (error) => (error as { code?: string }).code === 'sessionNotFound',
    });
    await flushMicrotasks();
    const welcome = (viewers: number) =>
      channel.say({
        type: 'welcome',
        v: 1,
        role: 'viewer',
        sessionKey: 'alice',
        visitorId: 'alice',
        viewers,
        hostConnected: true,
      });
    welcome(1);
    const session = await joining;
    const states: string[] = [];
    const messages: unknown[] = [];
    session.on('state', ({ state }) => states.push(state));
    session.on('message', (m) => messages.push(m));
    channel.say({ type: 'chunk', seq: 0, part: 0, parts: 2, kind: 'snapshot', data: 'ab' });
    channel.say({ type: 'chunk', seq: 0, part: 1, parts: 2, kind: 'snapshot', data: 'cd' });
    expect(messages).toEqual([{ seq: 0, kind: 'snapshot', data: 'abcd' }]);
    // A part out of order: the message is dropped and the host is asked for a snapshot.
    channel.say({ type: 'chunk', seq: 1, part: 1, parts: 2, kind: 'delta', data: 'x' });
    expect(channel.last().frames.at(-1)).toEqual({ type: 'resync' });

    channel.drop();
    expect(session.state).toBe('reconnecting');
    clock.increment(30_000);
    await flushMicrotasks();
    await flushMicrotasks();
    welcome(2);
    expect(session.state).toBe('live');
    expect(session.viewers).toBe(2);
    expect(tickets).toBe(2);

    gone = true;
    channel.drop();
    clock.increment(30_000);
    await flushMicrotasks();
    expect(session.state).toBe('ended');
    expect(states).toEqual(['reconnecting', 'live', 'reconnecting', 'ended']);
  });
});
