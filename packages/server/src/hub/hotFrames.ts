import { checkId, checkPresence, checkSignal } from '@beckon/core/protocol';
import type { AgentMessage, VisitorMessage } from './frameGate.js';

// The frames a busy service sees by the thousand — a visitor's `presence`, `ack`,
// `visibility`, `signal`, `ping` and `pong`, an agent's `signal` — are accepted here by hand,
// without the zod schemas: their parse was the largest single cost of relaying one
// (docs/benchmarks.md). This path only ever *accepts*, and only what `parseMessage` would
// accept, with the same result (test/hotFrames.test.ts checks both with fast-check against
// the schemas). Anything else — a bad frame, an unusual one, another type — returns
// `undefined` and goes to `parseMessage`, which stays the one place refusals are worded.
// A frame that passes has exactly the keys its schema names, so the decoded value itself is
// what zod would have built: it is returned as is, without a copy.

type Json = Record<string, unknown>;

const isRecord = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A request ID as the schemas take it: a safe integer, zero or more. */
const isRequestId = (v: unknown): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * Counts the keys of a decoded frame, so a frame with keys the schema does not name (which
 * zod would drop from its result) goes the slow way and comes out exactly as zod's would.
 */
function keyCount(o: Json): number {
  let n = 0;
  for (const _ in o) n += 1;
  return n;
}

/**
 * A visitor's frame of a frequent kind, accepted without zod; `undefined` when it is not one
 * or anything about it is unusual (then `parseMessage` decides).
 *
 * @example
 * const m = hotVisitorFrame(JSON.parse(raw)) ?? parseMessage(JSON.parse(raw), FromVisitor);
 */
export function hotVisitorFrame(value: unknown): VisitorMessage | undefined {
  if (!isRecord(value)) return undefined;
  switch (value.type) {
    case 'presence': {
      const data = value.data;
      // The property rules reject every name outside [A-Za-z][A-Za-z0-9_]* and every value
      // that is not a string: what passes them is a record of strings, as the schema asks.
      if (keyCount(value) !== 2 || !isRecord(data) || checkPresence(data) !== undefined) {
        return undefined;
      }
      return value as VisitorMessage;
    }
    case 'ack': {
      const { id, status } = value;
      if (!isRequestId(id)) return undefined;
      const keys = status === undefined ? 2 : status === 'busy' ? 3 : 0;
      return keyCount(value) === keys ? (value as VisitorMessage) : undefined;
    }
    case 'visibility':
      return typeof value.visible === 'boolean' && keyCount(value) === 2
        ? (value as VisitorMessage)
        : undefined;
    case 'signal': {
      const { name, properties } = value;
      if (keyCount(value) !== 3 || !isRecord(properties)) return undefined;
      return checkSignal(name, properties) === undefined ? (value as VisitorMessage) : undefined;
    }
    case 'ping':
    case 'pong':
      return keyCount(value) === 1 ? (value as VisitorMessage) : undefined;
    default:
      return undefined;
  }
}

/**
 * An agent's frame of a frequent kind (`signal`, `ping`, `pong`), accepted without zod;
 * `undefined` otherwise (then `parseMessage` decides).
 *
 * @example
 * const m = hotAgentFrame(JSON.parse(raw)) ?? parseMessage(JSON.parse(raw), FromAgent);
 */
export function hotAgentFrame(value: unknown): AgentMessage | undefined {
  if (!isRecord(value)) return undefined;
  switch (value.type) {
    case 'signal': {
      const { id, visitorId, name, properties } = value;
      if (keyCount(value) !== 5 || !isRequestId(id) || !isRecord(properties)) return undefined;
      if (checkId('visitorId', visitorId) !== undefined) return undefined;
      return checkSignal(name, properties) === undefined ? (value as AgentMessage) : undefined;
    }
    case 'ping':
    case 'pong':
      return keyCount(value) === 1 ? (value as AgentMessage) : undefined;
    default:
      return undefined;
  }
}
