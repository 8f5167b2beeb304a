import { fromCallback } from 'xstate';
import { backoffDelay, defaultReconnectPolicy } from '../connection/backoff.js';
import type { Clock } from '../connection/clock.js';
import { LIMITS } from '../wire/limits.js';
import {
  SESSION_LIMITS,
  SessionCloseCode,
  type SessionMessageKind,
} from '../wire/sessionProtocol.js';
import { createListeners } from './createListeners.js';
import { openSessionChannel, type SessionChannel } from './openSessionChannel.js';
import type {
  SessionContext,
  SessionEventMap,
  SessionProvider,
  SessionRun,
} from './SessionProvider.js';
import { splitSessionMessage } from './sessionChunks.js';

/** What the visitor machine hands its session actor. */
export interface SessionActorInput {
  sessionKey: string;
  presenceStart: boolean;
  groupId: string;
  visitorId: string;
}

/** What the visitor machine tells its session actor: the service's answers to `sessionTicket`. */
export type SessionActorCommand =
  | { type: 'ticket'; sessionKey: string; ticket: string; expiresAt: number }
  | { type: 'refused'; sessionKey: string; code: string; message: string };

/** What the session actor tells the visitor machine. */
export type SessionActorEvent =
  /** The channel dropped: ask the service for a new ticket. */
  | { type: 'session.ticket' }
  | { type: 'session.viewers'; viewers: number }
  /** The provider (or an agent, through the channel) ended the session. */
  | { type: 'session.ended'; reason: string };

/** Options of {@link createSessionActor}. */
export interface SessionActorOptions {
  clock: Clock;
  /** Deadline for the session channel's welcome. */
  handshakeTimeoutMs: number;
}

/** Failed attempts to open the channel before core gives up until the next presence connect. */
const MAX_OPEN_ATTEMPTS = 6;

const clip = (text: string) => text.slice(0, LIMITS.maxTextLength);

/**
 * The visitor machine's `session` actor: runs a {@link SessionProvider} while a session
 * runs. It starts the provider when the machine enters its `session` state and stops it
 * when the machine leaves it, so nothing is captured before the session starts or after it
 * ends. It opens the session channel with each ticket the machine obtains from the service,
 * asks for a new one when the channel drops (at once after a working channel, with growing
 * delays after a failed one), chunks what the provider sends, and reports viewer counts and
 * an end asked for by the provider or an agent.
 *
 * @example
 * const machine = visitorMachine.provide({
 *   actors: { session: createSessionActor(provider, { clock: systemClock, handshakeTimeoutMs: 10_000 }) },
 * });
 */
export function createSessionActor(provider: SessionProvider, options: SessionActorOptions) {
  const { clock } = options;
  return fromCallback<SessionActorCommand, SessionActorInput, SessionActorEvent>(
    ({ input, sendBack, receive }) => {
      const listeners = createListeners<SessionEventMap>();
      const { tell } = listeners;
      let channel: SessionChannel<'host'> | undefined;
      let open = false;
      let viewers = 0;
      let seq = 0;
      let attempts = 0;
      let retry: unknown;
      let stopped = false;
      let ended = false;

      const end = (reason: string) => {
        if (stopped || ended) return;
        ended = true;
        sendBack({ type: 'session.ended', reason: clip(reason) });
      };
      const setViewers = (count: number) => {
        if (count === viewers) return;
        viewers = count;
        sendBack({ type: 'session.viewers', viewers });
        tell('viewers', { viewers });
      };

      // The channel is gone: a working one is replaced at once, a failing one after a wait.
      const dropped = (code: number, reason: string) => {
        channel = undefined;
        const wasOpen = open;
        open = false;
        if (stopped) return;
        if (wasOpen) tell('close', { code, reason });
        if (code === SessionCloseCode.replaced || code === SessionCloseCode.sessionEnded) {
          tell('error', { code: String(code), message: reason, fatal: true });
          return;
        }
        if (wasOpen) {
          attempts = 1;
          sendBack({ type: 'session.ticket' });
          return;
        }
        attempts += 1;
        if (attempts > MAX_OPEN_ATTEMPTS) {
          tell('error', { code: String(code), message: reason, fatal: true });
          return;
        }
        tell('error', { code: String(code), message: reason, fatal: false });
        const delay = backoffDelay(attempts, defaultReconnectPolicy);
        retry = clock.setTimeout(() => {
          retry = undefined;
          if (!stopped && !channel) sendBack({ type: 'session.ticket' });
        }, delay);
      };

      const connect = (ticket: string) => {
        if (channel || stopped) return;
        if (retry !== undefined) clock.clearTimeout(retry);
        retry = undefined;
        seq = 0;
        channel = openSessionChannel({
          role: 'host',
          transport: provider.transport,
          ticket,
          clock,
          handshakeTimeoutMs: options.handshakeTimeoutMs,
          handlers: {
            welcome(w) {
              open = true;
              attempts = 0;
              tell('open', { viewers: w.viewers });
              setViewers(w.viewers);
            },
            message(m) {
              switch (m.type) {
                case 'viewers':
                  setViewers(m.viewers);
                  return;
                case 'resync':
                  tell('resync', { reason: m.reason });
                  return;
                case 'message':
                  tell('message', { data: m.data, agentId: m.agentId, from: m.from });
                  return;
                case 'end':
                  end(
                    m.reason === undefined
                      ? `ended by agent ${m.agentId}`
                      : `ended by agent ${m.agentId}: ${m.reason}`,
                  );
                  return;
                case 'error':
                  // Refusals are followed by a close, which is where the actor reacts.
                  return;
              }
            },
            closed: dropped,
          },
        });
      };

      const context: SessionContext = {
        sessionKey: input.sessionKey,
        presenceStart: input.presenceStart,
        groupId: input.groupId,
        visitorId: input.visitorId,
        get viewers() {
          return viewers;
        },
        get open() {
          return open;
        },
        send(kind: SessionMessageKind, data: string) {
          if (!open || !channel || typeof data !== 'string') return false;
          const chunks = splitSessionMessage(seq, kind, data);
          if (!chunks) {
            tell('error', {
              code: 'tooLarge',
              message: `a session message may be at most ${SESSION_LIMITS.maxMessageChars} characters`,
              fatal: false,
            });
            return false;
          }
          seq += 1;
          for (const chunk of chunks) if (!channel.send(chunk)) return false;
          return true;
        },
        end: (reason) => end(typeof reason === 'string' ? reason : 'ended'),
        on: listeners.on,
      };

      let run: SessionRun | undefined;
      try {
        run = provider.start(context);
      } catch (error) {
        end(
          `the session could not start: ${error instanceof Error ? error.message : String(error)}`,
        );
      }

      receive((command) => {
        if (stopped || command.sessionKey !== input.sessionKey) return;
        if (command.type === 'ticket') connect(command.ticket);
        else tell('error', { code: command.code, message: command.message, fatal: true });
      });

      return () => {
        stopped = true;
        if (retry !== undefined) clock.clearTimeout(retry);
        channel?.close(1000, 'session ended');
        channel = undefined;
        open = false;
        try {
          run?.stop();
        } catch (error) {
          console.error('beckon session: the provider failed to stop', error);
        }
        listeners.clear();
      };
    },
  );
}
