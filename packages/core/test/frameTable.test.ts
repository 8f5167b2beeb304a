import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type FieldRule, type FrameTable, parseFrame } from '../src/wire/frameTable.js';
import { parseMessage, ToVisitor } from '../src/wire/protocol.js';
import { TO_VISITOR } from '../src/wire/toVisitor.generated.js';
import { renderFrameTable, tableOf } from './utils/renderFrameTable.js';

// The visitor validates its frames with a table instead of zod (a third of its bundle).
// zod stays the source of truth: the table is generated from the schema, and parseFrame
// must answer exactly what parseMessage does — message or ProtocolError, word for word.

const RUNS = { numRuns: Number(process.env.BECKON_TABLE_RUNS ?? 3_000) };
const MAX = Number.MAX_SAFE_INTEGER;

describe('the generated ToVisitor table', () => {
  it('is what the ToVisitor schema says today (run vitest -u to regenerate)', async () => {
    await expect(renderFrameTable('TO_VISITOR', 'ToVisitor', ToVisitor)).toMatchFileSnapshot(
      '../src/wire/toVisitor.generated.ts',
    );
    expect(TO_VISITOR).toEqual(tableOf(ToVisitor));
  });

  it('refuses to express a schema it cannot check (the generator fails loudly)', async () => {
    const z = await import('zod/mini');
    const odd = z.discriminatedUnion('type', [
      z.object({ type: z.literal('x'), when: z.array(z.string()) }),
    ]);
    expect(() => tableOf(odd)).toThrow(/x\.when: frameTable\.ts cannot express this array/);
  });
});

// ---------------------------------------------------------------------------------------
// Frames built from the table: valid fields, and each way a field can be wrong
// ---------------------------------------------------------------------------------------

const bound = (rule: FieldRule, key: 'min' | 'max') => {
  for (const c of rule.checks ?? []) if (key in c) return (c as Record<string, number>)[key];
  return undefined;
};
const patternOf = (rule: FieldRule) =>
  (rule.checks ?? []).find((c): c is { pattern: RegExp } => 'pattern' in c)?.pattern;

function validValue(rule: FieldRule): fc.Arbitrary<unknown> {
  const min = bound(rule, 'min');
  const max = bound(rule, 'max');
  switch (rule.type) {
    case 'string': {
      const lo = min ?? 0;
      const hi = max ?? 100;
      const pattern = patternOf(rule);
      if (!pattern) {
        return fc.oneof(
          fc.string({ minLength: lo, maxLength: Math.min(hi, lo + 40) }),
          fc.constant('x'.repeat(hi)),
        );
      }
      // The protocol's patterns are one character class repeated: repeat a match to length.
      return fc
        .tuple(fc.stringMatching(pattern), fc.integer({ min: lo, max: Math.min(hi, lo + 40) }))
        .map(([s, n]) => s.repeat(Math.ceil(n / s.length)).slice(0, Math.max(n, 1)))
        .filter((s) => pattern.test(s) && s.length >= lo && s.length <= hi);
    }
    case 'int': {
      const lo = min ?? -MAX;
      const hi = max ?? MAX;
      return fc.oneof(
        fc.constantFrom(lo, hi),
        fc.integer({ min: 0, max: 1_000 }).map((n) => Math.min(lo + n, hi)),
        fc.maxSafeInteger().filter((n) => n >= lo && n <= hi),
      );
    }
    case 'boolean':
      return fc.boolean();
    case 'enum':
      return fc.constantFrom(...(rule.values ?? []));
    case 'record':
      return fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), {
        maxKeys: 4,
        noNullPrototype: true,
      });
  }
}

function invalidValue(rule: FieldRule): fc.Arbitrary<unknown> {
  const min = bound(rule, 'min');
  const max = bound(rule, 'max');
  const near: unknown[] = [null, [], {}, 'x', 1, 1.5, true, '', -1];
  if (rule.type === 'string') {
    if (max !== undefined) near.push('a'.repeat(max + 1));
    if (min !== undefined && min > 0) near.push('a'.repeat(min - 1));
    if (patternOf(rule)) near.push('a b', 'a/b'.repeat(3), '~'.repeat(20), 'é'.repeat(20));
  }
  if (rule.type === 'int') {
    near.push(MAX + 2, -MAX - 2, 1e300, -1e300, -0.5, '3', 0);
    if (min !== undefined) near.push(min - 1);
    if (max !== undefined) near.push(max + 1);
  }
  if (rule.type === 'enum') near.push('nope', 'Malformed', 0);
  if (rule.type === 'record') {
    near.push({ a: 1 }, { b: 'x', 1: 2 }, { a: null }, { a: [] }, { a: 'x', b: {} });
  }
  return fc.oneof(fc.constantFrom(...near), fc.jsonValue({ maxDepth: 2 }));
}

// Values for the spec's content rules, so frames get past the shape into them.
const eventName = fc.stringMatching(/^c_[A-Za-z0-9_]{1,10}$/);
const properties = fc.dictionary(
  fc.oneof(fc.stringMatching(/^c_[A-Za-z0-9_]{0,8}$/), fc.constantFrom('url', '__proto__', '1a')),
  fc.string({ maxLength: 8 }),
  { maxKeys: 4, noNullPrototype: true },
);
const termsUrl = fc.oneof(
  fc.webUrl({ validSchemes: ['http', 'https'] }),
  fc.constantFrom('/terms', '//evil.example', 'javascript:alert(1)', '/\\host', '/a b'),
);
const CONTENT: Record<string, Record<string, fc.Arbitrary<unknown>>> = {
  signal: {
    name: fc.oneof(eventName, fc.constantFrom('terms', 'c_', 'cart')),
    properties: fc.oneof(
      properties,
      fc.constantFrom({ status: 'accepted' }, { status: 'x' }, { status: 'accepted', a: 'b' }),
    ),
  },
  showTerms: { termsUrl },
};

type Change = 'none' | 'invalid' | 'missing' | 'extra' | 'type';

function frameOf(table: FrameTable): fc.Arbitrary<Record<string, unknown>> {
  return fc.constantFrom(...Object.keys(table)).chain((type) => {
    const fields = table[type] ?? {};
    const names = Object.keys(fields);
    const value = (name: string, rule: FieldRule) => {
      const content = CONTENT[type]?.[name];
      return content ? fc.oneof(content, validValue(rule)) : validValue(rule);
    };
    const message = fc.record(
      Object.fromEntries(names.map((n) => [n, value(n, fields[n] as FieldRule)])),
      { requiredKeys: names.filter((n) => !fields[n]?.optional) },
    );
    return fc
      .tuple(
        message,
        fc.constantFrom<Change>('none', 'invalid', 'invalid', 'missing', 'extra', 'type'),
        fc.constantFrom(...(names.length ? names : ['type'])),
        fc.jsonValue({ maxDepth: 1 }),
      )
      .chain(([m, change, name, junk]) => {
        const frame: Record<string, unknown> = { type, ...m };
        const rule = fields[name];
        if (change === 'invalid' && rule) {
          return invalidValue(rule).map((bad) => ({ ...frame, [name]: bad }));
        }
        if (change === 'missing') delete frame[name];
        if (change === 'extra') Object.assign(frame, { [`${name}X`]: junk, constructor: junk });
        if (change === 'type') frame.type = junk;
        return fc.constant(frame);
      });
  });
}

function expectSameAnswer(input: unknown): void {
  expect(parseFrame(input, TO_VISITOR)).toStrictEqual(parseMessage(input, ToVisitor));
}

describe('parseFrame with the ToVisitor table answers as parseMessage with ToVisitor', () => {
  it('on valid and broken frames of every message type, as text and as values', () => {
    fc.assert(
      fc.property(frameOf(TO_VISITOR), (frame) => {
        const text = JSON.stringify(frame);
        expectSameAnswer(text);
        expectSameAnswer(JSON.parse(text));
      }),
      RUNS,
    );
  });

  it('accepts valid frames of every type (the property above is not all refusals)', () => {
    const accepted = new Set<string>();
    fc.assert(
      fc.property(frameOf(TO_VISITOR), (frame) => {
        const result = parseFrame(JSON.stringify(frame), TO_VISITOR);
        if (result.ok) accepted.add((result.message as { type: string }).type);
      }),
      RUNS,
    );
    expect([...accepted].sort()).toEqual(Object.keys(TO_VISITOR).sort());
  });

  it('on any JSON text and any string', () => {
    fc.assert(fc.property(fc.oneof(fc.json({ maxDepth: 3 }), fc.string()), expectSameAnswer), RUNS);
  });

  it('on __proto__ keys in records and at the top', () => {
    for (const frame of [
      '{"type":"signal","id":1,"name":"c_a","properties":{"__proto__":5}}',
      '{"type":"signal","id":1,"name":"c_a","properties":{"__proto__":"x","c_b":"y"}}',
      '{"type":"signal","id":1,"name":"terms","properties":{"__proto__":"x","status":"accepted"}}',
      '{"__proto__":{"type":"blur"},"type":"focus","epoch":2}',
      '{"type":"__proto__"}',
      '{"type":"toString"}',
    ]) {
      expectSameAnswer(frame);
    }
  });

  it('words its refusals as usefully as parseMessage', () => {
    expect(parseFrame('{"type":"blur","epoch":1.5}', TO_VISITOR)).toEqual({
      ok: false,
      error: { code: 'invalidMessage', message: 'epoch: expected int', param: 'epoch' },
    });
    expect(
      parseFrame('{"type":"signal","id":1,"name":"c_a","properties":{"b":1}}', TO_VISITOR),
    ).toEqual({
      ok: false,
      error: {
        code: 'invalidMessage',
        message: 'properties.b: expected string',
        param: 'properties.b',
      },
    });
    expect(parseFrame('nope', TO_VISITOR)).toEqual({
      ok: false,
      error: { code: 'malformed', message: 'frame is not valid JSON' },
    });
  });
});
