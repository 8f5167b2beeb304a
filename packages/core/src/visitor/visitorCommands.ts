import type { ConsentDecision } from '../consent/consentUI.js';
import {
  checkId,
  checkPresence,
  checkSignal,
  checkText,
  type TermsStatus,
  type Violation,
} from '../wire/limits.js';
import type { FromVisitor } from '../wire/protocol.js';

/** Commands the public API sends. Payloads are `unknown`: the machine validates them. */
export type VisitorCommand =
  | { type: 'INIT'; groupId: unknown; visitorId: unknown }
  | { type: 'CONNECT'; pushNotifications?: unknown }
  | { type: 'DISCONNECT' }
  | { type: 'PRESENCE'; data: unknown }
  | { type: 'VISIBILITY'; visible: unknown }
  | { type: 'SIGNAL_AGENT'; name: unknown; properties?: unknown }
  | { type: 'SET_DEFAULT_UI'; enabled: unknown }
  | { type: 'START_SESSION'; key?: unknown; presenceStart?: unknown }
  | { type: 'END_SESSION'; reason?: unknown }
  /** The app turns Web Push on (on a user gesture: the browser may ask for permission). */
  | { type: 'ENABLE_PUSH' }
  /** The app turns Web Push off: the service forgets the subscription, the browser ends it. */
  | { type: 'DISABLE_PUSH' }
  /**
   * The app answers the pending consent request through Beckon (a custom UI's
   * `termsDisplayed()`, `acceptTerms()`, `declineTerms()`): core signals the agent, and on
   * `accepted` starts the session with the request's key.
   */
  | { type: 'CONSENT'; decision: 'displayed' | ConsentDecision };

/**
 * Why a command's payload is refused, or undefined when it is fine. One function, so the
 * guard that rejects and the action that reports always agree.
 *
 * @example
 * violationOf({ visitorId: undefined }, { type: 'CONNECT' }); // { param: 'visitorId', reason: 'call init() before connect()' }
 */
export function violationOf(
  context: { visitorId: string | undefined },
  event: { type: string } & Partial<Record<string, unknown>>,
): Violation | undefined {
  switch (event.type) {
    case 'INIT':
      return checkId('groupId', event.groupId) ?? checkId('visitorId', event.visitorId);
    case 'CONNECT':
      if (event.pushNotifications !== undefined && typeof event.pushNotifications !== 'boolean') {
        return { param: 'pushNotifications', reason: 'must be a boolean' };
      }
      if (context.visitorId === undefined) {
        return { param: 'visitorId', reason: 'call init() before connect()' };
      }
      return undefined;
    case 'PRESENCE':
      return checkPresence(event.data);
    case 'VISIBILITY':
      return typeof event.visible === 'boolean'
        ? undefined
        : { param: 'visible', reason: 'must be a boolean' };
    case 'SIGNAL_AGENT':
      return checkSignal(event.name, event.properties ?? {});
    case 'SET_DEFAULT_UI':
      return typeof event.enabled === 'boolean'
        ? undefined
        : { param: 'enabled', reason: 'must be a boolean' };
    case 'START_SESSION':
      if (context.visitorId === undefined) {
        return { param: 'visitorId', reason: 'call init() before startSession()' };
      }
      if (event.presenceStart !== undefined && typeof event.presenceStart !== 'boolean') {
        return { param: 'presenceStart', reason: 'must be a boolean' };
      }
      return event.key === undefined ? undefined : checkId('key', event.key);
    case 'END_SESSION':
      return checkText('reason', event.reason, { optional: true });
    default:
      return undefined;
  }
}

/**
 * The status of an app's own `signalAgent('terms', { status })`, the spec's custom-UI path.
 *
 * @example
 * termsStatusOf({ type: 'SIGNAL_AGENT', name: 'terms', properties: { status: 'accepted' } }); // 'accepted'
 */
export function termsStatusOf(
  event: { type: string } & Partial<Record<string, unknown>>,
): TermsStatus | undefined {
  if (event.type !== 'SIGNAL_AGENT' || event.name !== 'terms') return undefined;
  const status = (event.properties as { status?: unknown } | undefined)?.status;
  return status === 'displayed' || status === 'accepted' || status === 'declined'
    ? status
    : undefined;
}

/**
 * The wire message a valid user send becomes.
 *
 * @example
 * messageOf({ type: 'VISIBILITY', visible: false }); // { type: 'visibility', visible: false }
 */
export function messageOf(event: VisitorCommand): FromVisitor {
  switch (event.type) {
    case 'PRESENCE':
      return { type: 'presence', data: { ...(event.data as Record<string, string>) } };
    case 'VISIBILITY':
      return { type: 'visibility', visible: event.visible as boolean };
    case 'SIGNAL_AGENT':
      return {
        type: 'signal',
        name: event.name as string,
        properties: { ...((event.properties ?? {}) as Record<string, string>) },
      };
    default:
      throw new TypeError(`no wire message for ${event.type}`);
  }
}
