import { FromAgent, FromVisitor, LIMITS, parseMessage } from '@beckon/core/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hotAgentFrame, hotVisitorFrame } from '../src/hub/hotFrames.js';

// The frame gate accepts frequent frames without zod (src/hub/hotFrames.ts). These
// properties prove that path never disagrees with the schemas: whatever it accepts, the
// schemas accept too, with an equal result; and it does accept the well-formed frames it is
// there for (else it would only cost time).

const runs = Number(process.env.BECKON_MODEL_RUNS ?? 0) > 0 ? 2_000 : 500;

/** As the gate sees a frame: decoded from JSON text. */
const decoded = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

const goodName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,20}$/);
const anyKey = fc.oneof(
  goodName,
  fc.constantFrom('url', 'title', 'referrer', 'status', 'c_x', '_x', '1a', 'a b', ''),
  fc.string({ maxLength: 70 }).map((s) => `c_${s}`),
  fc.string({ minLength: 60, maxLength: 70 }).map((s) => `c_${s.replace(/\W/g, 'a')}`),
  fc.string({ maxLength: 6 }),
);
const anyValue = fc.oneof(
  { weight: 6, arbitrary: fc.string({ maxLength: 20 }) },
  fc.string({ minLength: LIMITS.maxValueLength - 2, maxLength: LIMITS.maxValueLength + 2 }),
  fc.integer(),
  fc.constant(null),
  fc.boolean(),
  fc.array(fc.string(), { maxLength: 2 }),
);
const props = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.dictionary(
      goodName.map((n) => `c_${n}`),
      fc.string({ maxLength: 20 }),
      { maxKeys: 5 },
    ),
  },
  { weight: 4, arbitrary: fc.dictionary(anyKey, anyValue, { maxKeys: 24 }) },
  fc.constantFrom(
    { status: 'accepted' },
    { status: 'displayed' },
    { status: 'nope' },
    { status: 1 },
  ),
  fc.constantFrom(null, [], 'x', 3),
);
const presenceData = fc.oneof(
  fc.dictionary(
    fc.constantFrom('url', 'title', 'referrer', 'c_plan', 'c_step'),
    fc.string({ maxLength: 40 }),
    { maxKeys: 5 },
  ),
  props,
);
const requestId = fc.oneof(
  { weight: 4, arbitrary: fc.nat() },
  fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, -1, 0, 1.5, -0),
  fc.double(),
  fc.string({ maxLength: 3 }),
);
const signalName = fc.oneof(
  fc.constant('terms'),
  goodName.map((n) => `c_${n}`),
  fc.constantFrom('c_', 'terms2', 'cart', 'c_a b', `c_${'x'.repeat(62)}`, `c_${'x'.repeat(63)}`),
  fc.string({ maxLength: 4 }),
  fc.integer(),
);
const visitorId = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_~-]{1,62}$/),
  fc.constantFrom('', 'a b', 'x'.repeat(63), 'ü'),
  fc.integer(),
);
/** Sometimes a key too many, sometimes one missing: zod drops the first, refuses the second. */
const shaped = (fields: Record<string, fc.Arbitrary<unknown>>) =>
  fc
    .tuple(
      fc.record(fields, { requiredKeys: [] }),
      fc.record(fields),
      fc.option(fc.tuple(fc.constantFrom('extra', 'data', 'id', 'type'), anyValue)),
    )
    .chain(([partial, full, extra]) =>
      fc.constantFrom(extra ? { ...full, [extra[0]]: extra[1] } : full, partial, full),
    );

const visitorFrames = fc.oneof(
  shaped({ type: fc.constant('presence'), data: presenceData }),
  shaped({
    type: fc.constant('ack'),
    id: requestId,
    status: fc.constantFrom('busy', 'other', undefined),
  }),
  shaped({ type: fc.constant('visibility'), visible: fc.oneof(fc.boolean(), fc.constant('true')) }),
  shaped({ type: fc.constant('signal'), name: signalName, properties: props }),
  shaped({ type: fc.constantFrom('ping', 'pong', 'blur', 'hello', 'sessionEnd') }),
);
const agentFrames = fc.oneof(
  shaped({
    type: fc.constant('signal'),
    id: requestId,
    visitorId,
    name: signalName,
    properties: props,
  }),
  shaped({ type: fc.constantFrom('ping', 'pong', 'list', 'watch') }),
);

describe('hot frames', () => {
  it('accept only what the visitor schema accepts, with the same result', () => {
    fc.assert(
      fc.property(visitorFrames, (frame) => {
        const value = decoded(frame);
        const hot = hotVisitorFrame(value);
        if (hot === undefined) return;
        const zod = parseMessage(value, FromVisitor);
        expect(zod).toEqual({ ok: true, message: hot });
      }),
      { numRuns: runs * 4 },
    );
  });

  it('accept only what the agent schema accepts, with the same result', () => {
    fc.assert(
      fc.property(agentFrames, (frame) => {
        const value = decoded(frame);
        const hot = hotAgentFrame(value);
        if (hot === undefined) return;
        expect(parseMessage(value, FromAgent)).toEqual({ ok: true, message: hot });
      }),
      { numRuns: runs * 4 },
    );
  });

  it('take every well-formed frame of their kinds, as the schemas read it', () => {
    const props = fc.dictionary(
      goodName.map((n) => `c_${n}`),
      fc.string({ maxLength: 40 }),
      { maxKeys: 5 },
    );
    const frames = fc.oneof(
      fc.record({ type: fc.constant('presence'), data: props }),
      fc.record({ type: fc.constant('ack'), id: fc.nat() }),
      fc.record({ type: fc.constant('ack'), id: fc.nat(), status: fc.constant('busy') }),
      fc.record({ type: fc.constant('visibility'), visible: fc.boolean() }),
      fc.record({
        type: fc.constant('signal'),
        name: goodName.map((n) => `c_${n}`),
        properties: props,
      }),
      fc.record({
        type: fc.constant('signal'),
        name: fc.constant('terms'),
        properties: fc.record({ status: fc.constantFrom('displayed', 'accepted', 'declined') }),
      }),
      fc.record({ type: fc.constantFrom('ping', 'pong') }),
    );
    fc.assert(
      fc.property(frames, (frame) => {
        const value = decoded(frame);
        const zod = parseMessage(value, FromVisitor);
        expect(zod.ok).toBe(true);
        expect(zod).toEqual({ ok: true, message: hotVisitorFrame(value) });
      }),
      { numRuns: runs },
    );
    fc.assert(
      fc.property(
        fc.record({
          type: fc.constant('signal'),
          id: fc.nat(),
          visitorId: fc.stringMatching(/^[A-Za-z0-9_~-]{1,62}$/),
          name: goodName.map((n) => `c_${n}`),
          properties: props,
        }),
        (frame) => {
          const value = decoded(frame);
          expect(parseMessage(value, FromAgent)).toEqual({
            ok: true,
            message: hotAgentFrame(value),
          });
        },
      ),
      { numRuns: runs },
    );
  });

  it('leave unusual frames to the schemas', () => {
    const cases: string[] = [
      '{"type":"presence","data":{"__proto__":"x"}}',
      '{"type":"presence","data":{"url":"/"},"extra":1}',
      '{"type":"presence","data":{"plan":"pro"}}',
      '{"type":"ack","id":-1}',
      '{"type":"ack","id":1,"status":null}',
      '{"type":"ack","id":9007199254740992}',
      '{"type":"signal","name":"c_x"}',
      '{"type":"ping","x":1}',
      '[1]',
      'null',
    ];
    for (const raw of cases) {
      const value = JSON.parse(raw) as unknown;
      expect(hotVisitorFrame(value), raw).toBeUndefined();
    }
    expect(
      hotAgentFrame(
        JSON.parse('{"type":"signal","id":1,"visitorId":"a b","name":"c_x","properties":{}}'),
      ),
    ).toBeUndefined();
  });
});
