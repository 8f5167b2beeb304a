import { createInspector } from '@statelyai/inspect';
import { describe, expect, it, vi } from 'vitest';
import { createVisitor, type Transport } from '../src/index.js';
import { CloseCode, LIMITS } from '../src/wire/index.js';
import { manualUI, setup } from './utils/harness.js';

const sentTypes = (conn: { sent: readonly { type: string }[] } | undefined) =>
  (conn?.sent ?? []).map((m) => m.type);

describe('init and connect', () => {
  it('init validates IDs, returns what it fired, and sends nothing', () => {
    const { visitor, service, take } = setup();
    expect(visitor.init({ groupId: 'acme', visitorId: 'a b' })).toBe('invalidParameter');
    expect(take()).toEqual([
      {
        type: 'invalidParameter',
        param: 'visitorId',
        reason: 'may only contain letters, digits, "_", "~" and "-"',
      },
    ]);
    expect(visitor.init({ groupId: '', visitorId: 'alice' })).toBe('invalidParameter');
    expect(take()[0]).toMatchObject({ param: 'groupId' });
    expect(visitor.init({ groupId: 'acme', visitorId: 'x'.repeat(63) })).toBe('invalidParameter');
    expect(take()[0]).toMatchObject({ param: 'visitorId', reason: expect.stringMatching(/62/) });
    expect(visitor.getSnapshot().connection).toBe('uninitialized');
    expect(visitor.init({ groupId: 'acme', visitorId: 'x'.repeat(62) })).toBe('initialized');
    expect(take()).toEqual([{ type: 'initialized', groupId: 'acme', visitorId: 'x'.repeat(62) }]);
    expect(service.connections).toHaveLength(0);
  });

  it('connect before init fires invalidParameter and opens nothing', () => {
    const { visitor, service, take, settle } = setup();
    visitor.connect();
    settle();
    expect(take()).toEqual([
      { type: 'invalidParameter', param: 'visitorId', reason: 'call init() before connect()' },
    ]);
    expect(service.connections).toHaveLength(0);
  });

  it('connects, says hello with the visitor and its visibility, and fires connected', () => {
    const { visitor, service, connect, take } = setup({ token: 'tok', visible: false });
    connect();
    expect(visitor.getSnapshot()).toMatchObject({ connection: 'connected', focused: true });
    expect(service.current?.sent[0]).toEqual({
      type: 'hello',
      v: 1,
      role: 'visitor',
      groupId: 'acme',
      visitorId: 'alice',
      token: 'tok',
      visible: false,
    });
    expect(take().map((e) => e.type)).toEqual(['initialized', 'connected']);
  });

  it('connect while connected does nothing', () => {
    const { visitor, service, connect, types, settle } = setup();
    connect();
    types();
    visitor.connect();
    visitor.connect({ pushNotifications: true });
    settle();
    expect(service.connections).toHaveLength(1);
    expect(types()).toEqual([]);
  });

  it('disconnect fires disconnected, closes the transport and stops retrying', () => {
    const { visitor, service, connect, types, advance } = setup();
    connect();
    types();
    visitor.disconnect();
    expect(types()).toEqual(['disconnected']);
    expect(service.connections[0]?.closedBy).toBe('client');
    advance(60_000);
    expect(service.connections).toHaveLength(1);
    expect(visitor.getSnapshot().connection).toBe('disconnected');
    visitor.connect();
    advance(0);
    expect(visitor.getSnapshot().connection).toBe('connected');
  });

  it('a group without presence fires notConfigured and does not retry', () => {
    const { visitor, service, connect, take, advance } = setup();
    service.replyNotConfigured();
    connect();
    expect(take().slice(1)).toEqual([
      { type: 'notConfigured', reason: expect.stringMatching(/.+/) },
    ]);
    advance(120_000);
    expect(service.connections).toHaveLength(1);
    expect(visitor.getSnapshot().connection).toBe('notConfigured');
  });

  it('a final close code (unauthorized) stops retrying with willRetry false', () => {
    const { visitor, service, connect, take, advance } = setup();
    connect();
    take();
    service.current?.close(CloseCode.unauthorized, 'token expired');
    expect(take()).toEqual([
      { type: 'connectFail', reason: 'token expired', code: 4001, willRetry: false },
    ]);
    advance(120_000);
    expect(service.connections).toHaveLength(1);
    expect(visitor.getSnapshot().connection).toBe('disconnected');
  });

  it('re-init with another visitor while online is refused; the same IDs are idempotent', () => {
    const { visitor, connect, take } = setup();
    connect();
    take();
    expect(visitor.init({ groupId: 'acme', visitorId: 'bob' })).toBe('invalidParameter');
    expect(visitor.init({ groupId: 'acme', visitorId: 'alice' })).toBe('initialized');
    expect(visitor.getSnapshot().visitorId).toBe('alice');
  });
});

describe('reconnects', () => {
  it('a drop fires connectFail and reconnects with exponential backoff and full jitter', () => {
    const { visitor, service, connect, take, advance, settle } = setup({
      reconnect: { random: () => 0.5, initialDelayMs: 1_000, factor: 2, maxDelayMs: 3_000 },
    });
    connect();
    take();
    service.refuseAll();
    service.current?.drop();
    settle();
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const fail = take().find((e) => e.type === 'connectFail');
      expect(fail).toMatchObject({ willRetry: true, code: 1006 });
      const delay = fail?.type === 'connectFail' ? (fail.retryInMs ?? -1) : -1;
      delays.push(delay);
      // One millisecond early nothing happens; on time, the next attempt goes out.
      const before = service.connections.length;
      if (delay > 0) {
        advance(delay - 1);
        expect(service.connections).toHaveLength(before);
        advance(1);
      } else advance(0);
      expect(service.connections).toHaveLength(before + 1);
    }
    // Ceilings 1000, 2000, 3000 (capped), 3000; random 0.5 takes half of each.
    expect(delays).toEqual([500, 1_000, 1_500, 1_500]);
    // The drop plus four refused attempts.
    expect(visitor.getSnapshot().attempt).toBe(5);
    service.acceptAll();
    advance(1_500);
    expect(visitor.getSnapshot()).toMatchObject({ connection: 'connected', attempt: 0 });
    expect(take().filter((e) => e.type === 'connected')).toEqual([
      expect.objectContaining({ reconnected: true }),
    ]);
  });

  it('after reconnecting, tells the agent why it was gone (the spec’s conndrop)', () => {
    const { service, connect, advance } = setup();
    connect();
    service.current?.drop({ code: 1006, reason: 'wifi gone' });
    advance(250);
    expect(service.current?.sent.slice(0, 2)).toEqual([
      expect.objectContaining({ type: 'hello' }),
      {
        type: 'error',
        code: 'conndrop',
        msg: 'Connect failed',
        params: { reason: 'wifi gone', code: '1006' },
      },
    ]);
  });

  it('gives up after maxAttempts', () => {
    const { visitor, service, connect, take, advance } = setup({
      reconnect: { random: () => 0, maxAttempts: 2 },
    });
    connect();
    service.refuseAll();
    service.current?.drop();
    advance(0);
    advance(0);
    const fails = take().filter((e) => e.type === 'connectFail');
    expect(fails.map((e) => e.type === 'connectFail' && e.willRetry)).toEqual([true, true, false]);
    expect(visitor.getSnapshot().connection).toBe('disconnected');
  });

  it('a restarting service names the delay in the 4100 close reason', () => {
    const { service, connect, take, advance } = setup();
    connect();
    take();
    service.current?.close(CloseCode.reconnect, '2345');
    expect(take()).toEqual([
      { type: 'connectFail', reason: '2345', code: 4100, willRetry: true, retryInMs: 2_345 },
    ]);
    advance(2_344);
    expect(service.connections).toHaveLength(1);
    advance(1);
    expect(service.connections).toHaveLength(2);
  });

  it('presence while reconnecting fails, is not queued, and retries the connection at once', () => {
    const { visitor, service, connect, take, settle } = setup({
      reconnect: { random: () => 0.99, initialDelayMs: 10_000 },
    });
    connect();
    service.current?.drop();
    take();
    visitor.presence({ url: '/cart' });
    expect(take()).toEqual([
      { type: 'sendFail', reason: 'not connected to the presence service', code: 'notConnected' },
    ]);
    settle();
    expect(service.connections).toHaveLength(2);
    expect(visitor.getSnapshot().connection).toBe('connected');
    expect(sentTypes(service.current)).not.toContain('presence');
  });

  it('a silent service is detected by heartbeats and the visitor reconnects', () => {
    const { visitor, service, connect, take, advance } = setup();
    connect();
    take();
    service.current?.blackhole();
    // The documented rule: silence for one interval sends a ping, silence for another ends
    // the link.
    advance(999);
    expect(sentTypes(service.current)).not.toContain('ping');
    advance(1);
    expect(service.current?.sent.at(-1)).toEqual({ type: 'ping' });
    expect(visitor.getSnapshot().connection).toBe('connected');
    advance(1_000);
    expect(take()[0]).toMatchObject({
      type: 'connectFail',
      code: CloseCode.heartbeatTimeout,
      willRetry: true,
    });
  });

  it('answered pings keep the link up', () => {
    const { visitor, service, connect, take, advance } = setup();
    connect();
    take();
    for (let i = 0; i < 10; i++) advance(1_000);
    expect(visitor.getSnapshot().connection).toBe('connected');
    expect(sentTypes(service.current).filter((t) => t === 'ping').length).toBeGreaterThan(0);
    expect(take()).toEqual([]);
  });

  it('a service that never welcomes times out the handshake and is retried', () => {
    const { service, visitor, connect, take, advance } = setup(
      { handshakeTimeoutMs: 5_000 },
      { autoWelcome: false },
    );
    connect();
    expect(visitor.getSnapshot().connection).toBe('connecting');
    take();
    advance(5_000);
    expect(take()[0]).toMatchObject({ type: 'connectFail', code: CloseCode.handshakeTimeout });
    expect(service.connections[0]?.closedBy).toBe('client');
  });
});

describe('odd transports', () => {
  it('a transport that opens before it returns still gets hello', () => {
    const sent: string[] = [];
    const transport: Transport = (handlers) => {
      handlers.open();
      return {
        readyState: 'open',
        send: (data) => {
          sent.push(data);
          return true;
        },
        close() {},
      };
    };
    const visitor = createVisitor({ transport });
    visitor.init({ groupId: 'acme', visitorId: 'alice' });
    visitor.connect();
    expect(sent.map((f) => JSON.parse(f).type)).toEqual(['hello']);
    visitor.actor.stop();
  });

  it('a transport factory that throws is a failed attempt, retried, not a crash', () => {
    const { clock } = setup();
    let calls = 0;
    const transport: Transport = () => {
      calls += 1;
      throw new TypeError('blocked scheme');
    };
    const visitor = createVisitor({ transport, clock, reconnect: { random: () => 0.5 } });
    const fails: unknown[] = [];
    visitor.on('connectFail', (e) => fails.push(e));
    visitor.init({ groupId: 'acme', visitorId: 'alice' });
    expect(() => visitor.connect()).not.toThrow();
    expect(fails).toEqual([
      {
        type: 'connectFail',
        reason: 'could not open the transport: blocked scheme',
        code: 1006,
        willRetry: true,
        retryInMs: 250,
      },
    ]);
    clock.increment(250);
    expect(calls).toBe(2);
    visitor.actor.stop();
  });
});

describe('sends', () => {
  it('presence, signalAgent and signalVisibility reach the service while connected', () => {
    const { visitor, service, connect } = setup();
    connect();
    visitor.presence({ url: '/cart', c_plan: 'pro' });
    visitor.signalAgent('c_cart', { items: '3' });
    visitor.signalVisibility(false);
    expect(service.current?.sent.slice(1)).toEqual([
      { type: 'presence', data: { url: '/cart', c_plan: 'pro' } },
      { type: 'signal', name: 'c_cart', properties: { items: '3' } },
      { type: 'visibility', visible: false },
    ]);
    expect(visitor.getSnapshot().visible).toBe(false);
  });

  it('sends fire sendFail before connect and while disconnected, and are not queued', () => {
    const { visitor, service, take, connect } = setup();
    visitor.init({ groupId: 'acme', visitorId: 'alice' });
    take();
    visitor.presence({ url: '/' });
    visitor.signalAgent('c_x');
    visitor.signalVisibility(true);
    expect(take().map((e) => e.type)).toEqual(['sendFail', 'sendFail', 'sendFail']);
    connect();
    expect(sentTypes(service.current)).toEqual(['hello']);
  });

  it.each([
    ['21 properties', Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`c_${i}`, 'x']))],
    ['a 2,001-character value', { url: 'x'.repeat(LIMITS.maxValueLength + 1) }],
    ['a 65-character name', { [`c_${'n'.repeat(63)}`]: 'x' }],
    ['a custom name without c_', { plan: 'pro' }],
    ['a non-string value', { url: 42 }],
    [
      'more than 10,000 characters in all',
      {
        c_a: 'x'.repeat(2_000),
        c_b: 'x'.repeat(2_000),
        c_c: 'x'.repeat(2_000),
        c_d: 'x'.repeat(2_000),
        c_e: 'x'.repeat(1_991),
      },
    ],
  ])('presence with %s fires invalidParameter and sends nothing', (_, data) => {
    const { visitor, service, connect, take } = setup();
    connect();
    take();
    visitor.presence(data as Record<string, string>);
    const [event, ...rest] = take();
    expect(rest).toEqual([]);
    expect(event).toMatchObject({
      type: 'invalidParameter',
      param: expect.stringMatching(/^data/),
    });
    expect(service.current?.sentRaw).toHaveLength(1);
  });

  it('presence exactly at every limit is sent', () => {
    const { visitor, service, connect, take } = setup();
    connect();
    take();
    // 20 properties whose names and values add up to exactly 10,000 characters.
    const data: Record<string, string> = { url: '' };
    for (let i = 0; i < 19; i++) data[`c_${i}`] = '';
    let room = LIMITS.maxTotalLength - Object.keys(data).reduce((n, k) => n + k.length, 0);
    for (const key of Object.keys(data)) {
      const take = Math.min(room, LIMITS.maxValueLength);
      data[key] = 'v'.repeat(take);
      room -= take;
    }
    expect(room).toBe(0);
    visitor.presence(data);
    expect(take()).toEqual([]);
    expect(service.current?.sent.at(-1)).toEqual({ type: 'presence', data });
  });

  it('bad signalAgent and signalVisibility input fires invalidParameter and sends nothing', () => {
    const { visitor, service, connect, take } = setup();
    connect();
    take();
    visitor.signalAgent('cart', {});
    visitor.signalAgent('terms', { status: 'maybe' });
    visitor.signalVisibility('yes' as unknown as boolean);
    expect(take().map((e) => e.type === 'invalidParameter' && e.param)).toEqual([
      'name',
      'properties.status',
      'visible',
    ]);
    expect(service.current?.sentRaw).toHaveLength(1);
  });

  it('errors from the service surface as typed events', () => {
    const { service, connect, take } = setup();
    connect();
    take();
    service.current?.push({
      type: 'error',
      code: 'rateLimited',
      message: 'slow down',
      retryAfter: 1_200,
    });
    service.current?.push({
      type: 'error',
      code: 'invalidParameter',
      message: 'data.c_x is too long',
      param: 'data.c_x',
    });
    expect(take()).toEqual([
      { type: 'sendFail', reason: 'slow down', code: 'rateLimited', retryAfter: 1_200 },
      { type: 'invalidParameter', param: 'data.c_x', reason: 'data.c_x is too long' },
    ]);
  });

  it('a signal from the agent fires signal and is acknowledged', () => {
    const { service, connect, take } = setup();
    connect();
    take();
    service.current?.push({ type: 'signal', id: 9, name: 'c_ping', properties: { a: 'b' } });
    expect(take()).toEqual([{ type: 'signal', name: 'c_ping', properties: { a: 'b' } }]);
    expect(service.current?.sent.at(-1)).toEqual({ type: 'ack', id: 9 });
  });
});

describe('focus', () => {
  it('blur fires blur; the next presence, signalAgent or signalVisibility reclaims focus', () => {
    for (const reclaim of [
      (v: ReturnType<typeof setup>['visitor']) => v.presence({ url: '/' }),
      (v: ReturnType<typeof setup>['visitor']) => v.signalAgent('c_click'),
      (v: ReturnType<typeof setup>['visitor']) => v.signalVisibility(true),
    ]) {
      const { visitor, service, connect, types } = setup();
      connect();
      types();
      service.current?.push({ type: 'blur', epoch: 5 });
      expect(types()).toEqual(['blur']);
      expect(visitor.getSnapshot().focused).toBe(false);
      const before = service.current?.sent.length ?? 0;
      reclaim(visitor);
      expect(types()).toEqual(['focus']);
      expect(visitor.getSnapshot().focused).toBe(true);
      // The reclaiming call itself was sent: that is what makes the service move focus.
      expect(service.current?.sent.length).toBe(before + 1);
    }
  });

  it('two instances of one visitor: the later gets focus, the earlier is blurred and can take it back', () => {
    const { service, visitor: first, types: firstTypes, connect, clock } = setup();
    connect();
    const second = createVisitor({ transport: service.transport, clock });
    const secondEvents: string[] = [];
    for (const t of ['blur', 'focus', 'connected'] as const)
      second.on(t, (e) => secondEvents.push(e.type));
    second.init({ groupId: 'acme', visitorId: 'alice' });
    second.connect();
    clock.increment(0);
    service.flush();
    expect(second.getSnapshot().focused).toBe(true);
    expect(first.getSnapshot().focused).toBe(false);
    expect(firstTypes()).toContain('blur');
    first.presence({ url: '/back' });
    expect(first.getSnapshot().focused).toBe(true);
    expect(second.getSnapshot().focused).toBe(false);
    expect(secondEvents).toEqual(['connected', 'blur']);
  });

  it('a blur older than the focus the visitor holds is ignored', () => {
    const { visitor, service, connect, types } = setup();
    connect();
    service.current?.push({ type: 'focus', epoch: 10 });
    types();
    service.current?.push({ type: 'blur', epoch: 3 });
    expect(types()).toEqual([]);
    expect(visitor.getSnapshot().focused).toBe(true);
  });
});

describe('consent with the default UI', () => {
  it('shows the dialog, signals displayed, and on accept starts the session with the visitor ID', () => {
    const dialog = manualUI();
    const { visitor, service, connect, take } = setup({ ui: dialog.ui });
    connect();
    take();
    service.current?.push({ type: 'showTerms', id: 3, termsUrl: 'https://acme.test/terms' });
    expect(dialog.shown).toEqual([
      { visitorId: 'alice', sessionKey: 'alice', termsUrl: 'https://acme.test/terms' },
    ]);
    expect(visitor.getSnapshot()).toMatchObject({
      terms: 'shown',
      request: { sessionKey: 'alice', termsUrl: 'https://acme.test/terms', visitorId: 'alice' },
    });
    expect(take()).toEqual([]);
    dialog.answer('accepted');
    dialog.answer('declined'); // a second click is ignored
    expect(take()).toEqual([
      { type: 'termsAccepted', sessionKey: 'alice' },
      { type: 'sessionStart', sessionKey: 'alice', presenceStart: true },
    ]);
    expect(service.current?.sent.slice(1)).toEqual([
      { type: 'ack', id: 3 },
      { type: 'signal', name: 'terms', properties: { status: 'displayed' } },
      { type: 'signal', name: 'terms', properties: { status: 'accepted' } },
      { type: 'sessionStart', sessionKey: 'alice', presenceStart: true },
    ]);
    expect(visitor.getSnapshot()).toMatchObject({ terms: 'session', sessionKey: 'alice' });
    expect(dialog.hidden).toBe(1);
  });

  it('tells the agent displayed before the answer, whenever and however the dialog answers', () => {
    const terms = (sent: readonly { type: string; properties?: unknown }[] = []) =>
      sent
        .filter((m) => m.type === 'signal')
        .map((m) => (m.properties as { status: string }).status);
    // A UI that answers inside show (auto-consent, a kiosk) still showed it.
    const instant = setup({
      ui: {
        show(_request, respond) {
          respond('accepted');
          return undefined;
        },
      },
    });
    instant.connect();
    instant.service.current?.push({ type: 'showTerms', id: 1 });
    expect(terms(instant.service.current?.sent)).toEqual(['displayed', 'accepted']);

    // A dialog that reports its own display, answered by the app before it appeared.
    const later = setup({ ui: { reportsDisplay: true, show: () => undefined } });
    later.connect();
    later.service.current?.push({ type: 'showTerms', id: 1 });
    expect(terms(later.service.current?.sent)).toEqual([]);
    expect(later.visitor.declineTerms()).toBe(true);
    expect(terms(later.service.current?.sent)).toEqual(['displayed', 'declined']);
  });

  it('uses the agent’s session key when it gives one', () => {
    const dialog = manualUI();
    const { service, connect, take } = setup({ ui: dialog.ui });
    connect();
    take();
    service.current?.push({ type: 'showTerms', id: 1, sessionKey: 'case-77' });
    dialog.answer('accepted');
    expect(take().at(-1)).toEqual({
      type: 'sessionStart',
      sessionKey: 'case-77',
      presenceStart: true,
    });
  });

  it('decline signals declined, fires termsDeclined, and starts no session', () => {
    const dialog = manualUI();
    const { visitor, service, connect, take } = setup({ ui: dialog.ui });
    connect();
    take();
    service.current?.push({ type: 'showTerms', id: 4 });
    dialog.answer('declined');
    expect(take()).toEqual([{ type: 'termsDeclined', sessionKey: 'alice' }]);
    expect(service.current?.sent.at(-1)).toEqual({
      type: 'signal',
      name: 'terms',
      properties: { status: 'declined' },
    });
    expect(visitor.getSnapshot()).toMatchObject({ terms: 'declined', sessionKey: undefined });
    // A new request can follow.
    service.current?.push({ type: 'showTerms', id: 5 });
    expect(dialog.shown).toHaveLength(2);
  });

  it('a newer request replaces the open dialog', () => {
    const dialog = manualUI();
    const { service, connect } = setup({ ui: dialog.ui });
    connect();
    service.current?.push({ type: 'showTerms', id: 1, sessionKey: 'one' });
    service.current?.push({ type: 'showTerms', id: 2, sessionKey: 'two' });
    expect(dialog.shown.map((r) => r.sessionKey)).toEqual(['one', 'two']);
    expect(dialog.hidden).toBe(1);
  });

  it('disconnect withdraws an open dialog', () => {
    const dialog = manualUI();
    const { visitor, service, connect } = setup({ ui: dialog.ui });
    connect();
    service.current?.push({ type: 'showTerms', id: 1 });
    visitor.disconnect();
    expect(dialog.hidden).toBe(1);
    expect(visitor.getSnapshot()).toMatchObject({ terms: 'idle', request: undefined });
  });

  it('a request during a session is acknowledged as busy and shows nothing', () => {
    const dialog = manualUI();
    const { service, connect } = setup({ ui: dialog.ui });
    connect();
    service.current?.push({ type: 'showTerms', id: 1 });
    dialog.answer('accepted');
    service.current?.push({ type: 'showTerms', id: 2 });
    expect(dialog.shown).toHaveLength(1);
    expect(service.current?.sent.at(-1)).toEqual({ type: 'ack', id: 2, status: 'busy' });
  });

  it('a dialog that throws hands the request to the app as showTerms', () => {
    const { visitor, service, connect, take } = setup({
      ui: {
        show() {
          throw new Error('no DOM here');
        },
      },
    });
    connect();
    take();
    service.current?.push({ type: 'showTerms', id: 1 });
    expect(take()).toEqual([{ type: 'showTerms', sessionKey: 'alice' }]);
    expect(visitor.getSnapshot().terms).toBe('shown');
  });
});

describe('consent with a custom UI', () => {
  it('setDefaultUI(false): fires showTerms and follows the app’s terms signals and startSession', () => {
    const dialog = manualUI();
    const { visitor, service, connect, take } = setup({ ui: dialog.ui });
    connect();
    visitor.setDefaultUI(false);
    take();
    service.current?.push({ type: 'showTerms', id: 1, sessionKey: 'k1', termsUrl: '/terms' });
    expect(dialog.shown).toEqual([]);
    expect(take()).toEqual([{ type: 'showTerms', sessionKey: 'k1', termsUrl: '/terms' }]);
    expect(visitor.getSnapshot().terms).toBe('shown');
    visitor.signalAgent('terms', { status: 'displayed' });
    expect(visitor.getSnapshot().terms).toBe('shown');
    visitor.signalAgent('terms', { status: 'accepted' });
    expect(visitor.getSnapshot().terms).toBe('accepted');
    expect(take()).toEqual([{ type: 'termsAccepted', sessionKey: 'k1' }]);
    visitor.startSession({ presenceStart: true });
    expect(take()).toEqual([{ type: 'sessionStart', sessionKey: 'k1', presenceStart: true }]);
    visitor.endSession('agent hung up');
    expect(take()).toEqual([{ type: 'sessionEnd', reason: 'agent hung up' }]);
    expect(service.current?.sent.slice(-4)).toEqual([
      { type: 'signal', name: 'terms', properties: { status: 'displayed' } },
      { type: 'signal', name: 'terms', properties: { status: 'accepted' } },
      { type: 'sessionStart', sessionKey: 'k1', presenceStart: true },
      { type: 'sessionEnd', reason: 'agent hung up' },
    ]);
    expect(visitor.getSnapshot().terms).toBe('ended');
  });

  it('without a UI adapter the default UI cannot show, so the app gets showTerms', () => {
    const { service, connect, take } = setup();
    connect();
    take();
    service.current?.push({ type: 'showTerms', id: 1 });
    expect(take()).toEqual([{ type: 'showTerms', sessionKey: 'alice' }]);
  });

  it('custom decline returns to a state that accepts new requests', () => {
    const { visitor, service, connect, take } = setup();
    connect();
    service.current?.push({ type: 'showTerms', id: 1 });
    visitor.signalAgent('terms', { status: 'declined' });
    expect(visitor.getSnapshot().terms).toBe('declined');
    take();
    service.current?.push({ type: 'showTerms', id: 2 });
    expect(take()).toEqual([{ type: 'showTerms', sessionKey: 'alice' }]);
  });
});

describe('consent commands: termsDisplayed, acceptTerms, declineTerms', () => {
  it('a custom UI reports displayed once, and acceptTerms signals and starts the session', () => {
    const { visitor, service, connect, take } = setup();
    connect();
    take();
    service.current?.push({ type: 'showTerms', id: 1, sessionKey: 'k1' });
    const { request } = visitor.getSnapshot();
    expect(request).toEqual({ visitorId: 'alice', sessionKey: 'k1' });
    expect(Object.isFrozen(request)).toBe(true);
    take();
    expect(visitor.termsDisplayed(request)).toBe(true);
    expect(visitor.termsDisplayed()).toBe(true); // reported once, however often it is called
    expect(visitor.getSnapshot().request).toBe(request);
    expect(visitor.acceptTerms(request)).toBe(true);
    expect(take()).toEqual([
      { type: 'termsAccepted', sessionKey: 'k1' },
      { type: 'sessionStart', sessionKey: 'k1', presenceStart: true },
    ]);
    expect(service.current?.sent.slice(-4)).toEqual([
      { type: 'ack', id: 1 },
      { type: 'signal', name: 'terms', properties: { status: 'displayed' } },
      { type: 'signal', name: 'terms', properties: { status: 'accepted' } },
      { type: 'sessionStart', sessionKey: 'k1', presenceStart: true },
    ]);
    expect(visitor.getSnapshot()).toMatchObject({ terms: 'session', sessionKey: 'k1' });
    // Nothing is pending any more: a second click does nothing.
    expect(visitor.acceptTerms()).toBe(false);
    expect(visitor.declineTerms()).toBe(false);
    expect(take()).toEqual([]);
  });

  it('declineTerms signals declined and leaves room for the next request', () => {
    const { visitor, service, connect, take } = setup();
    connect();
    service.current?.push({ type: 'showTerms', id: 1 });
    take();
    expect(visitor.declineTerms()).toBe(true);
    expect(take()).toEqual([{ type: 'termsDeclined', sessionKey: 'alice' }]);
    expect(service.current?.sent.at(-1)).toEqual({
      type: 'signal',
      name: 'terms',
      properties: { status: 'declined' },
    });
    expect(visitor.getSnapshot()).toMatchObject({ terms: 'declined', request: undefined });
    service.current?.push({ type: 'showTerms', id: 2 });
    expect(take()).toEqual([{ type: 'showTerms', sessionKey: 'alice' }]);
  });

  it('a late click bound to a replaced request answers nothing', () => {
    const { visitor, service, connect, take } = setup();
    connect();
    service.current?.push({ type: 'showTerms', id: 1, sessionKey: 'k1' });
    const first = visitor.getSnapshot().request;
    service.current?.push({ type: 'showTerms', id: 2, sessionKey: 'k1' });
    const second = visitor.getSnapshot().request;
    expect(second).not.toBe(first);
    take();
    const sent = service.current?.sent.length;
    expect(visitor.acceptTerms(first)).toBe(false);
    expect(service.current?.sent.length).toBe(sent);
    expect(take()).toEqual([]);
    expect(visitor.acceptTerms(second)).toBe(true);
    expect(visitor.getSnapshot().terms).toBe('session');
  });

  it('acceptTerms answers the default dialog’s request, which closes', () => {
    const dialog = manualUI();
    const { visitor, service, connect, take } = setup({ ui: dialog.ui });
    connect();
    service.current?.push({ type: 'showTerms', id: 1 });
    take();
    expect(visitor.termsDisplayed()).toBe(true); // the dialog already said so
    expect(visitor.acceptTerms()).toBe(true);
    expect(dialog.hidden).toBe(1);
    expect(take()).toEqual([
      { type: 'termsAccepted', sessionKey: 'alice' },
      { type: 'sessionStart', sessionKey: 'alice', presenceStart: true },
    ]);
    expect(
      service.current?.sent.filter((m) => m.type === 'signal').map((m) => m.properties.status),
    ).toEqual(['displayed', 'accepted']);
  });

  it('with nothing pending every command returns false and sends nothing', () => {
    const { visitor, service, connect, take } = setup();
    expect(visitor.acceptTerms()).toBe(false);
    connect();
    take();
    const sent = service.current?.sent.length;
    expect(visitor.termsDisplayed()).toBe(false);
    expect(visitor.acceptTerms()).toBe(false);
    expect(visitor.declineTerms()).toBe(false);
    expect(service.current?.sent.length).toBe(sent);
    expect(take()).toEqual([]);
  });
});

describe('sessions', () => {
  it('startSession defaults to the visitor ID; a second start and a stray end are refused', () => {
    const { visitor, connect, take } = setup();
    connect();
    take();
    visitor.startSession();
    expect(take()).toEqual([{ type: 'sessionStart', sessionKey: 'alice', presenceStart: false }]);
    visitor.startSession({ key: 'other' });
    expect(take()).toEqual([
      expect.objectContaining({ type: 'invalidParameter', param: 'session' }),
    ]);
    visitor.endSession();
    visitor.endSession();
    expect(take()).toEqual([
      { type: 'sessionEnd' },
      expect.objectContaining({ type: 'invalidParameter', param: 'session' }),
    ]);
  });

  it('startSession validates its key and needs init', () => {
    const { visitor, take } = setup();
    visitor.startSession();
    expect(take()).toEqual([expect.objectContaining({ param: 'visitorId' })]);
    visitor.init({ groupId: 'acme', visitorId: 'alice' });
    take();
    visitor.startSession({ key: 'bad key' });
    expect(take()).toEqual([expect.objectContaining({ param: 'key' })]);
  });

  it('a session started offline still starts, and the agent notice fails with sendFail', () => {
    const { visitor, take } = setup();
    visitor.init({ groupId: 'acme', visitorId: 'alice' });
    take();
    visitor.startSession({ key: 'k' });
    expect(take().map((e) => e.type)).toEqual(['sessionStart', 'sendFail']);
  });

  it('a session started before the first connect is announced once connected', () => {
    const { visitor, service, settle } = setup();
    visitor.init({ groupId: 'acme', visitorId: 'alice' });
    visitor.startSession({ key: 'k' });
    visitor.connect();
    settle();
    expect(service.current?.sent).toContainEqual({
      type: 'sessionStart',
      sessionKey: 'k',
      presenceStart: false,
    });
  });
});

describe('tokens', () => {
  it('a token function is asked afresh for every connection attempt', async () => {
    let n = 0;
    const { service, connect, advance } = setup({ token: () => `t${++n}` });
    connect();
    await Promise.resolve();
    await Promise.resolve();
    advance(0);
    expect(service.current?.sent[0]).toMatchObject({ type: 'hello', token: 't1' });
    service.current?.drop();
    advance(250);
    await Promise.resolve();
    await Promise.resolve();
    advance(0);
    expect(service.current?.sent[0]).toMatchObject({ type: 'hello', token: 't2' });
  });

  it('a token function that fails is a connectFail, retried', async () => {
    const { take, connect, visitor } = setup({
      token: () => Promise.reject(new Error('backend down')),
    });
    connect();
    await new Promise((r) => setTimeout(r, 0));
    expect(take().find((e) => e.type === 'connectFail')).toMatchObject({
      reason: 'could not get a token: backend down',
      willRetry: true,
    });
    expect(visitor.getSnapshot().connection).toBe('reconnecting');
  });
});

describe('options and bindings', () => {
  it.each([
    [{}, /transport/],
    [{ transport: 'ws://x' }, /transport/],
    [{ transport: () => ({}), ui: {} }, /ui/],
    [{ transport: () => ({}), token: '' }, /token/],
    [{ transport: () => ({}), heartbeatMs: -1 }, /heartbeatMs/],
    [{ transport: () => ({}), reconnect: { factor: 0.5 } }, /factor/],
    [{ transport: () => ({}), reconnect: { random: 1 } }, /random/],
    [{ transport: () => ({}), bogus: true }, /unknown option "bogus"/],
  ])('createVisitor(%o) throws a TypeError naming the problem', (options, message) => {
    expect(() => createVisitor(options as never)).toThrow(TypeError);
    expect(() => createVisitor(options as never)).toThrow(message);
  });

  it('getSnapshot is a new object only when something changed; subscribe hears changes', () => {
    const { visitor, service, connect } = setup();
    const seen: string[] = [];
    visitor.subscribe((s) => seen.push(s.connection));
    const a = visitor.getSnapshot();
    expect(visitor.getSnapshot()).toBe(a);
    connect();
    const b = visitor.getSnapshot();
    expect(b).not.toBe(a);
    visitor.presence({ url: '/' }); // a send changes no state
    expect(visitor.getSnapshot()).toBe(b);
    expect(seen).toEqual(['initialized', 'connecting', 'connected']);
    service.current?.push({ type: 'blur', epoch: 9 });
    expect(visitor.getSnapshot().focused).toBe(false);
  });

  it('getSnapshot is already current inside event listeners', () => {
    const { visitor, service, connect } = setup();
    const seen: string[] = [];
    visitor.on('connected', () => seen.push(visitor.getSnapshot().connection));
    visitor.on('blur', () => seen.push(String(visitor.getSnapshot().focused)));
    const notified: string[] = [];
    visitor.subscribe((s) => notified.push(`${s.connection}/${s.focused}`));
    connect();
    service.current?.push({ type: 'blur', epoch: 9 });
    expect(seen).toEqual(['connected', 'false']);
    // Reading early in a listener does not swallow the subscriber's notification.
    expect(notified).toEqual([
      'initialized/false',
      'connecting/false',
      'connected/true',
      'connected/false',
    ]);
  });

  it('on() returns a function that stops listening', () => {
    const { visitor, connect } = setup();
    const listener = vi.fn();
    const off = visitor.on('connected', listener);
    off();
    connect();
    expect(listener).not.toHaveBeenCalled();
  });

  it('inspection events reach a Stately inspector', async () => {
    const received: { type: string }[] = [];
    const inspector = createInspector({ send: (event) => received.push(event) });
    const transport: Transport = (handlers) => {
      queueMicrotask(() => handlers.close({ code: 1006, reason: 'offline' }));
      return { readyState: 'connecting', send: () => false, close() {} };
    };
    const visitor = createVisitor({ transport, inspect: inspector.inspect });
    visitor.init({ groupId: 'acme', visitorId: 'alice' });
    // The inspector forwards on an idle callback.
    await vi.waitFor(() => expect(received.length).toBeGreaterThan(2));
    const types = new Set(received.map((e) => e.type));
    expect(types).toContain('@xstate.actor');
    expect(types).toContain('@xstate.event');
    expect(types).toContain('@xstate.snapshot');
    expect(
      received.some(
        (e) =>
          e.type === '@xstate.event' && (e as { event?: { type?: string } }).event?.type === 'INIT',
      ),
    ).toBe(true);
    visitor.actor.stop();
  });
});

describe('many visitors in one process', () => {
  it('share one provided machine, each running its own transport and consent UI', () => {
    const a = setup({ ui: manualUI().ui });
    const bUI = manualUI();
    const b = setup({ ui: bUI.ui });
    const c = setup();
    // Not re-provided per visitor: a provided machine is a whole tree of state nodes.
    expect(a.visitor.actor.logic).toBe(b.visitor.actor.logic);
    expect(c.visitor.actor.logic).toBe(a.visitor.actor.logic);

    a.connect({ groupId: 'acme', visitorId: 'alice' });
    b.connect({ groupId: 'acme', visitorId: 'bob' });
    expect(a.service.connections).toHaveLength(1);
    expect(b.service.connections).toHaveLength(1);
    expect(c.service.connections).toHaveLength(0);
    expect(a.service.current?.sent[0]).toMatchObject({ type: 'hello', visitorId: 'alice' });
    expect(b.service.current?.sent[0]).toMatchObject({ type: 'hello', visitorId: 'bob' });

    // A request to bob shows bob's dialog, and only his.
    b.service.current?.push({ type: 'showTerms', id: 1, sessionKey: 'case-1' });
    b.settle();
    expect(bUI.shown).toEqual([{ sessionKey: 'case-1', visitorId: 'bob' }]);
    expect(a.visitor.getSnapshot().terms).toBe('idle');

    // Stopping one leaves the others running.
    a.visitor.disconnect();
    a.settle();
    expect(a.visitor.getSnapshot().connection).toBe('disconnected');
    expect(b.visitor.getSnapshot().connection).toBe('connected');
  });
});
