import type { Actor } from 'xstate';
import type { ConsentRequest } from '../consent/consentUI.js';
import type { VisitorMachine } from './visitorMachine.js';

/** Where the connection region is. */
export type ConnectionStatus =
  | 'uninitialized'
  | 'initialized'
  | 'connecting'
  | 'connected'
  | 'reconnecting'
  | 'disconnected'
  | 'notConfigured';

/** Where the consent flow is. */
export type TermsStatusState = 'idle' | 'shown' | 'accepted' | 'declined' | 'session' | 'ended';

/** Where Web Push is: off, on its way (`pending`: waiting for the service, the browser or its answer), on, or being turned off. */
export type PushStatus = 'off' | 'pending' | 'on' | 'unsubscribing';

/** A plain, immutable view of the visitor, cheap to compare: a new object only on change. */
export interface VisitorState {
  connection: ConnectionStatus;
  /** Connected and holding focus for this visitor ID. */
  focused: boolean;
  visible: boolean;
  terms: TermsStatusState;
  /**
   * The consent request awaiting an answer, if any: one frozen object per request, so
   * `acceptTerms(request)` can refuse to answer a request that is no longer pending.
   */
  request: Readonly<ConsentRequest> | undefined;
  /** The running session's key, if any. */
  sessionKey: string | undefined;
  /** Agents watching the running session (0 without a session provider). */
  sessionViewers: number;
  groupId: string | undefined;
  visitorId: string | undefined;
  /** Whether consent requests go to the default UI (it is on and a `ui` was given). */
  defaultUI: boolean;
  /** Failed reconnect attempts since the last successful connect. */
  attempt: number;
  /** Web Push (docs/push.md). */
  push: PushStatus;
}

/**
 * Reads the machine's snapshot as a {@link VisitorState}.
 *
 * @example
 * const state = visitorStateOf(actor); // { connection: 'connected', focused: true, … }
 */
export function visitorStateOf(actor: Actor<VisitorMachine>): VisitorState {
  const snapshot = actor.getSnapshot();
  const { context } = snapshot;
  const value = snapshot.value as {
    connection: string | { online: string | { connected: string } };
    terms: string | { shown: string };
    push: string;
  };
  let connection: ConnectionStatus;
  let focused = false;
  if (typeof value.connection === 'string') {
    connection = value.connection as ConnectionStatus;
  } else if (typeof value.connection.online === 'string') {
    connection = 'connecting';
  } else {
    connection = 'connected';
    focused = value.connection.online.connected === 'focused';
  }
  const terms = (typeof value.terms === 'string' ? value.terms : 'shown') as TermsStatusState;
  return {
    connection,
    focused,
    visible: context.visible,
    terms,
    request: context.request?.view,
    sessionKey: context.sessionKey,
    sessionViewers: context.sessionViewers,
    groupId: context.groupId,
    visitorId: context.visitorId,
    // What will happen, not just the setting: without a UI adapter the app gets showTerms.
    defaultUI: context.defaultUI && context.hasUI,
    attempt: context.attempt,
    push:
      value.push === 'on' || value.push === 'off' || value.push === 'unsubscribing'
        ? value.push
        : 'pending',
  };
}

/**
 * Whether two visitor states say the same thing (the request by identity: one per request).
 *
 * @example
 * sameVisitorState(a, { ...a }); // true
 */
export function sameVisitorState(a: VisitorState, b: VisitorState): boolean {
  return (
    a.connection === b.connection &&
    a.focused === b.focused &&
    a.visible === b.visible &&
    a.terms === b.terms &&
    a.request === b.request &&
    a.sessionKey === b.sessionKey &&
    a.sessionViewers === b.sessionViewers &&
    a.groupId === b.groupId &&
    a.visitorId === b.visitorId &&
    a.defaultUI === b.defaultUI &&
    a.attempt === b.attempt &&
    a.push === b.push
  );
}
