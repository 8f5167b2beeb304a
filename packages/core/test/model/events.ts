import { __unsafe_getAllOwnEventDescriptors as ownEventTypes } from 'xstate';
import type { VisitorMachineEvent } from '../../src/machines.js';
import { CloseCode, PROTOCOL_VERSION } from '../../src/wire/index.js';
import type { VisitorSnapshot } from './pureStep.js';

export const GROUP_ID = 'acme';
export const VISITOR_ID = 'alice';
/** Another visitor: only offered while online, where changing IDs is refused. */
export const OTHER_VISITOR_ID = 'bob';

/** The event of `reconnecting`'s `after: { retryDelay }` transition. */
export const AFTER_RETRY = 'xstate.after.retryDelay.visitor.connection.reconnecting' as const;

export type ModelEvent = VisitorMachineEvent | { type: typeof AFTER_RETRY };

/** Why the socket actor reports a refused send; the model's sample must carry the same words. */
export const SEND_REFUSED_REASON = 'the connection is not open';
/** What the test UI throws when told to break. */
export const DIALOG_FAILURE = 'dialog broke';
/** The heartbeat interval the model's welcome names. */
export const HEARTBEAT_MS = 25_000;
/**
 * Stands for "the running session's key" in the service's answers to `sessionTicket`: the
 * harness sends the real one (the model's context has it), so the session actor takes it.
 */
export const CURRENT_SESSION_KEY = 'current-key';
/** Why the model's session provider ends its session (the visitor pressed Stop). */
export const PROVIDER_END_REASON = 'visitor stopped sharing';

/** The subscription the model's push provider makes (keys made for the test). */
export const PUSH_SUBSCRIPTION = {
  endpoint: 'https://push.example.net/send/model',
  keys: {
    p256dh:
      'BID_pbD_s3Ymen4uw5MPAvF91nXrm4hQy7HQvPaYRrFkC3h0NCuSTV2AdhV_FRrTfCoI9iQA-TVlMUlmVV6o2s4',
    auth: 'wLlozSI968YM49UFinNC2g',
  },
};
/** The group's VAPID public key in the model's welcome (any valid P-256 point will do). */
export const VAPID_KEY = PUSH_SUBSCRIPTION.keys.p256dh;

const welcome = (focused: boolean, vapidPublicKey?: string): ModelEvent => ({
  type: 'socket.welcome',
  message: {
    type: 'welcome',
    v: PROTOCOL_VERSION,
    connectionId: 'c-model',
    focused,
    epoch: 1,
    heartbeatMs: HEARTBEAT_MS,
    ...(vapidPublicKey === undefined ? {} : { vapidPublicKey }),
  },
});

/**
 * One or a few sample payloads for every event the machine handles: valid and invalid
 * commands, what the service can say, and the consent dialog's answers. Payloads are fixed,
 * so the context stays bounded: epochs only take 0, 1 (welcome) and 2 (blur/focus).
 */
export const SAMPLE_EVENTS: readonly ModelEvent[] = [
  { type: 'INIT', groupId: GROUP_ID, visitorId: VISITOR_ID },
  { type: 'INIT', groupId: GROUP_ID, visitorId: OTHER_VISITOR_ID },
  { type: 'INIT', groupId: GROUP_ID, visitorId: 'not valid!' },
  { type: 'CONNECT' },
  { type: 'CONNECT', pushNotifications: true },
  { type: 'CONNECT', pushNotifications: 'yes' },
  { type: 'DISCONNECT' },
  { type: 'PRESENCE', data: { url: '/cart' } },
  { type: 'PRESENCE', data: { cart: '3' } },
  { type: 'VISIBILITY', visible: true },
  { type: 'VISIBILITY', visible: false },
  { type: 'VISIBILITY', visible: 'yes' },
  { type: 'SIGNAL_AGENT', name: 'c_ping', properties: { c_n: '1' } },
  { type: 'SIGNAL_AGENT', name: 'ping', properties: {} },
  { type: 'SIGNAL_AGENT', name: 'terms', properties: { status: 'displayed' } },
  { type: 'SIGNAL_AGENT', name: 'terms', properties: { status: 'accepted' } },
  { type: 'SIGNAL_AGENT', name: 'terms', properties: { status: 'declined' } },
  { type: 'SET_DEFAULT_UI', enabled: true },
  { type: 'SET_DEFAULT_UI', enabled: false },
  { type: 'SET_DEFAULT_UI', enabled: 'yes' },
  { type: 'START_SESSION' },
  { type: 'START_SESSION', key: 'sk-app', presenceStart: true },
  { type: 'START_SESSION', presenceStart: 'yes' },
  { type: 'END_SESSION', reason: 'done' },
  { type: 'END_SESSION', reason: 42 },
  welcome(true),
  welcome(false),
  { type: 'socket.blur', epoch: 2 },
  { type: 'socket.blur', epoch: 0 },
  { type: 'socket.focus', epoch: 2 },
  { type: 'socket.focus', epoch: 0 },
  { type: 'socket.showTerms', id: 7, sessionKey: 'sk-agent', termsUrl: 'https://example.com/t' },
  { type: 'socket.showTerms', id: 8 },
  { type: 'socket.signal', id: 9, name: 'c_hello', properties: { c_a: '1' } },
  {
    type: 'socket.error',
    message: { type: 'error', code: 'invalidParameter', message: 'bad data', param: 'data' },
  },
  {
    type: 'socket.error',
    message: { type: 'error', code: 'rateLimited', message: 'slow down', retryAfter: 1_000 },
  },
  { type: 'socket.error', message: { type: 'error', code: 'unauthorized', message: 'expired' } },
  { type: 'socket.closed', code: 1006, reason: 'connection lost' },
  { type: 'socket.closed', code: CloseCode.notConfigured, reason: 'not configured' },
  { type: 'socket.closed', code: CloseCode.unauthorized, reason: 'unauthorized' },
  { type: 'socket.closed', code: CloseCode.reconnect, reason: '2000' },
  // The visitor's own deadlines: no welcome in time, a silent service.
  { type: 'socket.closed', code: CloseCode.handshakeTimeout, reason: 'handshake timed out' },
  {
    type: 'socket.closed',
    code: CloseCode.heartbeatTimeout,
    reason: 'no heartbeat from the service',
  },
  {
    type: 'socket.sendFailed',
    message: { type: 'presence', data: { url: '/cart' } },
    reason: SEND_REFUSED_REASON,
  },
  { type: 'CONSENT', decision: 'displayed' },
  { type: 'CONSENT', decision: 'accepted' },
  { type: 'CONSENT', decision: 'declined' },
  // What parseMessage says of a frame with a type the visitor does not know.
  {
    type: 'socket.invalid',
    error: { code: 'invalidMessage', message: 'unknown message type "bogus"', param: 'type' },
  },
  { type: 'consent.displayed' },
  { type: 'consent.answered', decision: 'accepted' },
  { type: 'consent.answered', decision: 'declined' },
  { type: 'consent.failed', reason: DIALOG_FAILURE },
  { type: AFTER_RETRY },
  // Sessions with a provider: the service's answers to `sessionTicket`, and what the
  // session actor reports (its channel dropped, the viewer count, the provider's end).
  {
    type: 'socket.sessionTicket',
    sessionKey: CURRENT_SESSION_KEY,
    ticket: 'model-ticket-0123456789',
    expiresAt: 30_000,
  },
  {
    type: 'socket.sessionRefused',
    sessionKey: CURRENT_SESSION_KEY,
    code: 'forbidden',
    message: 'only the focused instance may open a session',
  },
  { type: 'session.ticket' },
  { type: 'session.viewers', viewers: 1 },
  { type: 'session.viewers', viewers: 0 },
  { type: 'session.ended', reason: PROVIDER_END_REASON },
  // Push: the app's calls, the provider's answers, the service's welcome with the group's
  // key and its answers to `pushSubscribe`.
  { type: 'ENABLE_PUSH' },
  { type: 'DISABLE_PUSH' },
  welcome(true, VAPID_KEY),
  { type: 'push.subscribed', subscription: PUSH_SUBSCRIPTION },
  { type: 'push.failed', reason: 'denied', message: 'permission denied' },
  { type: 'push.removed' },
  { type: 'socket.pushSubscribed', endpoint: PUSH_SUBSCRIPTION.endpoint },
  {
    type: 'socket.pushRefused',
    endpoint: PUSH_SUBSCRIPTION.endpoint,
    code: 'notConfigured',
    message: 'push is not configured for this group',
  },
];

/** Whether an event is about Web Push (the push region's own, or the welcome that carries the key). */
export function isPushEvent(event: ModelEvent): boolean {
  return (
    event.type.startsWith('push.') ||
    event.type.startsWith('socket.push') ||
    event.type === 'ENABLE_PUSH' ||
    event.type === 'DISABLE_PUSH' ||
    (event.type === 'socket.welcome' && event.message.vapidPublicKey !== undefined)
  );
}

/**
 * Events that in the real world only happen as the immediate result of the step before:
 * a refused send (the transport says no while the machine sends), and a dialog that throws
 * as it opens. The test arms the fault before that step and the model step is a no-op.
 */
export const CONSEQUENCES: ReadonlySet<string> = new Set(['socket.sendFailed', 'consent.failed']);

/** What the macrostep that produced a snapshot did, for the consequence events above. */
export interface LeadIn {
  /** It handed the socket a message while online. */
  sent: boolean;
  /** It opened the consent dialog. */
  dialogOpened: boolean;
  /**
   * The session actor holds an open session channel (it took a ticket in this session and
   * has not lost the channel since): only then can the channel drop or report viewers.
   */
  channel: boolean;
}

/**
 * The sample events that `state` handles and that the real world can cause there: socket
 * events only while a connection is up (the service shows terms only to welcomed visitors;
 * a handshake times out before the welcome, a heartbeat after it),
 * consequences only right after their cause, another visitor ID only where it is refused.
 */
export function modelEvents(
  state: VisitorSnapshot,
  leadIn: LeadIn,
  offered: (event: ModelEvent) => boolean = () => true,
): ModelEvent[] {
  const own = new Set(ownEventTypes(state));
  const online = state.matches({ connection: 'online' });
  const connected = state.matches({ connection: { online: 'connected' } });
  const { hasSession, sessionViewers } = state.context;
  const feasible = (event: ModelEvent): boolean => {
    switch (event.type) {
      // Without a provider nothing asks for tickets and no session actor reports.
      case 'socket.sessionTicket':
      case 'socket.sessionRefused':
        return hasSession && connected;
      case 'session.ended':
        return hasSession;
      case 'session.ticket':
        return hasSession && leadIn.channel;
      case 'session.viewers':
        return hasSession && leadIn.channel && event.viewers !== sessionViewers;
      case 'INIT':
        return (
          event.visitorId !== OTHER_VISITOR_ID ||
          online ||
          state.matches({ connection: 'reconnecting' })
        );
      case 'socket.welcome':
        // Once per connection, before anything else the service says.
        return online && !connected;
      case 'socket.pushSubscribed':
      case 'socket.pushRefused':
        // The service answers a pushSubscribe this connection sent.
        return connected && state.context.pushSubscription !== undefined;
      case 'socket.sendFailed':
        return online && leadIn.sent;
      case 'consent.failed':
        return leadIn.dialogOpened;
      case 'consent.displayed':
        // A dialog appears once (its actor ignores a second report).
        return state.context.request?.displayed === false;
      case 'consent.answered':
        // A visitor answers what is on screen: the actor reports "displayed" before any
        // answer, so an answer comes after the dialog's own report in the model.
        return state.context.request?.displayed === true;
      case 'socket.showTerms':
        return connected;
      case 'socket.closed':
        if (event.code === CloseCode.handshakeTimeout) return online && !connected;
        if (event.code === CloseCode.heartbeatTimeout) return connected;
        return online;
      default:
        return !event.type.startsWith('socket.') || online;
    }
  };
  return SAMPLE_EVENTS.filter((event) => own.has(event.type) && offered(event) && feasible(event));
}

/** A short name for an event, for test titles. */
export function label(event: { type: string }): string {
  const e = event as ModelEvent;
  switch (e.type) {
    case 'socket.welcome':
      return `welcome(${e.message.focused ? 'focused' : 'unfocused'})`;
    case 'socket.closed':
      return `closed(${e.code})`;
    case 'socket.error':
      return `error(${e.message.code})`;
    case AFTER_RETRY:
      return 'retryTimer';
    default: {
      const { type, ...rest } = e;
      const body = JSON.stringify(rest).replace(/"/g, '');
      return body === '{}' ? type : `${type}${body.slice(0, 48)}`;
    }
  }
}
