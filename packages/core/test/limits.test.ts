import { describe, expect, it } from 'vitest';
import {
  checkId,
  checkPresence,
  checkProperties,
  checkSignal,
  checkText,
  LIMITS,
  STANDARD_PRESENCE_PROPERTIES,
  TERMS_STATUSES,
} from '../src/wire/limits.js';

/** `count` custom properties named c_p00, c_p01, … (5 characters each), each valued `value`. */
function props(count: number, value = 'v'): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < count; i++) out[`c_p${String(i).padStart(2, '0')}`] = value;
  return out;
}

describe('LIMITS', () => {
  it('holds the numbers of the spec', () => {
    expect(LIMITS.maxProperties).toBe(20);
    expect(LIMITS.maxValueLength).toBe(2_000);
    expect(LIMITS.maxTotalLength).toBe(10_000);
    expect(LIMITS.maxNameLength).toBe(64);
    expect(LIMITS.maxIdLength).toBe(62);
  });
});

describe('checkPresence', () => {
  it('accepts an empty map and the standard names', () => {
    expect(checkPresence({})).toBeUndefined();
    expect(checkPresence({ url: '/cart', title: 'Cart', referrer: 'https://x.test/' })).toBe(
      undefined,
    );
    expect(STANDARD_PRESENCE_PROPERTIES).toEqual(['url', 'title', 'referrer']);
  });

  it('accepts 20 properties and refuses 21, naming the map', () => {
    expect(checkPresence(props(20))).toBeUndefined();
    const v = checkPresence(props(21));
    expect(v).toEqual({ param: 'data', reason: expect.stringContaining('21') });
    expect(v?.reason).toContain('at most 20');
  });

  it('accepts a 2,000-character value and refuses 2,001, naming the property', () => {
    expect(checkPresence({ c_note: 'x'.repeat(2_000) })).toBeUndefined();
    const v = checkPresence({ c_note: 'x'.repeat(2_001) });
    expect(v?.param).toBe('data.c_note');
    expect(v?.reason).toMatch(/2001 characters.*at most 2000/);
  });

  it('counts names and values towards the 10,000 total', () => {
    // Five 5-character names (25) plus values summing to 9,975: exactly 10,000.
    const atLimit = props(5, 'x'.repeat(1_995));
    expect(Object.entries(atLimit).reduce((n, [k, v]) => n + k.length + v.length, 0)).toBe(10_000);
    expect(checkPresence(atLimit)).toBeUndefined();

    const over = { ...atLimit, c_p04: 'x'.repeat(1_996) };
    const v = checkPresence(over);
    expect(v?.param).toBe('data');
    expect(v?.reason).toMatch(/10001 characters.*at most 10000/);
  });

  it('counts names, not only values: values alone under the total still fail', () => {
    // Values total 9,999 (under 10,000) but the 5 names push it over.
    const data = props(5, 'x'.repeat(1_999));
    expect(Object.values(data).join('').length).toBeLessThan(10_000);
    expect(checkPresence(data)?.param).toBe('data');
  });

  it('accepts a 64-character name and refuses 65', () => {
    const name64 = `c_${'a'.repeat(62)}`;
    const name65 = `c_${'a'.repeat(63)}`;
    expect(checkPresence({ [name64]: 'v' })).toBeUndefined();
    const v = checkPresence({ [name65]: 'v' });
    expect(v?.param).toBe(`data.${name65}`);
    expect(v?.reason).toMatch(/65 characters.*at most 64/);
  });

  it('refuses a custom name without the c_ prefix and says so', () => {
    const v = checkPresence({ url: '/', plan: 'pro' });
    expect(v?.param).toBe('data.plan');
    expect(v?.reason).toContain('"c_"');
    expect(v?.reason).toContain('"plan"');
  });

  it('refuses names that are unsafe or ill-formed', () => {
    for (const name of ['constructor', 'toString', 'URL', 'Url']) {
      expect(checkPresence({ [name]: 'v' })?.param).toBe(`data.${name}`);
    }
    for (const name of ['', '_c', '1c', 'c-x', 'c_ x', 'c_é', '__proto__']) {
      const data = Object.create(null) as Record<string, string>;
      // defineProperty so "__proto__" becomes an own key, as JSON.parse would make it.
      Object.defineProperty(data, name, { value: 'v', enumerable: true });
      const v = checkPresence(data);
      expect(v?.param, name).toBe(`data.${name}`);
      expect(v?.reason).toContain('start with a letter');
    }
  });

  it.each([
    ['a number', 1],
    ['null', null],
    ['an object', { a: 'b' }],
    ['an array', ['a']],
    ['a boolean', true],
    ['undefined', undefined],
  ])('refuses a value that is %s', (label, value) => {
    const v = checkPresence({ url: '/', c_bad: value });
    expect(v?.param).toBe('data.c_bad');
    expect(v?.reason).toBe(`values must be strings, got ${label}`);
  });

  it.each([
    ['null', null],
    ['an array', []],
    ['a string', 'url=/cart'],
    ['a number', 3],
    ['undefined', undefined],
  ])('refuses data that is %s', (label, value) => {
    expect(checkPresence(value)).toEqual({
      param: 'data',
      reason: `must be an object of string properties, got ${label}`,
    });
  });

  it('refuses class instances and other non-plain objects', () => {
    class Props {
      url = '/';
    }
    expect(checkPresence(new Props())?.param).toBe('data');
    expect(checkPresence(new Map([['url', '/']]))?.param).toBe('data');
    expect(checkPresence(new Date())?.param).toBe('data');
  });

  it('accepts an object without a prototype', () => {
    const data = Object.create(null) as Record<string, string>;
    data.url = '/cart';
    data.c_plan = 'pro';
    expect(checkPresence(data)).toBeUndefined();
  });

  it('ignores symbol and non-enumerable keys, as JSON would', () => {
    const data: Record<string | symbol, unknown> = { url: '/' };
    data[Symbol('x')] = 42;
    Object.defineProperty(data, 'hidden', { value: 1, enumerable: false });
    expect(checkPresence(data)).toBeUndefined();
  });
});

describe('checkProperties', () => {
  it('uses the given param and allowed names', () => {
    expect(checkProperties('props', { status: 'x' }, ['status'])).toBeUndefined();
    expect(checkProperties('props', { url: 'x' }, [])?.param).toBe('props.url');
    expect(checkProperties('props', null, [])?.param).toBe('props');
  });
});

describe('checkSignal', () => {
  it.each(TERMS_STATUSES)('accepts terms with status %s', (status) => {
    expect(checkSignal('terms', { status })).toBeUndefined();
  });

  it.each([
    ['another status', { status: 'maybe' }],
    ['a status in the wrong case', { status: 'Accepted' }],
    ['a non-string status', { status: 1 }],
    ['an extra key', { status: 'accepted', c_x: 'y' }],
    ['no status', {}],
    ['only other keys', { state: 'accepted' }],
  ])('refuses terms with %s', (_label, properties) => {
    const v = checkSignal('terms', properties);
    expect(v?.param).toBe('properties.status');
    expect(v?.reason).toContain('"displayed" | "accepted" | "declined"');
  });

  it.each([null, undefined, 'accepted', ['accepted']])('refuses terms properties %j', (p) => {
    const v = checkSignal('terms', p);
    expect(v?.param).toBe('properties');
    expect(v?.reason).toContain('status');
  });

  it('accepts custom c_ events, with or without properties', () => {
    expect(checkSignal('c_x', {})).toBeUndefined();
    expect(checkSignal('c_cart', { c_items: '3', c_total: '9.99' })).toBeUndefined();
    expect(checkSignal('c_x', undefined)).toBeUndefined();
    expect(checkSignal(`c_${'a'.repeat(62)}`, {})).toBeUndefined();
  });

  it('refuses event names outside the standard and c_ namespaces', () => {
    for (const name of ['x', 'cart', 'C_x', 'c_', 'visitorerror', '']) {
      const v = checkSignal(name, {});
      expect(v?.param, name).toBe('name');
      expect(v?.reason).toContain('"c_"');
    }
  });

  it('refuses a 65-character or ill-formed custom event name', () => {
    const v = checkSignal(`c_${'a'.repeat(63)}`, {});
    expect(v?.param).toBe('name');
    expect(v?.reason).toContain('at most 64');
    expect(checkSignal('c_a b', {})?.param).toBe('name');
    expect(checkSignal('c_a-b', {})?.param).toBe('name');
  });

  it.each([42, null, undefined, {}, ['c_x']])('refuses a non-string name %j', (name) => {
    const v = checkSignal(name, {});
    expect(v?.param).toBe('name');
    expect(v?.reason).toMatch(/^must be a string, got /);
  });

  it('applies the size limits, not the c_ rule, to the properties of custom events', () => {
    // The spec prefixes custom event *names*; their properties belong to the app.
    expect(checkSignal('c_x', { url: '/' })).toBeUndefined();
    expect(checkSignal('c_x', { items: '3' })).toBeUndefined();
    expect(checkSignal('c_x', { c_items: 3 })).toEqual({
      param: 'properties.c_items',
      reason: 'values must be strings, got a number',
    });
    expect(checkSignal('c_x', props(21))?.param).toBe('properties');
    expect(checkSignal('c_x', props(20))).toBeUndefined();
    expect(checkSignal('c_x', { c_a: 'x'.repeat(2_001) })?.param).toBe('properties.c_a');
    expect(checkSignal('c_x', { ['n'.repeat(65)]: 'x' })?.param).toBe(
      `properties.${'n'.repeat(65)}`,
    );
    expect(checkSignal('c_x', 'items=3')?.param).toBe('properties');
  });
});

describe('checkId', () => {
  it('accepts 1 and 62 characters, refuses 0 and 63', () => {
    expect(checkId('visitorId', 'a')).toBeUndefined();
    expect(checkId('visitorId', 'a'.repeat(62))).toBeUndefined();
    expect(checkId('visitorId', '')).toEqual({ param: 'visitorId', reason: 'must not be empty' });
    const v = checkId('groupId', 'a'.repeat(63));
    expect(v?.param).toBe('groupId');
    expect(v?.reason).toMatch(/at most 62 characters, got 63/);
  });

  it.each(['abcxyz', 'ABCXYZ', '0123456789', '___', '~~~', '---', 'Alice_42~x-Y'])(
    'accepts %s',
    (id) => {
      expect(checkId('visitorId', id)).toBeUndefined();
    },
  );

  it.each(['a b', ' a', 'a\n', 'ünïcode', 'a😀', 'a/b', 'a.b', '..', 'a@b', 'a+b', 'a:b', '%41'])(
    'refuses %j, listing the allowed characters',
    (id) => {
      const v = checkId('visitorId', id);
      expect(v?.param).toBe('visitorId');
      expect(v?.reason).toBe('may only contain letters, digits, "_", "~" and "-"');
    },
  );

  it.each([
    ['a number', 42],
    ['null', null],
    ['undefined', undefined],
    ['an object', { id: 'a' }],
    ['an array', ['a']],
  ])('refuses %s', (label, value) => {
    expect(checkId('visitorId', value)).toEqual({
      param: 'visitorId',
      reason: `must be a string, got ${label}`,
    });
  });
});

describe('checkText', () => {
  it('accepts up to 2,000 characters and refuses 2,001', () => {
    expect(checkText('reason', '')).toBeUndefined();
    expect(checkText('reason', 'x'.repeat(2_000))).toBeUndefined();
    const v = checkText('reason', 'x'.repeat(2_001));
    expect(v?.param).toBe('reason');
    expect(v?.reason).toMatch(/at most 2000 characters, got 2001/);
  });

  it('allows undefined only when optional', () => {
    expect(checkText('termsUrl', undefined, { optional: true })).toBeUndefined();
    expect(checkText('termsUrl', undefined)).toEqual({
      param: 'termsUrl',
      reason: 'must be a string, got undefined',
    });
    // Optional means absent, not null.
    expect(checkText('termsUrl', null, { optional: true })?.reason).toBe(
      'must be a string, got null',
    );
  });

  it('enforces a minimum length', () => {
    expect(checkText('sessionKey', 'ab', { min: 2 })).toBeUndefined();
    expect(checkText('sessionKey', 'a', { min: 2 })).toEqual({
      param: 'sessionKey',
      reason: 'must be at least 2 characters',
    });
  });

  it('refuses non-strings', () => {
    expect(checkText('reason', 5)?.reason).toBe('must be a string, got a number');
  });
});
