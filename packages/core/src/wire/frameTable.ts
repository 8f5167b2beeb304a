/**
 * A channel as a table, and the small validator that reads it: what a visitor app checks
 * its incoming frames with instead of zod, which would be a third of its bundle.
 *
 * The zod schemas stay the one source of truth. The tables (`*.generated.ts`) are written
 * from them by `test/frameTable.test.ts` (which fails when one is stale), and the same test
 * proves, over valid and invalid frames, that {@link parseFrame} with a table answers
 * exactly what `parseMessage` with its schema does: the same message, or the same
 * {@link ProtocolError} code, words and param.
 */
import {
  checkContent,
  decodeFrame,
  fail,
  type ParseResult,
  type ProtocolError,
  Refused,
  unknownType,
  unreadable,
} from './frame.js';

/** One bound or pattern, in the order the schema checks them. */
export type FieldCheck = { min: number } | { max: number } | { pattern: RegExp };

/** What a field must be: the subset of zod that the tables use. */
export interface FieldRule {
  type: 'string' | 'int' | 'boolean' | 'enum' | 'record';
  optional?: true;
  checks?: readonly FieldCheck[];
  /** The values of an `enum`. */
  values?: readonly string[];
}

/** A channel: for each message `type`, its other fields. */
export type FrameTable = Readonly<Record<string, Readonly<Record<string, FieldRule>>>>;

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

// The words of protocol.ts's `explain()` for the zod issue each branch stands for.
function problemOf(rule: FieldRule, value: unknown): string | undefined {
  let unit = '';
  let size: number;
  switch (rule.type) {
    case 'string':
      if (typeof value !== 'string') return 'expected string';
      unit = ' characters';
      size = value.length;
      break;
    case 'int':
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'expected number';
      if (!Number.isInteger(value)) return 'expected int';
      if (value > MAX_SAFE) return `must be at most ${MAX_SAFE}`;
      if (value < -MAX_SAFE) return `must be at least ${-MAX_SAFE}`;
      size = value;
      break;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'expected boolean';
    case 'enum':
      return rule.values?.includes(value as string)
        ? undefined
        : `must be one of ${rule.values?.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return typeof value === 'object' && value !== null && !Array.isArray(value)
        ? undefined
        : 'expected record';
  }
  for (const check of rule.checks ?? []) {
    if ('min' in check && size < check.min) return `must be at least ${check.min}${unit}`;
    if ('max' in check && size > check.max) return `must be at most ${check.max}${unit}`;
    if ('pattern' in check && !check.pattern.test(value as string)) {
      return `must match ${check.pattern}`;
    }
  }
  return undefined;
}

/**
 * Validates one frame against a {@link FrameTable}, as `parseMessage` validates it against
 * the schema the table was generated from: the raw text of a frame (or a JSON value) in,
 * a typed message (unknown fields dropped) or a typed {@link ProtocolError} out, never a
 * throw.
 *
 * @example
 * import { TO_VISITOR } from './toVisitor.generated.js';
 * const result = parseFrame<ToVisitor>('{"type":"blur","epoch":3}', TO_VISITOR);
 * if (result.ok) console.log(result.message.type); // 'blur'
 */
export function parseFrame<T>(input: unknown, table: FrameTable): ParseResult<T> {
  const sent = decodeFrame(input);
  if (sent instanceof Refused) return sent.result;
  const type = sent.type;
  const fields = typeof type === 'string' && Object.hasOwn(table, type) ? table[type] : undefined;
  if (!fields) return unknownType(type);
  const message: Record<string, unknown> = { type };
  try {
    for (const [name, rule] of Object.entries(fields)) {
      const value = sent[name];
      if (value === undefined && rule.optional) continue;
      const problem = problemOf(rule, value);
      if (problem) return fail('invalidMessage', `${name}: ${problem}`, name);
      if (rule.type !== 'record') {
        message[name] = value;
        continue;
      }
      // A record's values are strings; like zod, build a new one and leave "__proto__" out
      // (the content rules, which read the frame as sent, refuse it where it matters).
      const record: Record<string, string> = {};
      for (const [key, v] of Object.entries(value as object)) {
        if (key === '__proto__') continue;
        if (typeof v !== 'string') {
          return fail('invalidMessage', `${name}.${key}: expected string`, `${name}.${key}`);
        }
        record[key] = v;
      }
      message[name] = record;
    }
  } catch {
    // A decoded value, not a frame, may be a proxy or carry throwing getters.
    return unreadable();
  }
  return checkContent(sent, message as T);
}
