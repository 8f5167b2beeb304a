/**
 * Input rules of One-Click Connect, shared by the visitor client (checked before anything
 * is sent) and the presence service (checked again on receipt, because clients can lie).
 *
 * Lengths are counted in UTF-16 code units (`String.prototype.length`), the unit every
 * JavaScript runtime and the original SDKs use.
 */

/** Every numeric limit Beckon enforces, in one place. */
export const LIMITS = {
  /** Most properties one `presence()` call (or one signal) may carry. */
  maxProperties: 20,
  /** Longest value of one property. */
  maxValueLength: 2_000,
  /** Longest property name. */
  maxNameLength: 64,
  /** Total size of one property map: every name plus every value. */
  maxTotalLength: 10_000,
  /** Longest visitor or group ID. */
  maxIdLength: 62,
  /** Longest terms URL or free-text reason. (Session keys follow the ID rule.) */
  maxTextLength: 2_000,
  /**
   * Largest frame the service reads. The property limits allow roughly 12 KiB of JSON,
   * so 64 KiB leaves room for escaping without letting a client make the service buffer
   * megabytes.
   */
  maxFrameBytes: 64 * 1024,
  /**
   * Most visitors one `list` page may ask for. The service also stops a page early when the
   * next visitor would take the reply past {@link LIMITS.maxFrameBytes}, so a page of
   * visitors with large presence data holds fewer.
   */
  maxListPage: 1_000,
} as const;

/** Standard presence property names; anything else must carry the `c_` prefix. */
export const STANDARD_PRESENCE_PROPERTIES: readonly string[] = ['url', 'title', 'referrer'];

/** Event names of `signalAgent` that standard agent integrations understand. */
export const STANDARD_SIGNALS: readonly string[] = ['terms'];

/** The statuses of the standard `terms` signal. */
export const TERMS_STATUSES = ['displayed', 'accepted', 'declined'] as const;
export type TermsStatus = (typeof TERMS_STATUSES)[number];

/** Prefix that keeps app-defined names out of the standard namespace. */
export const CUSTOM_PREFIX = 'c_';

/** Why an input was refused: the parameter at fault and a sentence a developer can act on. */
export interface Violation {
  param: string;
  reason: string;
}

// The original SDK's visitor ID alphabet: letters, digits, underscore, tilde and hyphen.
const ID_PATTERN = /^[A-Za-z0-9_~-]+$/;
// Property and event names: a letter first, then word characters. Keeps names safe to show
// and to use as object keys (no "__proto__"-style surprises beyond what we reject below).
const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]*$/;

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return `${type === 'object' ? 'an' : 'a'} ${type}`;
}

/**
 * Checks a visitor or group ID: 1–62 characters of `[A-Za-z0-9_~-]`.
 *
 * @example
 * checkId('visitorId', 'alice-42'); // undefined — fine
 * checkId('visitorId', 'a b');      // { param: 'visitorId', reason: '…' }
 */
export function checkId(param: string, value: unknown): Violation | undefined {
  if (typeof value !== 'string')
    return { param, reason: `must be a string, got ${describe(value)}` };
  if (value.length === 0) return { param, reason: 'must not be empty' };
  if (value.length > LIMITS.maxIdLength) {
    return {
      param,
      reason: `must be at most ${LIMITS.maxIdLength} characters, got ${value.length}`,
    };
  }
  if (!ID_PATTERN.test(value)) {
    return { param, reason: 'may only contain letters, digits, "_", "~" and "-"' };
  }
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Checks a property map against the spec's limits: at most 20 properties, names of at most
 * 64 characters that are standard (`allowed`, or any name with `'any'`) or start with `c_`, string values of at most
 * 2,000 characters, and at most 10,000 characters of names and values together.
 *
 * @example
 * checkProperties('data', { url: '/cart', c_plan: 'pro' }, STANDARD_PRESENCE_PROPERTIES); // undefined
 * checkProperties('data', { plan: 'pro' }, STANDARD_PRESENCE_PROPERTIES); // names the missing c_ prefix
 */
export function checkProperties(
  param: string,
  value: unknown,
  allowed: readonly string[] | 'any',
): Violation | undefined {
  if (!isPlainObject(value)) {
    return { param, reason: `must be an object of string properties, got ${describe(value)}` };
  }
  const names = Object.keys(value);
  if (names.length > LIMITS.maxProperties) {
    return {
      param,
      reason: `has ${names.length} properties; at most ${LIMITS.maxProperties} are allowed`,
    };
  }
  let total = 0;
  for (const name of names) {
    const where = `${param}.${name}`;
    if (name.length > LIMITS.maxNameLength) {
      return {
        param: where,
        reason: `property name is ${name.length} characters; at most ${LIMITS.maxNameLength} are allowed`,
      };
    }
    if (!NAME_PATTERN.test(name)) {
      return {
        param: where,
        reason: 'property names start with a letter and contain only letters, digits and "_"',
      };
    }
    if (allowed !== 'any' && !allowed.includes(name) && !name.startsWith(CUSTOM_PREFIX)) {
      return {
        param: where,
        reason: `"${name}" is not a standard property; custom properties must start with "${CUSTOM_PREFIX}"`,
      };
    }
    const v = value[name];
    if (typeof v !== 'string') {
      return { param: where, reason: `values must be strings, got ${describe(v)}` };
    }
    if (v.length > LIMITS.maxValueLength) {
      return {
        param: where,
        reason: `value is ${v.length} characters; at most ${LIMITS.maxValueLength} are allowed`,
      };
    }
    total += name.length + v.length;
  }
  if (total > LIMITS.maxTotalLength) {
    return {
      param,
      reason: `names and values total ${total} characters; at most ${LIMITS.maxTotalLength} are allowed`,
    };
  }
  return undefined;
}

/**
 * Checks presence data: a property map whose standard names are {@link STANDARD_PRESENCE_PROPERTIES}.
 *
 * @example
 * checkPresence({ url: '/checkout' }); // undefined
 */
export function checkPresence(data: unknown): Violation | undefined {
  return checkProperties('data', data, STANDARD_PRESENCE_PROPERTIES);
}

/**
 * Checks a `signalAgent` call: the standard `terms` event with a `status` of `displayed`,
 * `accepted` or `declined` (and nothing else), or a `c_`-prefixed custom event whose
 * properties follow the presence limits.
 *
 * @example
 * checkSignal('terms', { status: 'accepted' }); // undefined
 * checkSignal('c_cart', { c_items: '3' });      // undefined
 * checkSignal('cart', {});                      // names the missing c_ prefix
 */
export function checkSignal(name: unknown, properties: unknown): Violation | undefined {
  if (typeof name !== 'string') {
    return { param: 'name', reason: `must be a string, got ${describe(name)}` };
  }
  if (name === 'terms') {
    if (!isPlainObject(properties)) {
      return { param: 'properties', reason: 'the terms event needs { status }' };
    }
    const keys = Object.keys(properties);
    const status = properties.status;
    if (keys.length !== 1 || !TERMS_STATUSES.includes(status as TermsStatus)) {
      return {
        param: 'properties.status',
        reason: `the terms event takes exactly { status: ${TERMS_STATUSES.map((s) => `"${s}"`).join(' | ')} }`,
      };
    }
    return undefined;
  }
  if (!name.startsWith(CUSTOM_PREFIX) || name.length <= CUSTOM_PREFIX.length) {
    return {
      param: 'name',
      reason: `"${name}" is not a standard event; custom events must start with "${CUSTOM_PREFIX}"`,
    };
  }
  if (name.length > LIMITS.maxNameLength || !NAME_PATTERN.test(name)) {
    return {
      param: 'name',
      reason: `event names are at most ${LIMITS.maxNameLength} letters, digits and "_", starting with a letter`,
    };
  }
  // The prefix keeps custom *event names* out of the standard namespace; the properties of
  // a custom event are the app's own, so they only have to respect the size limits.
  return checkProperties('properties', properties ?? {}, 'any');
}

/**
 * Checks an optional free-text field (session key, terms URL, reason).
 *
 * @example
 * checkText('sessionKey', 'abc', { optional: true }); // undefined
 */
export function checkText(
  param: string,
  value: unknown,
  options: { optional?: boolean; min?: number } = {},
): Violation | undefined {
  if (value === undefined && options.optional) return undefined;
  if (typeof value !== 'string')
    return { param, reason: `must be a string, got ${describe(value)}` };
  const min = options.min ?? 0;
  if (value.length < min) return { param, reason: `must be at least ${min} characters` };
  if (value.length > LIMITS.maxTextLength) {
    return {
      param,
      reason: `must be at most ${LIMITS.maxTextLength} characters, got ${value.length}`,
    };
  }
  return undefined;
}
