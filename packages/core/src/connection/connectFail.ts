import { CloseCode } from '../wire/codes.js';

/** What ended a connection attempt: the connection actor's close, or a failure to open one. */
type Ending = { type: 'socket.closed'; code: number; reason: string } | { type: string };

/**
 * The code and reason of a connection that ended: the close's, or 1006 when it never opened.
 *
 * @example
 * const { code, reason } = closeOf({ type: 'socket.closed', code: 4100, reason: '2000' });
 */
export function closeOf(event: Ending): { code: number; reason: string } {
  return 'code' in event
    ? { code: event.code, reason: event.reason }
    : { code: CloseCode.abnormal, reason: 'connection failed' };
}

/**
 * The `connectFail` event both roles emit: with `retryInMs`, another attempt follows after
 * that delay; without, the client gives up.
 *
 * @example
 * emit(({ context, event }) => connectFail(event, context.retryDelay));
 */
export function connectFail(event: Ending, retryInMs?: number) {
  const close = closeOf(event);
  return retryInMs === undefined
    ? { type: 'connectFail' as const, ...close, willRetry: false as const }
    : { type: 'connectFail' as const, ...close, willRetry: true as const, retryInMs };
}
