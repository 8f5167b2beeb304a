import { describe, expect, it } from 'vitest';
import {
  type Channel,
  CloseCode,
  ErrorCode,
  encodeMessage,
  FromAgent,
  FromVisitor,
  isFatalClose,
  LIMITS,
  PROTOCOL_VERSION,
  parseMessage,
  ToAgent,
  ToVisitor,
  type VisitorSummary,
} from '../src/wire/index.js';

// One or more valid examples of every message of every channel. The "covers every type"
// tests below fail when a message type is added without an example here.

/** A subscription as a browser's `PushSubscription.toJSON()` gives it (keys made for the test). */
const PUSH_SUBSCRIPTION = {
  endpoint: 'https://push.example.net/send/abc123',
  keys: {
    p256dh:
      'BID_pbD_s3Ymen4uw5MPAvF91nXrm4hQy7HQvPaYRrFkC3h0NCuSTV2AdhV_FRrTfCoI9iQA-TVlMUlmVV6o2s4',
    auth: 'wLlozSI968YM49UFinNC2g',
  },
};

const fromVisitor: FromVisitor[] = [
  {
    type: 'hello',
    v: PROTOCOL_VERSION,
    role: 'visitor',
    groupId: '20123',
    visitorId: 'alice-42',
    visible: true,
  },
  {
    type: 'hello',
    v: PROTOCOL_VERSION,
    role: 'visitor',
    groupId: '20123',
    visitorId: 'alice-42',
    token: 'eyJhbGciOiJIUzI1NiJ9.e30.sig',
    visible: false,
    pushNotifications: true,
  },
  { type: 'presence', data: { url: '/checkout', title: 'Checkout', c_plan: 'pro' } },
  { type: 'presence', data: {} },
  { type: 'visibility', visible: false },
  { type: 'signal', name: 'terms', properties: { status: 'displayed' } },
  { type: 'signal', name: 'c_cart', properties: { c_items: '3' } },
  { type: 'sessionStart', sessionKey: 'alice-42', presenceStart: true },
  { type: 'sessionEnd' },
  { type: 'sessionEnd', reason: 'visitor ended the session' },
  { type: 'error', code: 'conndrop', msg: 'Connect failed' },
  { type: 'error', code: 'conndrop', msg: 'Connect failed', params: { attempt: '3' } },
  { type: 'ack', id: 7 },
  { type: 'ack', id: 8, status: 'busy' },
  { type: 'sessionTicket', sessionKey: 'alice-42' },
  { type: 'pushSubscribe', subscription: PUSH_SUBSCRIPTION },
  {
    type: 'pushSubscribe',
    subscription: { ...PUSH_SUBSCRIPTION, expiresAt: 1_760_000_000_000 },
  },
  { type: 'pushUnsubscribe', endpoint: PUSH_SUBSCRIPTION.endpoint },
  { type: 'ping' },
  { type: 'pong' },
];

const toVisitor: ToVisitor[] = [
  {
    type: 'welcome',
    v: PROTOCOL_VERSION,
    connectionId: 'c-1',
    focused: true,
    epoch: 4,
    heartbeatMs: 25_000,
  },
  { type: 'blur', epoch: 5 },
  { type: 'focus', epoch: 6 },
  { type: 'showTerms', id: 1 },
  {
    type: 'showTerms',
    id: 2,
    sessionKey: 'case-981',
    termsUrl: 'https://example.com/terms',
  },
  { type: 'signal', id: 3, name: 'c_refresh', properties: { c_reason: 'price changed' } },
  { type: 'error', code: 'invalidParameter', message: 'data.plan needs c_', param: 'data.plan' },
  { type: 'error', code: 'rateLimited', message: 'slow down', retryAfter: 1_500 },
  {
    type: 'sessionTicket',
    sessionKey: 'alice-42',
    ticket: 'kZ0_fQx3-Yb7LmN2pQrStUv',
    expiresAt: 1_760_000_030_000,
  },
  {
    type: 'sessionRefused',
    sessionKey: 'alice-42',
    code: 'forbidden',
    message: 'only the focused instance may open a session',
  },
  {
    type: 'welcome',
    v: PROTOCOL_VERSION,
    connectionId: 'c-1',
    focused: true,
    epoch: 4,
    heartbeatMs: 25_000,
    vapidPublicKey: PUSH_SUBSCRIPTION.keys.p256dh,
  },
  { type: 'pushSubscribed', endpoint: PUSH_SUBSCRIPTION.endpoint },
  {
    type: 'pushRefused',
    endpoint: PUSH_SUBSCRIPTION.endpoint,
    code: 'notConfigured',
    message: 'push is not configured for this group',
  },
  { type: 'ping' },
  { type: 'pong' },
];

const fromAgent: FromAgent[] = [
  { type: 'hello', v: PROTOCOL_VERSION, role: 'agent', groupId: '20123', token: 'jwt' },
  { type: 'list', id: 1 },
  { type: 'list', id: 1, after: 'alice-42', limit: 1_000 },
  { type: 'lookup', id: 2, visitorId: 'alice-42' },
  { type: 'watch', id: 3 },
  { type: 'watch', id: 4, visitorId: 'alice-42' },
  { type: 'unwatch', id: 5 },
  { type: 'unwatch', id: 6, visitorId: 'alice-42' },
  { type: 'showTerms', id: 7, visitorId: 'alice-42' },
  {
    type: 'showTerms',
    id: 8,
    visitorId: 'alice-42',
    sessionKey: 'case-981',
    termsUrl: 'https://example.com/terms',
  },
  { type: 'signal', id: 9, visitorId: 'alice-42', name: 'c_refresh', properties: {} },
  { type: 'joinSession', id: 10, sessionKey: 'alice-42' },
  { type: 'ping' },
  { type: 'pong' },
];

const summary: VisitorSummary = {
  visitorId: 'alice-42',
  present: true,
  visibility: 'visible',
  presence: { url: '/checkout' },
  connections: 2,
  focusedConnectionId: 'c-1',
  epoch: 4,
  lastActiveAt: 1_760_000_000_000,
  sessionKey: 'alice-42',
};
const at = 1_760_000_000_000;

const toAgent: ToAgent[] = [
  { type: 'welcome', v: PROTOCOL_VERSION, connectionId: 'a-1', groupId: '20123', heartbeatMs: 1 },
  {
    type: 'visitors',
    id: 1,
    visitors: [
      summary,
      {
        visitorId: 'bob',
        present: false,
        visibility: 'away',
        presence: {},
        connections: 0,
        epoch: 0,
        lastActiveAt: 0,
      },
    ],
  },
  { type: 'visitors', id: 2, visitors: [] },
  { type: 'visitors', id: 2, visitors: [summary], next: 'alice-42' },
  { type: 'visitor', id: 3, visitor: summary },
  { type: 'visitor', id: 4, visitor: null },
  { type: 'ok', id: 5 },
  { type: 'delivered', id: 6, connectionId: 'c-1', epoch: 4 },
  { type: 'delivered', id: 12, connectionId: 'c-1', epoch: 4, woken: true },
  { type: 'failed', id: 13, code: 'visitorAsleep', message: 'did not come back' },
  { type: 'waking', id: 14, devices: 2, waitMs: 30_000 },
  { type: 'push', visitorId: 'alice-42', at, status: 'sent', devices: 2 },
  { type: 'push', visitorId: 'alice-42', at, status: 'unanswered', devices: 2 },
  { type: 'failed', id: 7, code: 'visitorNotPresent', message: 'alice-42 is not present' },
  { type: 'failed', id: 8, code: 'busy', message: 'in a session', param: 'visitorId' },
  { type: 'failed', id: 9, code: 'rateLimited', message: 'wait', retryAfter: 60_000 },
  { type: 'presence', visitorId: 'alice-42', at, data: { url: '/cart' } },
  { type: 'visibility', visitorId: 'alice-42', at, visibility: 'hidden' },
  { type: 'visitorConnected', visitorId: 'alice-42', at, connections: 1 },
  { type: 'connections', visitorId: 'alice-42', at, connections: 2 },
  { type: 'visitorDisconnected', visitorId: 'alice-42', at },
  { type: 'focus', visitorId: 'alice-42', at, connectionId: 'c-2', epoch: 5 },
  { type: 'terms', visitorId: 'alice-42', at, status: 'accepted' },
  { type: 'sessionStart', visitorId: 'alice-42', at, sessionKey: 'alice-42' },
  { type: 'sessionEnd', visitorId: 'alice-42', at },
  { type: 'sessionEnd', visitorId: 'alice-42', at, reason: 'ended' },
  { type: 'visitorError', visitorId: 'alice-42', at, code: 'conndrop', msg: 'Connect failed' },
  {
    type: 'visitorError',
    visitorId: 'alice-42',
    at,
    code: 'conndrop',
    msg: 'Connect failed',
    params: { a: 'b' },
  },
  { type: 'signal', visitorId: 'alice-42', at, name: 'c_cart', properties: { c_items: '2' } },
  { type: 'error', code: 'unauthorized', message: 'token expired' },
  {
    type: 'sessionTicket',
    id: 10,
    sessionKey: 'alice-42',
    visitorId: 'alice-42',
    ticket: 'kZ0_fQx3-Yb7LmN2pQrStUv',
    expiresAt: 1_760_000_030_000,
  },
  { type: 'failed', id: 11, code: 'sessionNotFound', message: 'no session has this key' },
  { type: 'ping' },
  { type: 'pong' },
];

const channels: [string, Channel, readonly { type: string }[]][] = [
  ['FromVisitor', FromVisitor, fromVisitor],
  ['ToVisitor', ToVisitor, toVisitor],
  ['FromAgent', FromAgent, fromAgent],
  ['ToAgent', ToAgent, toAgent],
];

/** The `type` literals a channel's discriminated union accepts, read from the schema. */
function typesOf(channel: Channel): string[] {
  return channel._zod.def.options.map((option) => {
    const literal = option._zod.def.shape.type._zod.def.values[0];
    return String(literal);
  });
}

function refusal(input: unknown, channel: Channel) {
  const result = parseMessage(input, channel);
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.message)}`);
  return result.error;
}

describe.each(channels)('%s', (_name, channel, examples) => {
  it('has an example of every message type', () => {
    expect(new Set(examples.map((m) => m.type))).toEqual(new Set(typesOf(channel)));
  });

  it.each(examples.map((m) => [m.type, m] as const))('round-trips %s', (_type, message) => {
    const frame = encodeMessage(message as FromVisitor);
    expect(JSON.parse(frame)).toEqual(message);
    expect(parseMessage(frame, channel)).toEqual({ ok: true, message });
    // Already-decoded values take the same path.
    expect(parseMessage(JSON.parse(frame), channel)).toEqual({ ok: true, message });
  });

  it('refuses an unknown, missing or ill-typed type, naming "type"', () => {
    expect(refusal('{"type":"nope"}', channel)).toEqual({
      code: 'invalidMessage',
      message: 'unknown message type "nope"',
      param: 'type',
    });
    expect(refusal('{}', channel)).toMatchObject({ code: 'invalidMessage', param: 'type' });
    expect(refusal('{"type":1}', channel).message).toBe(
      'message type must be a string, got number',
    );
    expect(refusal('{"type":"PING"}', channel).param).toBe('type');
  });

  it('quotes at most 64 characters of an unknown type', () => {
    const error = refusal(encodeMessage({ type: 'x'.repeat(10_000) } as never), channel);
    expect(error.message.length).toBeLessThan(100);
  });

  it.each([
    ['', 'not JSON'],
    ['{', 'not JSON'],
    ["{'type':'ping'}", 'not JSON'],
    ['ping', 'not JSON'],
    ['{"type":"ping"} trailing', 'not JSON'],
    ['1', 'not an object'],
    ['"ping"', 'not an object'],
    ['[{"type":"ping"}]', 'not an object'],
    ['null', 'not an object'],
    ['true', 'not an object'],
  ])('calls %j malformed (%s)', (frame) => {
    expect(refusal(frame, channel).code).toBe('malformed');
  });

  it.each([undefined, null, 42, true, [], [{ type: 'ping' }]])(
    'calls the decoded value %j malformed',
    (value) => {
      expect(refusal(value, channel)).toEqual({
        code: 'malformed',
        message: 'frame must be a JSON object',
      });
    },
  );

  it('reads a frame of exactly maxFrameBytes and refuses one more', () => {
    const base = '{"type":"ping"}';
    const atLimit = base + ' '.repeat(LIMITS.maxFrameBytes - base.length);
    expect(parseMessage(atLimit, channel)).toEqual({ ok: true, message: { type: 'ping' } });
    const error = refusal(`${atLimit} `, channel);
    expect(error.code).toBe('tooLarge');
    expect(error.message).toContain(String(LIMITS.maxFrameBytes));
  });

  it('ignores fields it does not know, so peers can add them', () => {
    expect(parseMessage('{"type":"ping","extra":[1,2],"__proto__":{"x":1}}', channel)).toEqual({
      ok: true,
      message: { type: 'ping' },
    });
  });
});

describe('missing and ill-typed fields name the param', () => {
  const cases: [string, Channel, unknown, string][] = [
    [
      'hello without visitorId',
      FromVisitor,
      { type: 'hello', v: 1, role: 'visitor', groupId: 'g', visible: true },
      'visitorId',
    ],
    [
      'hello with a bad visitorId',
      FromVisitor,
      { type: 'hello', v: 1, role: 'visitor', groupId: 'g', visitorId: 'a b', visible: true },
      'visitorId',
    ],
    [
      'hello with a 63-character groupId',
      FromVisitor,
      {
        type: 'hello',
        v: 1,
        role: 'visitor',
        groupId: 'g'.repeat(63),
        visitorId: 'a',
        visible: true,
      },
      'groupId',
    ],
    [
      'hello with a string version',
      FromVisitor,
      { type: 'hello', v: '1', role: 'visitor', groupId: 'g', visitorId: 'a', visible: true },
      'v',
    ],
    [
      'hello with a fractional version',
      FromVisitor,
      { type: 'hello', v: 1.5, role: 'visitor', groupId: 'g', visitorId: 'a', visible: true },
      'v',
    ],
    [
      'hello without visible',
      FromVisitor,
      { type: 'hello', v: 1, role: 'visitor', groupId: 'g', visitorId: 'a' },
      'visible',
    ],
    [
      'hello with the agent role',
      FromVisitor,
      { type: 'hello', v: 1, role: 'agent', groupId: 'g', visitorId: 'a', visible: true },
      'role',
    ],
    [
      'hello with a null token',
      FromVisitor,
      {
        type: 'hello',
        v: 1,
        role: 'visitor',
        groupId: 'g',
        visitorId: 'a',
        visible: true,
        token: null,
      },
      'token',
    ],
    ['presence without data', FromVisitor, { type: 'presence' }, 'data'],
    ['presence with array data', FromVisitor, { type: 'presence', data: ['a'] }, 'data'],
    [
      'presence with a number value',
      FromVisitor,
      { type: 'presence', data: { url: 1 } },
      'data.url',
    ],
    ['visibility as a string', FromVisitor, { type: 'visibility', visible: 'yes' }, 'visible'],
    ['signal without properties', FromVisitor, { type: 'signal', name: 'c_x' }, 'properties'],
    [
      'signal with an empty name',
      FromVisitor,
      { type: 'signal', name: '', properties: {} },
      'name',
    ],
    [
      'sessionStart with a bad key',
      FromVisitor,
      { type: 'sessionStart', sessionKey: 'a/b', presenceStart: true },
      'sessionKey',
    ],
    [
      'sessionEnd with a long reason',
      FromVisitor,
      { type: 'sessionEnd', reason: 'r'.repeat(2_001) },
      'reason',
    ],
    ['error without msg', FromVisitor, { type: 'error', code: 'conndrop' }, 'msg'],
    ['ack with a negative id', FromVisitor, { type: 'ack', id: -1 }, 'id'],
    ['ack with a fractional id', FromVisitor, { type: 'ack', id: 1.5 }, 'id'],
    ['ack with an unsafe id', FromVisitor, { type: 'ack', id: 2 ** 53 }, 'id'],
    ['ack with a string id', FromVisitor, { type: 'ack', id: '1' }, 'id'],
    ['ack with another status', FromVisitor, { type: 'ack', id: 1, status: 'done' }, 'status'],
    [
      'welcome without epoch',
      ToVisitor,
      { type: 'welcome', v: 1, connectionId: 'c', focused: true, heartbeatMs: 1 },
      'epoch',
    ],
    ['blur with a negative epoch', ToVisitor, { type: 'blur', epoch: -1 }, 'epoch'],
    ['showTerms without id', ToVisitor, { type: 'showTerms' }, 'id'],
    [
      'error with an unknown code',
      ToVisitor,
      { type: 'error', code: 'oops', message: 'm' },
      'code',
    ],
    [
      'error with a negative retryAfter',
      ToVisitor,
      { type: 'error', code: 'rateLimited', message: 'm', retryAfter: -5 },
      'retryAfter',
    ],
    [
      'agent hello without token',
      FromAgent,
      { type: 'hello', v: 1, role: 'agent', groupId: 'g' },
      'token',
    ],
    [
      'agent hello with an empty token',
      FromAgent,
      { type: 'hello', v: 1, role: 'agent', groupId: 'g', token: '' },
      'token',
    ],
    ['lookup without visitorId', FromAgent, { type: 'lookup', id: 1 }, 'visitorId'],
    [
      'showTerms with a long termsUrl',
      FromAgent,
      { type: 'showTerms', id: 1, visitorId: 'a', termsUrl: 'u'.repeat(2_001) },
      'termsUrl',
    ],
    ['list without id', FromAgent, { type: 'list' }, 'id'],
    ['list with a limit of 0', FromAgent, { type: 'list', id: 1, limit: 0 }, 'limit'],
    ['list with a limit over the page', FromAgent, { type: 'list', id: 1, limit: 1_001 }, 'limit'],
    ['list after a bad ID', FromAgent, { type: 'list', id: 1, after: 'a b' }, 'after'],
    [
      'visitors with a bad next',
      ToAgent,
      { type: 'visitors', id: 1, visitors: [], next: '' },
      'next',
    ],
    [
      'visitors with a bad summary',
      ToAgent,
      { type: 'visitors', id: 1, visitors: [{ ...summary, visibility: 'gone' }] },
      'visitors.0.visibility',
    ],
    ['visitor left out', ToAgent, { type: 'visitor', id: 1 }, 'visitor'],
    [
      'delivered without connectionId',
      ToAgent,
      { type: 'delivered', id: 1, epoch: 0 },
      'connectionId',
    ],
    ['an event without at', ToAgent, { type: 'visitorDisconnected', visitorId: 'a' }, 'at'],
    [
      'terms with another status',
      ToAgent,
      { type: 'terms', visitorId: 'a', at: 0, status: 'maybe' },
      'status',
    ],
  ];

  it.each(cases)('%s', (_label, channel, input, param) => {
    const error = refusal(input, channel);
    expect(error.code).toBe('invalidMessage');
    expect(error.param).toBe(param);
    expect(error.message.startsWith(`${param}: `)).toBe(true);
    // zod/mini's own wording is "Invalid input" for everything; ours says what was wrong.
    expect(error.message).not.toContain('Invalid input');
  });

  it('explains what was expected', () => {
    expect(refusal({ type: 'visibility', visible: 'yes' }, FromVisitor).message).toBe(
      'visible: expected boolean',
    );
    expect(refusal({ type: 'sessionEnd', reason: 'r'.repeat(2_001) }, FromVisitor).message).toBe(
      'reason: must be at most 2000 characters',
    );
    expect(refusal({ type: 'ack', id: 1, status: 'done' }, FromVisitor).message).toBe(
      'status: must be one of "busy"',
    );
    expect(refusal({ type: 'lookup', id: 1, visitorId: 'a.b' }, FromAgent).message).toContain(
      'visitorId: must match',
    );
  });
});

describe('content rules', () => {
  it('refuses a push subscription no browser would make, naming the part at fault', () => {
    const keys = PUSH_SUBSCRIPTION.keys;
    const cases: [unknown, string][] = [
      [{ ...PUSH_SUBSCRIPTION, endpoint: 'javascript:alert(1)' }, 'subscription.endpoint'],
      [{ ...PUSH_SUBSCRIPTION, endpoint: 'https://a.test/x y' }, 'subscription.endpoint'],
      [{ ...PUSH_SUBSCRIPTION, endpoint: '/relative' }, 'subscription.endpoint'],
      [{ ...PUSH_SUBSCRIPTION, keys: { ...keys, p256dh: 'AAAA' } }, 'subscription.keys.p256dh'],
      // 65 bytes, but not an uncompressed point (0x04 first).
      [
        { ...PUSH_SUBSCRIPTION, keys: { ...keys, p256dh: `A${keys.p256dh.slice(1)}` } },
        'subscription.keys.p256dh',
      ],
      [
        { ...PUSH_SUBSCRIPTION, keys: { ...keys, auth: `${keys.auth}AA` } },
        'subscription.keys.auth',
      ],
    ];
    for (const [subscription, param] of cases) {
      expect(refusal({ type: 'pushSubscribe', subscription }, FromVisitor)).toMatchObject({
        code: 'invalidParameter',
        param,
      });
    }
    // Shape errors (a key that is not URL-safe base64) are the schema's.
    expect(
      refusal(
        {
          type: 'pushSubscribe',
          subscription: { ...PUSH_SUBSCRIPTION, keys: { ...keys, auth: 'a+b/' } },
        },
        FromVisitor,
      ),
    ).toMatchObject({ code: 'invalidMessage', param: 'subscription.keys.auth' });
  });

  it('refuses terms URLs a link must not carry, on both channels that carry them', () => {
    for (const termsUrl of ['javascript:alert(1)', 'data:text/html,x', '//evil.test/t', 'terms']) {
      expect(refusal({ type: 'showTerms', id: 1, termsUrl }, ToVisitor)).toMatchObject({
        code: 'invalidParameter',
        param: 'termsUrl',
      });
      expect(
        refusal({ type: 'showTerms', id: 1, visitorId: 'a', termsUrl }, FromAgent),
      ).toMatchObject({ code: 'invalidParameter', param: 'termsUrl' });
    }
    for (const termsUrl of ['https://acme.test/terms?x=1', 'http://a.test', '/terms', '/t/1#s']) {
      expect(parseMessage({ type: 'showTerms', id: 1, termsUrl }, ToVisitor).ok).toBe(true);
    }
  });

  it('refuses presence over the limits as invalidParameter, naming the param', () => {
    const tooMany = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`c_${i}`, 'v']));
    const cases: [unknown, string][] = [
      [{ plan: 'pro' }, 'data.plan'],
      [{ c_note: 'x'.repeat(LIMITS.maxValueLength + 1) }, 'data.c_note'],
      [{ [`c_${'n'.repeat(63)}`]: 'v' }, `data.c_${'n'.repeat(63)}`],
      [tooMany, 'data'],
      [
        Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`c_${i}`, 'x'.repeat(1_700)])),
        'data',
      ],
    ];
    for (const [data, param] of cases) {
      for (const channel of [FromVisitor, ToAgent] as Channel[]) {
        const message =
          channel === FromVisitor
            ? { type: 'presence', data }
            : { type: 'presence', visitorId: 'a', at: 0, data };
        const error = refusal(encodeMessage(message as FromVisitor), channel);
        expect(error.code).toBe('invalidParameter');
        expect(error.param).toBe(param);
        expect(error.message.startsWith(param)).toBe(true);
      }
    }
  });

  it('refuses a "__proto__" property instead of dropping it silently', () => {
    const error = refusal('{"type":"presence","data":{"url":"/","__proto__":"x"}}', FromVisitor);
    expect(error).toMatchObject({ code: 'invalidParameter', param: 'data.__proto__' });
    const signal = refusal(
      '{"type":"signal","name":"c_x","properties":{"__proto__":"x"}}',
      FromVisitor,
    );
    expect(signal).toMatchObject({ code: 'invalidParameter', param: 'properties.__proto__' });
  });

  it('checks signals on every channel that carries them', () => {
    expect(refusal({ type: 'signal', name: 'cart', properties: {} }, FromVisitor)).toMatchObject({
      code: 'invalidParameter',
      param: 'name',
    });
    expect(
      refusal({ type: 'signal', name: 'terms', properties: { status: 'maybe' } }, FromVisitor),
    ).toMatchObject({ code: 'invalidParameter', param: 'properties.status' });
    expect(
      refusal({ type: 'signal', id: 1, visitorId: 'a', name: 'refresh', properties: {} }, FromAgent)
        .param,
    ).toBe('name');
    expect(
      refusal(
        { type: 'signal', id: 1, name: 'c_x', properties: { x: 'y'.repeat(2_001) } },
        ToVisitor,
      ).param,
    ).toBe('properties.x');
    expect(
      refusal({ type: 'signal', visitorId: 'a', at: 0, name: 'x', properties: {} }, ToAgent).param,
    ).toBe('name');
  });
});

describe('channels', () => {
  const byName = { FromVisitor, ToVisitor, FromAgent, ToAgent };
  const all = Object.entries(byName) as [keyof typeof byName, Channel][];
  const examplesOf = {
    FromVisitor: fromVisitor,
    ToVisitor: toVisitor,
    FromAgent: fromAgent,
    ToAgent: toAgent,
  };

  it('refuses on another channel every type that channel does not carry', () => {
    let checked = 0;
    for (const [from, examples] of Object.entries(examplesOf)) {
      for (const [to, channel] of all) {
        if (to === from) continue;
        const types = new Set(typesOf(channel));
        for (const message of examples as { type: string }[]) {
          if (types.has(message.type)) continue;
          checked++;
          const error = refusal(encodeMessage(message as FromVisitor), channel);
          expect(error, `${message.type} from ${from} on ${to}`).toMatchObject({
            code: 'invalidMessage',
            param: 'type',
          });
        }
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('refuses shared type names whose shape belongs to another channel', () => {
    // welcome is service → client only.
    expect(refusal(encodeMessage(toVisitor[0] as ToVisitor), FromVisitor).param).toBe('type');
    // An agent hello is no visitor hello, and the other way round.
    expect(refusal(encodeMessage(fromAgent[0] as FromAgent), FromVisitor).param).toBe('role');
    expect(refusal(encodeMessage(fromVisitor[0] as FromVisitor), FromAgent).param).toBe('role');
    // A visitor's presence lacks the visitorId and time the agent sees.
    expect(refusal(encodeMessage(fromVisitor[2] as FromVisitor), ToAgent).param).toBe('visitorId');
    // A visitor's signal has no request id; an agent's names the visitor.
    expect(refusal(encodeMessage(fromVisitor[5] as FromVisitor), ToVisitor).param).toBe('id');
    expect(refusal(encodeMessage(toVisitor[5] as ToVisitor), FromAgent).param).toBe('visitorId');
    // A service error carries a typed code; a visitor error names its own code and msg.
    expect(refusal(encodeMessage(fromVisitor[10] as FromVisitor), ToVisitor).param).toBe('code');
    // The agent's welcome names the group; the visitor's says whether it holds focus.
    expect(refusal(encodeMessage(toAgent[0] as ToAgent), ToVisitor).param).toBe('focused');
  });
});

describe('parseMessage never throws on hostile values', () => {
  it('reports a throwing getter as malformed', () => {
    const hostile = {
      get type(): string {
        throw new Error('boom');
      },
    };
    expect(refusal(hostile, FromVisitor).code).toBe('malformed');
  });

  it('reports a revoked proxy as malformed', () => {
    const { proxy, revoke } = Proxy.revocable({ type: 'ping' }, {});
    revoke();
    expect(refusal(proxy, ToAgent).code).toBe('malformed');
  });

  it('describes a bigint, cyclic or deeply nested type without serialising it', () => {
    expect(refusal({ type: 10n }, FromVisitor).message).toBe(
      'message type must be a string, got bigint',
    );
    const cyclic: Record<string, unknown> = {};
    cyclic.type = cyclic;
    expect(refusal(cyclic, FromAgent).param).toBe('type');
    const depth = 30_000;
    const deep = `{"type":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    expect(deep.length).toBeLessThanOrEqual(LIMITS.maxFrameBytes);
    expect(refusal(deep, ToVisitor)).toEqual({
      code: 'invalidMessage',
      message: 'message type must be a string, got object',
      param: 'type',
    });
  });
});

describe('ErrorCode', () => {
  it('maps every name to itself', () => {
    for (const [name, code] of Object.entries(ErrorCode)) expect(code).toBe(name);
  });
});

describe('isFatalClose', () => {
  const expected: Record<keyof typeof CloseCode, boolean> = {
    normal: false,
    goingAway: false,
    abnormal: false,
    tooLarge: false,
    tryAgainLater: false,
    badRequest: true,
    unauthorized: true,
    forbidden: true,
    notConfigured: true,
    unsupportedVersion: true,
    handshakeTimeout: false,
    rateLimited: false,
    reconnect: false,
    heartbeatTimeout: false,
    unavailable: false,
  };

  it.each(Object.entries(CloseCode))('%s (%i)', (name, code) => {
    expect(name in expected).toBe(true);
    expect(isFatalClose(code)).toBe(expected[name as keyof typeof CloseCode]);
  });

  it('classifies by range: 4000–4099 final, everything else retryable', () => {
    expect(isFatalClose(3999)).toBe(false);
    expect(isFatalClose(4000)).toBe(true);
    expect(isFatalClose(4099)).toBe(true);
    expect(isFatalClose(4100)).toBe(false);
    expect(isFatalClose(4999)).toBe(false);
    expect(isFatalClose(1006)).toBe(false);
    expect(isFatalClose(1011)).toBe(false);
  });

  it('gives every close code its own number', () => {
    expect(new Set(Object.values(CloseCode)).size).toBe(Object.keys(CloseCode).length);
  });
});
