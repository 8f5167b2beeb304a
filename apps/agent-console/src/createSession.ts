import type { Transport } from '@beckon/core';
import { type Agent, createAgent } from '@beckon/core/agent';
import { webSocketTransport } from '@beckon/transport-ws';
import {
  type ConsoleStore,
  type ConsoleStoreOptions,
  createConsoleStore,
} from './createConsoleStore.js';

/** What signing in needs. */
export interface SessionSettings {
  serverUrl: string;
  groupId: string;
  token: string;
}

/** A signed-in console: the agent, its store, and what it was created from. */
export interface Session {
  /** Unique per page load, increasing: a React key for "a new sign-in". */
  readonly id: number;
  readonly agent: Agent;
  readonly store: ConsoleStore;
  readonly settings: SessionSettings;
  /** Signs out: stops the store, disconnects and stops the agent. Idempotent. */
  close(): void;
}

export interface SessionOptions extends ConsoleStoreOptions {
  /** The transport to use instead of a WebSocket to `serverUrl` (tests). */
  transport?: Transport;
  /** The session endpoint's, instead of a WebSocket to `session` next to `serverUrl` (tests). */
  sessionTransport?: Transport;
}

let sessions = 0;

/**
 * Signs in: creates an agent for the group (over a WebSocket to `serverUrl` unless a
 * transport is given), its console store, and connects. Throws a `TypeError` naming the
 * field for a bad server URL, group ID or empty token, so the form can show it.
 *
 * @example
 * const session = createSession({ serverUrl: 'ws://127.0.0.1:8080/', groupId: 'demo', token });
 * session.agent.getSnapshot().status; // 'connecting'
 * session.close();
 */
export function createSession(settings: SessionSettings, options: SessionOptions = {}): Session {
  const { transport: given, sessionTransport: givenSession, ...storeOptions } = options;
  const token = settings.token.trim();
  if (token === '') throw new TypeError('Paste an agent token to sign in.');
  let transport: Transport;
  let sessionTransport: Transport | undefined;
  try {
    transport = given ?? webSocketTransport({ url: settings.serverUrl.trim() });
    // The session endpoint sits next to the presence one (live views of sessions).
    sessionTransport =
      givenSession ??
      (given
        ? undefined
        : webSocketTransport({ url: new URL('session', settings.serverUrl.trim()) }));
  } catch (error) {
    throw new TypeError(`Server URL: ${error instanceof Error ? error.message : String(error)}`);
  }
  let agent: Agent;
  try {
    agent = createAgent({
      transport,
      groupId: settings.groupId.trim(),
      token,
      ...(sessionTransport && { sessionTransport }),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new TypeError(message.replace(/^createAgent: options\.groupId/, 'Group ID'));
  }
  const store = createConsoleStore(agent, storeOptions);
  agent.connect();
  let closed = false;
  return {
    id: ++sessions,
    agent,
    store,
    settings: { serverUrl: settings.serverUrl.trim(), groupId: settings.groupId.trim(), token },
    close() {
      if (closed) return;
      closed = true;
      store.dispose();
      agent.disconnect();
      agent.actor.stop();
    },
  };
}
