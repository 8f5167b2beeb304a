import { STANDARD_PRESENCE_PROPERTIES } from '@beckon/core/protocol';

/** A value the original's `presence({ data })` takes: a flat string or number. */
export type GlanceValue = string | number;

/** The original's presence data: any flat names, string or number values. */
export type GlanceData = Record<string, GlanceValue>;

/** Why data could not be sent: the name at fault and a sentence. */
export interface DataProblem {
  param: string;
  reason: string;
}

// Beckon's property names are a letter, then letters, digits and `_`, at most 64; custom
// ones carry `c_`. An original name keeps its own characters behind that prefix.
const NAME = /^[A-Za-z0-9_]{1,62}$/;

/**
 * The original's flat data in Beckon's namespace, reversibly: `url`, `title` and `referrer`
 * stay as they are, every other name `n` becomes `c_n` (so `c_plan` travels as `c_c_plan`
 * and comes back as `c_plan`), numbers become their decimal text. Objects, arrays, booleans
 * and names Beckon cannot carry are refused, naming the field.
 *
 * @example
 * encodeData({ url: '/cart', mydata: 'abc', items: 3 });
 * // { ok: true, data: { url: '/cart', c_mydata: 'abc', c_items: '3' } }
 */
export function encodeData(
  data: unknown,
): { ok: true; data: Record<string, string> } | ({ ok: false } & DataProblem) {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, param: 'data', reason: 'must be an object of string or number values' };
  }
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(data)) {
    if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) {
      return { ok: false, param: `data.${name}`, reason: 'must be a string or a finite number' };
    }
    if (STANDARD_PRESENCE_PROPERTIES.includes(name)) {
      out[name] = String(value);
    } else if (NAME.test(name)) {
      out[`c_${name}`] = String(value);
    } else {
      return {
        ok: false,
        param: `data.${name}`,
        reason: 'names may hold letters, digits and "_", at most 62 of them',
      };
    }
  }
  return { ok: true, data: out };
}

/**
 * Beckon's presence data back in the original's names: the inverse of {@link encodeData}
 * (values stay text). Names Beckon apps sent without the facade come back as they are.
 *
 * @example
 * decodeData({ url: '/cart', c_mydata: 'abc' }); // { url: '/cart', mydata: 'abc' }
 */
export function decodeData(data: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(data)) {
    out[name.startsWith('c_') ? name.slice(2) : name] = value;
  }
  return out;
}

/** What the original sends on a page's first `presence()`: where the visitor is, and with what. */
export interface PageFacts {
  url: string;
  browser: string;
  browserver: string;
  platform: string;
}

const BROWSERS: readonly [string, RegExp][] = [
  ['Edge', /Edg\/([\d.]+)/],
  ['Opera', /OPR\/([\d.]+)/],
  ['Firefox', /Firefox\/([\d.]+)/],
  ['Chrome', /(?:Chrome|CriOS|HeadlessChrome)\/([\d.]+)/],
  ['Safari', /Version\/([\d.]+).*Safari/],
];

/**
 * The page's URL and the browser, its version and the platform, as the original's first
 * `presence()` of a page reports them (`url`, `browser`, `browserver`, `platform`).
 *
 * @example
 * pageFacts(window); // { url: 'https://shop.example/cart', browser: 'Chrome', browserver: '131.0.0.0', platform: 'Linux x86_64' }
 */
export function pageFacts(win: Pick<Window, 'location' | 'navigator'>): PageFacts {
  const agent = win.navigator.userAgent;
  let browser = 'Other';
  let browserver = '';
  for (const [name, pattern] of BROWSERS) {
    const match = pattern.exec(agent);
    if (match) {
      browser = name;
      browserver = match[1] ?? '';
      break;
    }
  }
  const hints = (win.navigator as Navigator & { userAgentData?: { platform?: string } })
    .userAgentData;
  return {
    url: win.location.href,
    browser,
    browserver,
    platform: hints?.platform || win.navigator.platform || 'unknown',
  };
}
