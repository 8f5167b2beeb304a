import type { Clock, TransportCloseInfo, TransportHandlers } from '@beckon/core';

const PREFIX = '@beckon/transport-mock:';

/** WebSocket close reasons are capped at 123 bytes of UTF-8 (RFC 6455 §5.5). */
const MAX_REASON_BYTES = 123;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 40));
  if (typeof value === 'number') return String(value);
  return `a ${typeof value}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export function checkClock(clock: unknown): Clock | undefined {
  if (clock === undefined) return undefined;
  if (
    !isRecord(clock) ||
    typeof clock.setTimeout !== 'function' ||
    typeof clock.clearTimeout !== 'function'
  ) {
    throw new TypeError(
      `${PREFIX} options.clock must have setTimeout and clearTimeout methods, got ${describe(clock)}`,
    );
  }
  return clock as unknown as Clock;
}

export function checkNonNegativeInteger(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(`${PREFIX} ${name} must be a non-negative integer, got ${describe(value)}`);
  }
  return value;
}

export function checkCount(value: unknown, name: string): number {
  if (value === Number.POSITIVE_INFINITY) return value;
  return checkNonNegativeInteger(value, name);
}

export function checkDelay(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(
      `${PREFIX} delay(ms) needs a finite number of milliseconds >= 0, got ${describe(value)}`,
    );
  }
  return value;
}

export function checkBoolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') {
    throw new TypeError(`${PREFIX} ${name} must be a boolean, got ${describe(value)}`);
  }
  return value;
}

export function checkHandlers(handlers: unknown): TransportHandlers {
  if (
    !isRecord(handlers) ||
    typeof handlers.open !== 'function' ||
    typeof handlers.message !== 'function' ||
    typeof handlers.close !== 'function'
  ) {
    throw new TypeError(
      `${PREFIX} the transport needs handlers with open, message and close functions, got ${describe(handlers)}`,
    );
  }
  return handlers as unknown as TransportHandlers;
}

export function checkFrame(data: unknown, name: string): string {
  if (typeof data !== 'string') {
    throw new TypeError(`${PREFIX} ${name} takes a text frame (a string), got ${describe(data)}`);
  }
  return data;
}

function reasonBytes(reason: string): number {
  return new TextEncoder().encode(reason).length;
}

function checkReason(reason: unknown, name: string, capped: boolean): string {
  if (typeof reason !== 'string') {
    throw new TypeError(`${PREFIX} ${name}: reason must be a string, got ${describe(reason)}`);
  }
  if (capped && reasonBytes(reason) > MAX_REASON_BYTES) {
    throw new TypeError(
      `${PREFIX} ${name}: reason is ${reasonBytes(reason)} bytes of UTF-8; a close frame carries at most ${MAX_REASON_BYTES}`,
    );
  }
  return reason;
}

/**
 * Close info the test gives for a refusal, a drop or a service close. Any code from 1000
 * to 4999 goes, 1006 included: the mock stands in for the network too.
 */
export function checkCloseInfo(info: unknown, name: string, capped: boolean): TransportCloseInfo {
  if (!isRecord(info)) {
    throw new TypeError(`${PREFIX} ${name} takes { code, reason }, got ${describe(info)}`);
  }
  const { code, reason } = info;
  if (typeof code !== 'number' || !Number.isInteger(code) || code < 1000 || code > 4999) {
    throw new TypeError(
      `${PREFIX} ${name}: code must be an integer from 1000 to 4999, got ${describe(code)}`,
    );
  }
  return { code, reason: checkReason(reason, name, capped) };
}

/**
 * A client's close, held to the rules browsers enforce in `WebSocket.close()` (1000 or
 * 3000–4999, reason up to 123 bytes), so code that passes here does not throw on a real
 * socket.
 */
export function checkClientClose(code: unknown, reason: unknown): TransportCloseInfo {
  const finalCode = code ?? 1000;
  if (
    typeof finalCode !== 'number' ||
    !Number.isInteger(finalCode) ||
    (finalCode !== 1000 && (finalCode < 3000 || finalCode > 4999))
  ) {
    throw new TypeError(
      `${PREFIX} close(code): a client may only close with 1000 or 3000–4999 (as in browsers), got ${describe(code)}`,
    );
  }
  return { code: finalCode, reason: checkReason(reason ?? '', 'close(code, reason)', true) };
}
