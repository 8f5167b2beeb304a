/**
 * What every way of validating a frame shares, without zod: reading the frame, the typed
 * refusal, the words for a bad `type`, and the spec's content rules. `parseMessage` (zod,
 * any channel) and `parseFrame` (the visitor's table, see frameTable.ts) both end here, so
 * they refuse alike.
 */
import { checkPresence, checkProperties, checkSignal, LIMITS } from './limits.js';
import { checkPushSubscription } from './pushSubscription.js';
import { checkTermsUrl } from './termsUrl.js';

/** Why a frame was refused. Never thrown: returned by `parseMessage`. */
export interface ProtocolError {
  code: 'malformed' | 'invalidMessage' | 'invalidParameter' | 'tooLarge';
  message: string;
  /** The field at fault, as a dotted path, when one is known. */
  param?: string;
}

export type ParseResult<T> = { ok: true; message: T } | { ok: false; error: ProtocolError };

/** A refusal, clipped so it always fits the `error` or `failed` frame that reports it. */
export function fail(
  code: ProtocolError['code'],
  message: string,
  param?: string,
): { ok: false; error: ProtocolError } {
  // A path can echo a 60,000-character property name.
  const clipped = message.slice(0, LIMITS.maxTextLength);
  if (param === undefined) return { ok: false, error: { code, message: clipped } };
  return {
    ok: false,
    error: { code, message: clipped, param: param.slice(0, LIMITS.maxTextLength) },
  };
}

/** A frame refused before any schema saw it: what {@link decodeFrame} returns instead. */
export class Refused {
  constructor(readonly result: { ok: false; error: ProtocolError }) {}
}

/**
 * The frame as a JSON object: the text of a frame is measured and decoded, a decoded value
 * is taken as is. Anything else is {@link Refused}. No wrapper on success: the service runs
 * this for every frame.
 */
export function decodeFrame(input: unknown): Record<string, unknown> | Refused {
  let value = input;
  if (typeof input === 'string') {
    // Frames are measured in characters here; the transport also caps bytes on the wire.
    if (input.length > LIMITS.maxFrameBytes) {
      return new Refused(
        fail(
          'tooLarge',
          `frame is ${input.length} characters; at most ${LIMITS.maxFrameBytes} are read`,
        ),
      );
    }
    try {
      value = JSON.parse(input);
    } catch {
      return new Refused(fail('malformed', 'frame is not valid JSON'));
    }
  }
  try {
    // Even Array.isArray throws on a revoked proxy.
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return new Refused(fail('malformed', 'frame must be a JSON object'));
    }
  } catch {
    return new Refused(unreadable());
  }
  return value as Record<string, unknown>;
}

/** Hostile getters or proxies must not crash a caller: the refusal when reading threw. */
export const unreadable = () => fail('malformed', 'frame could not be read');

/** The refusal of a frame whose `type` names no message of the channel. */
export function unknownType(type: unknown): { ok: false; error: ProtocolError } {
  // Only a string type is quoted back: JSON.stringify throws on a bigint, a cycle or a
  // deeply nested array, all of which fit in one frame.
  return fail(
    'invalidMessage',
    typeof type === 'string'
      ? `unknown message type ${JSON.stringify(type.slice(0, 64))}`
      : type === undefined
        ? 'message has no type'
        : `message type must be a string, got ${type === null ? 'null' : typeof type}`,
    'type',
  );
}

/**
 * The spec's content rules (c_ prefixes, property limits) that a schema alone cannot state,
 * read from the frame as sent. They apply to every channel alike, so the service, the
 * visitor and the agent agree.
 */
export function checkContent<T>(sent: Record<string, unknown>, message: T): ParseResult<T> {
  let v: ReturnType<typeof checkPresence>;
  try {
    v =
      sent.type === 'presence'
        ? checkPresence(sent.data)
        : sent.type === 'signal'
          ? checkSignal(sent.name, sent.properties)
          : sent.type === 'showTerms'
            ? checkTermsUrl(sent.termsUrl)
            : sent.type === 'pushSubscribe'
              ? checkPushSubscription(sent.subscription)
              : (sent.type === 'error' || sent.type === 'visitorError') && sent.params !== undefined
                ? checkProperties('params', sent.params, 'any')
                : undefined;
  } catch {
    return unreadable();
  }
  return v ? fail('invalidParameter', `${v.param} ${v.reason}`, v.param) : { ok: true, message };
}
