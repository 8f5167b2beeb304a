import type { ReconnectPolicy } from '../connection/backoff.js';
import type { ConsentEvent } from '../consent/consentActor.js';
import type { ConsentRequest } from '../consent/consentUI.js';
import type { PushActorEvent } from '../push/createPushActors.js';
import type { PushSubscriptionData } from '../push/PushProvider.js';
import type { SessionActorEvent } from '../session/createSessionActor.js';
import type { VisitorCommand } from './visitorCommands.js';
import type { VisitorSocketEvent } from './visitorConnection.js';

/** A consent request from an agent, as the machine keeps it. */
export interface PendingRequest extends ConsentRequest {
  /** The service's request id, acknowledged on receipt. */
  id: number;
  /** The request as apps see it: one frozen object per request, so UIs can tell requests apart. */
  view: Readonly<ConsentRequest>;
  /** Whether the agent has been told the request is on screen. */
  displayed: boolean;
}

export interface VisitorContext {
  groupId: string | undefined;
  visitorId: string | undefined;
  pushNotifications: boolean;
  visible: boolean;
  /** Whether a `ConsentUI` was injected; the default UI needs one. */
  hasUI: boolean;
  defaultUI: boolean;
  policy: ReconnectPolicy;
  /** Failed attempts since the last successful connect. */
  attempt: number;
  /** The wait before the next attempt, drawn when the attempt is scheduled. */
  retryDelay: number;
  /** Set after the first successful connect; later ones are reconnects. */
  everConnected: boolean;
  /** Why the last connection dropped; reported to the agent once back online. */
  lastDrop: { code: number; reason: string } | undefined;
  connectionId: string | undefined;
  epoch: number;
  request: PendingRequest | undefined;
  /**
   * Whether accepting the pending request starts the session here — it was answered in the
   * default UI or with `acceptTerms()` — rather than by the app's own `startSession()`.
   */
  autoStart: boolean;
  sessionKey: string | undefined;
  /** The visibility the current connection's hello carried. */
  helloVisible: boolean;
  /** Whether the running session came from a presence (agent) request. */
  sessionPresenceStart: boolean;
  /** Whether a `SessionProvider` was injected: sessions then open the session channel. */
  hasSession: boolean;
  /** Viewers (agents) watching the running session, as the session channel reports. */
  sessionViewers: number;
  /** Whether a `PushProvider` was injected (`createVisitor({ push })`). */
  hasPush: boolean;
  /** The group's VAPID public key, from the last welcome; undefined when the group has no push. */
  pushKey: string | undefined;
  /** This browser's subscription, once the provider made it: what the service is told. */
  pushSubscription: PushSubscriptionData | undefined;
}

export type VisitorMachineEvent =
  | VisitorCommand
  | VisitorSocketEvent
  | ConsentEvent
  | SessionActorEvent
  | PushActorEvent;

export interface VisitorMachineInput {
  hasUI?: boolean;
  /** Whether a `SessionProvider` runs sessions (`createVisitor({ session })`). */
  hasSession?: boolean;
  /** Whether a `PushProvider` can wake this visitor (`createVisitor({ push })`). */
  hasPush?: boolean;
  visible?: boolean;
  reconnect?: Partial<ReconnectPolicy>;
}
