import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIMITS, STANDARD_PRESENCE_PROPERTIES, TERMS_STATUSES } from '../src/wire/limits.js';
import {
  type Channel,
  encodeMessage,
  FromAgent,
  FromVisitor,
  type ParseResult,
  PROTOCOL_VERSION,
  parseMessage,
  ToAgent,
  ToVisitor,
} from '../src/wire/protocol.js';

const CHANNELS: [string, Channel][] = [
  ['FromVisitor', FromVisitor],
  ['ToVisitor', ToVisitor],
  ['FromAgent', FromAgent],
  ['ToAgent', ToAgent],
];
const ERROR_CODES = ['malformed', 'invalidMessage', 'invalidParameter', 'tooLarge'];
const RUNS = { numRuns: 500 };

function typesOf(channel: Channel): string[] {
  return channel._zod.def.options.map((o) => String(o._zod.def.shape.type._zod.def.values[0]));
}
const ALL_TYPES = [...new Set(CHANNELS.flatMap(([, c]) => typesOf(c)))];

/** The contract of parseMessage for any input: no throw, and one of two well-formed shapes. */
function expectWellFormed(result: ParseResult<unknown>): void {
  if (result.ok) {
    expect(Object.keys(result)).toEqual(['ok', 'message']);
    expect(typeof (result.message as { type?: unknown }).type).toBe('string');
    return;
  }
  expect(Object.keys(result)).toEqual(['ok', 'error']);
  const { error } = result;
  expect(ERROR_CODES).toContain(error.code);
  expect(typeof error.message).toBe('string');
  expect(error.message.length).toBeGreaterThan(0);
  // Small enough to echo back in an `error` frame, whose text fields are capped.
  expect(error.message.length).toBeLessThanOrEqual(LIMITS.maxTextLength);
  for (const key of Object.keys(error)) expect(['code', 'message', 'param']).toContain(key);
  if ('param' in error) {
    expect(typeof error.param).toBe('string');
    expect(error.param?.length).toBeLessThanOrEqual(LIMITS.maxTextLength);
  }
}

function checkOnEveryChannel(input: unknown): void {
  for (const [, channel] of CHANNELS) expectWellFormed(parseMessage(input, channel));
}

// ---------------------------------------------------------------------------------------
// Arbitrary (mostly invalid) input
// ---------------------------------------------------------------------------------------

const anything = fc.anything({
  maxDepth: 4,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
});

/** Field names the schemas know, plus keys that have bitten JavaScript parsers before. */
const fieldName = fc.oneof(
  fc.constantFrom(
    'id',
    'v',
    'role',
    'groupId',
    'visitorId',
    'visible',
    'token',
    'data',
    'name',
    'properties',
    'status',
    'epoch',
    'sessionKey',
    'termsUrl',
    'code',
    'msg',
    'message',
    'params',
    'param',
    'visitors',
    'visitor',
    'at',
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
  ),
  fc.string({ maxLength: 8 }),
);

/** Values that are sometimes right for some field, so parsing gets past the first check. */
const fieldValue = fc.oneof(
  anything,
  fc.constantFrom('visitor', 'agent', 'busy', 'accepted', 'c_x', 'terms', 'alice', 1, 0, -1, true),
  fc.dictionary(
    fc.constantFrom('url', 'c_a', '__proto__', 'constructor', 'status', 'x'),
    fc.string(),
    {
      maxKeys: 4,
    },
  ),
);

/** An object with a type some channel knows and random other fields. */
const typedObject = fc
  .tuple(fc.constantFrom(...ALL_TYPES), fc.dictionary(fieldName, fieldValue, { maxKeys: 8 }))
  .map(([type, fields]) => ({ ...fields, type }));

/** JSON text with `__proto__` and `constructor` as own keys, as JSON.parse makes them. */
const protoFrame = fc
  .tuple(
    fc.constantFrom(...ALL_TYPES),
    fc.constantFrom('data', 'properties', 'params', 'presence'),
    fc.constantFrom('__proto__', 'constructor', 'prototype'),
    fc.json({ maxDepth: 2 }),
  )
  .map(
    ([type, field, key, json]) =>
      `{"type":"${type}","__proto__":${json},"${field}":{"${key}":${json},"c_a":"b"},"constructor":{"prototype":${json}}}`,
  );

/** Deep nesting in a field, within one frame; JSON.stringify of such a value overflows the stack. */
const deepFrame = fc
  .tuple(
    fc.constantFrom(...ALL_TYPES),
    fc.constantFrom('type', 'data', 'properties', 'id', 'visitors'),
    fc.integer({ min: 1, max: 20_000 }),
    fc.boolean(),
  )
  .map(([type, field, depth, arrays]) => {
    const [open, close] = arrays ? ['[', ']'] : ['{"a":', '}'];
    const nested = `${open.repeat(depth)}1${close.repeat(depth)}`;
    return field === 'type' ? `{"type":${nested}}` : `{"type":"${type}","${field}":${nested}}`;
  });

describe('parseMessage on arbitrary input', () => {
  it('never throws on any value', () => {
    fc.assert(fc.property(anything, checkOnEveryChannel), RUNS);
  });

  it('never throws on any string', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' })), checkOnEveryChannel),
      RUNS,
    );
  });

  it('never throws on any JSON text', () => {
    fc.assert(fc.property(fc.json(), checkOnEveryChannel), RUNS);
  });

  it('never throws on a known type with random fields, as a value or as a frame', () => {
    fc.assert(
      fc.property(typedObject, (object) => {
        checkOnEveryChannel(object);
        let frame: string | undefined;
        try {
          frame = JSON.stringify(object);
        } catch {
          // bigint and friends have no JSON form; the value path above covered them.
        }
        if (frame !== undefined) checkOnEveryChannel(frame);
      }),
      RUNS,
    );
  });

  it('never throws on __proto__ and constructor keys', () => {
    fc.assert(fc.property(protoFrame, checkOnEveryChannel), RUNS);
  });

  it('never throws on deep nesting', () => {
    fc.assert(fc.property(deepFrame, checkOnEveryChannel), { numRuns: 100 });
  });

  it('never throws on truncated or spliced valid frames', () => {
    const frame = encodeMessage({ type: 'presence', data: { url: '/x', c_a: 'b' } });
    fc.assert(
      fc.property(
        fc.nat(frame.length),
        fc.nat(frame.length),
        fc.string({ maxLength: 4 }),
        (cut, at, insert) => {
          checkOnEveryChannel(frame.slice(0, cut));
          checkOnEveryChannel(frame.slice(0, at) + insert + frame.slice(at));
        },
      ),
      RUNS,
    );
  });
});

// ---------------------------------------------------------------------------------------
// Valid messages
// ---------------------------------------------------------------------------------------

const id = fc.stringMatching(/^[A-Za-z0-9_~-]{1,62}$/);
const requestId = fc.maxSafeNat();
const epoch = fc.maxSafeNat();
const text = fc.oneof(
  fc.string({ maxLength: 2_000 }),
  fc.string({ unit: 'binary', maxLength: 1_000 }),
);
// Terms URLs must be http(s) or a site path: a dialog puts them in a link.
const termsUrl = fc.oneof(
  fc.webUrl({ validSchemes: ['http', 'https'] }),
  fc.webPath().map((p) => `/${p.replace(/^\/+/, '')}`),
);
const customName = fc.stringMatching(/^c_[A-Za-z0-9_]{0,62}$/);
const eventName = fc.stringMatching(/^c_[A-Za-z0-9_]{1,62}$/);
// Up to 20 × (64 + 400) = 9,280 UTF-16 units: always inside the 10,000 total.
const value = fc.string({ unit: 'binary', maxLength: 200 });
const presenceData = fc.dictionary(
  fc.oneof(fc.constantFrom(...STANDARD_PRESENCE_PROPERTIES), customName),
  value,
  { maxKeys: LIMITS.maxProperties, noNullPrototype: true },
);
const customProperties = fc.dictionary(customName, value, {
  maxKeys: LIMITS.maxProperties,
  noNullPrototype: true,
});
const signal = fc.oneof(
  fc.record({
    name: fc.constant('terms'),
    properties: fc.record({ status: fc.constantFrom(...TERMS_STATUSES) }),
  }),
  fc.record({ name: eventName, properties: customProperties }),
);

const validFromVisitor = fc.oneof(
  fc.record(
    {
      type: fc.constant('hello' as const),
      v: fc.constant(PROTOCOL_VERSION),
      role: fc.constant('visitor' as const),
      groupId: id,
      visitorId: id,
      token: fc.string({ maxLength: LIMITS.maxTextLength }),
      visible: fc.boolean(),
      pushNotifications: fc.boolean(),
    },
    { requiredKeys: ['type', 'v', 'role', 'groupId', 'visitorId', 'visible'] },
  ),
  fc.record({ type: fc.constant('presence' as const), data: presenceData }),
  signal.map((s) => ({ type: 'signal' as const, ...s })),
  fc.record(
    { type: fc.constant('ack' as const), id: requestId, status: fc.constant('busy' as const) },
    { requiredKeys: ['type', 'id'] },
  ),
  fc.record({ type: fc.constant('sessionEnd' as const), reason: text }, { requiredKeys: ['type'] }),
);

const validToVisitor = fc.oneof(
  fc.record({ type: fc.constantFrom('blur' as const, 'focus' as const), epoch }),
  fc.record(
    { type: fc.constant('showTerms' as const), id: requestId, sessionKey: id, termsUrl },
    { requiredKeys: ['type', 'id'] },
  ),
  signal
    .filter((s) => s.name !== 'terms')
    .chain((s) => requestId.map((n) => ({ type: 'signal' as const, id: n, ...s }))),
);

const validFromAgent = fc.oneof(
  fc.record({ type: fc.constant('lookup' as const), id: requestId, visitorId: id }),
  fc.record(
    { type: fc.constantFrom('watch' as const, 'unwatch' as const), id: requestId, visitorId: id },
    { requiredKeys: ['type', 'id'] },
  ),
  fc.record({
    type: fc.constant('signal' as const),
    id: requestId,
    visitorId: id,
    name: eventName,
    properties: customProperties,
  }),
);

const validToAgent = fc.oneof(
  fc.record({
    type: fc.constant('presence' as const),
    visitorId: id,
    at: fc.maxSafeNat(),
    data: presenceData,
  }),
  fc.record({
    type: fc.constant('visitor' as const),
    id: requestId,
    visitor: fc.option(
      fc.record(
        {
          visitorId: id,
          present: fc.boolean(),
          visibility: fc.constantFrom('visible' as const, 'hidden' as const, 'away' as const),
          presence: presenceData,
          connections: fc.nat(),
          focusedConnectionId: text,
          epoch,
          lastActiveAt: fc.maxSafeNat(),
          sessionKey: id,
        },
        {
          requiredKeys: [
            'visitorId',
            'present',
            'visibility',
            'presence',
            'connections',
            'epoch',
            'lastActiveAt',
          ],
        },
      ),
      { nil: null },
    ),
  }),
);

describe('parseMessage on valid messages', () => {
  it.each([
    ['FromVisitor', FromVisitor, validFromVisitor],
    ['ToVisitor', ToVisitor, validToVisitor],
    ['FromAgent', FromAgent, validFromAgent],
    ['ToAgent', ToAgent, validToAgent],
  ] as [string, Channel, fc.Arbitrary<object>][])(
    '%s accepts and round-trips them',
    (_name, channel, arbitrary) => {
      fc.assert(
        fc.property(arbitrary, (message) => {
          const frame = encodeMessage(message as FromVisitor);
          expect(parseMessage(frame, channel)).toEqual({ ok: true, message });
        }),
        RUNS,
      );
    },
  );

  it('refuses valid presence once a property without the c_ prefix joins it', () => {
    const bare = fc
      .stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,20}$/)
      .filter((n) => !n.startsWith('c_') && !STANDARD_PRESENCE_PROPERTIES.includes(n));
    fc.assert(
      fc.property(presenceData, bare, (data, name) => {
        const result = parseMessage(
          encodeMessage({ type: 'presence', data: { ...data, [name]: 'v' } }),
          FromVisitor,
        );
        // A 21st property trips the count first; either way the refusal is a parameter one.
        expect(result.ok).toBe(false);
        if (!result.ok) {
          expect(result.error.code).toBe('invalidParameter');
          expect([`data.${name}`, 'data']).toContain(result.error.param);
        }
      }),
      RUNS,
    );
  });
});
