import { assign, emit, enqueueActions, sendTo } from 'xstate';
import type { ConsentRequest } from '../../consent/consentUI.js';
import type { TermsStatus } from '../../wire/limits.js';
import type { FromVisitor } from '../../wire/protocol.js';
import { isConnected, sendOrFail, visitorActions } from '../visitorActions.js';
import type { VisitorStateConfig } from '../visitorMachine.js';
import { sessionState } from './session.js';

/** The consent flow's actions: the agent's request, and the answers to it. */
export const termsActions = visitorActions({
  storeDefaultUI: assign(({ event }) =>
    event.type === 'SET_DEFAULT_UI' ? { defaultUI: event.enabled as boolean } : {},
  ),
  storeRequest: assign(({ context, event }) => {
    if (event.type !== 'socket.showTerms') return {};
    const view: ConsentRequest = Object.freeze({
      visitorId: context.visitorId!,
      sessionKey: event.sessionKey ?? context.visitorId!,
      ...(event.termsUrl === undefined ? {} : { termsUrl: event.termsUrl }),
    });
    return {
      autoStart: false,
      request: { ...view, id: event.id, view, displayed: false },
    };
  }),
  markDisplayed: assign(({ context }) =>
    context.request ? { request: { ...context.request, displayed: true } } : {},
  ),
  // The agent hears "displayed" once per request, and before any answer to it.
  displayFirst: enqueueActions(({ context, enqueue, check }) => {
    const request = context.request;
    if (!request || request.displayed) return;
    sendOrFail(enqueue, check(isConnected), termsSignal('displayed'));
    enqueue.assign({ request: { ...request, displayed: true } });
  }),

  ackRequest: sendTo('socket', ({ event }) => ({
    type: 'send' as const,
    message: { type: 'ack' as const, id: event.type === 'socket.showTerms' ? event.id : -1 },
  })),
  ackBusy: sendTo('socket', ({ event }) => ({
    type: 'send' as const,
    message: {
      type: 'ack' as const,
      id: event.type === 'socket.showTerms' ? event.id : -1,
      status: 'busy' as const,
    },
  })),
  announceShowTerms: emit(({ context }) => ({
    type: 'showTerms' as const,
    sessionKey: context.request!.sessionKey,
    ...(context.request!.termsUrl === undefined ? {} : { termsUrl: context.request!.termsUrl }),
  })),
  markAutoStart: assign({ autoStart: true }),
  announceAccepted: emit(({ context }) => ({
    type: 'termsAccepted' as const,
    sessionKey: context.request?.sessionKey ?? context.visitorId!,
  })),
  announceDeclined: emit(({ context }) => ({
    type: 'termsDeclined' as const,
    sessionKey: context.request?.sessionKey ?? context.visitorId!,
  })),
  forgetRequest: assign({ request: undefined, autoStart: false }),
});

const termsSignal = (status: TermsStatus): FromVisitor => ({
  type: 'signal',
  name: 'terms',
  properties: { status },
});

// An answer given through Beckon — the default UI's, or the app's acceptTerms() /
// declineTerms() — is reported to the agent and, on accept, starts the session.
const answerTransitions = [
  {
    guard: 'accepted',
    target: '#visitor.terms.accepted',
    actions: [
      'markAutoStart',
      { type: 'transmit', params: termsSignal('accepted') },
      'announceAccepted',
    ],
  },
  {
    target: '#visitor.terms.declined',
    actions: [
      { type: 'transmit', params: termsSignal('declined') },
      'announceDeclined',
      'forgetRequest',
    ],
  },
] as const;

/**
 * The consent (terms) flow: an agent's request shown in the default dialog or the app's own
 * UI, its answer, and the session it starts.
 */
export const termsRegion = {
  initial: 'idle',
  on: {
    START_SESSION: [
      { guard: 'invalid', actions: 'reportInvalid' },
      { target: '.session', actions: 'beginSession' },
    ],
    END_SESSION: [{ guard: 'invalid', actions: 'reportInvalid' }, { actions: 'reportNoSession' }],
    'socket.showTerms': [
      {
        guard: 'useDefaultUI',
        target: '.shown.dialog',
        actions: ['storeRequest', 'ackRequest'],
      },
      { target: '.shown.custom', actions: ['storeRequest', 'ackRequest'] },
    ],
    // With a custom UI the app reports progress with signalAgent('terms', …); follow it.
    SIGNAL_AGENT: [
      { guard: 'invalid' },
      { guard: 'displayed', target: '.shown.custom', actions: 'markDisplayed' },
      { guard: 'accepted', target: '.accepted', actions: 'announceAccepted' },
      {
        guard: 'declined',
        target: '.declined',
        actions: ['announceDeclined', 'forgetRequest'],
      },
    ],
  },
  states: {
    idle: {},
    shown: {
      initial: 'custom',
      on: {
        // Logging out withdraws the question; the dialog closes with the actor.
        DISCONNECT: { target: 'idle', actions: 'forgetRequest' },
      },
      states: {
        dialog: {
          invoke: {
            src: 'consentDialog',
            input: ({ context }) => context.request!.view,
          },
          on: {
            // The dialog reports progress itself; the app's own terms signals must not
            // tear it down.
            SIGNAL_AGENT: {},
            // Once the visitor can see it: a dialog whose code is still loading is not yet.
            'consent.displayed': { actions: 'displayFirst' },
            'consent.answered': answerTransitions,
            // acceptTerms() / declineTerms() answer the dialog's request the same way;
            // "displayed" is the dialog's to report. An answer while its code still loads
            // tells the agent "displayed" first, as every answer follows it.
            CONSENT: [
              { guard: 'displayed' },
              {
                ...answerTransitions[0],
                actions: ['displayFirst', ...answerTransitions[0].actions],
              },
              {
                ...answerTransitions[1],
                actions: ['displayFirst', ...answerTransitions[1].actions],
              },
            ],
            // A broken dialog must not swallow the request: hand it to the app.
            'consent.failed': { target: 'custom' },
          },
        },
        custom: {
          entry: enqueueActions(({ context, enqueue }) => {
            if (context.request) enqueue('announceShowTerms');
          }),
          on: {
            // The app's own signal is sent as it asked; Beckon's command reports once.
            SIGNAL_AGENT: { guard: 'displayed', actions: 'markDisplayed' },
            CONSENT: [
              // Shown by the app's own "displayed" signal with no request behind it.
              { guard: 'noRequest' },
              {
                guard: 'displayed',
                actions: 'displayFirst',
              },
              ...answerTransitions,
            ],
          },
        },
      },
    },
    accepted: {
      // The default UI starts the session itself; a custom UI calls startSession().
      always: { guard: 'autoStart', target: 'session', actions: 'beginSession' },
    },
    declined: {},
    session: sessionState,
    ended: {},
  },
} as const satisfies VisitorStateConfig;
