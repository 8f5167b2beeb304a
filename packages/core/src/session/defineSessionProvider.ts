import { createSessionActor } from './createSessionActor.js';
import type { SessionProvider, SessionProviderSpec } from './SessionProvider.js';

/**
 * Makes a session provider for `createVisitor({ session })` from its transport and its
 * `start`: core runs it while a session runs — asking the service for tickets, opening the
 * session channel through `transport`, reopening it when it drops, chunking what `start`'s
 * context sends. Provider packages (`cobrowseSession`) call it for you.
 *
 * @throws {TypeError} when `spec` has no `start` function or no transport.
 *
 * @example
 * import { defineSessionProvider } from '@beckon/core';
 * import { webSocketTransport } from '@beckon/transport-ws';
 *
 * // The smallest provider: shows its viewers the page title, again on every request.
 * const titleSession = defineSessionProvider({
 *   transport: webSocketTransport({ url: 'wss://presence.example.com/session' }),
 *   start(session) {
 *     const send = () => session.send('snapshot', document.title);
 *     const offs = [session.on('open', send), session.on('resync', send)];
 *     return { stop: () => offs.forEach((off) => off()) };
 *   },
 * });
 */
export function defineSessionProvider(spec: SessionProviderSpec): SessionProvider {
  if (
    typeof spec !== 'object' ||
    spec === null ||
    typeof spec.start !== 'function' ||
    typeof spec.transport !== 'function'
  ) {
    throw new TypeError(
      'defineSessionProvider: the provider needs a start(context) function and a transport',
    );
  }
  const provider: SessionProvider = {
    transport: spec.transport,
    // Called as a method, so a provider written as a class keeps its `this`.
    start: (context) => spec.start(context),
    runtime: (options) => createSessionActor(provider, options),
  };
  return provider;
}
