import { BeckonProvider } from '@beckon/ui-react';
import { useState } from 'react';
import { ConsoleStoreContext } from '../consoleContext.js';
import {
  createSession,
  type Session,
  type SessionOptions,
  type SessionSettings,
} from '../createSession.js';
import type { RuntimeConfig } from '../loadRuntimeConfig.js';
import { ConsoleScreen } from './ConsoleScreen.js';
import { Header } from './Header.js';
import { SignInForm } from './SignInForm.js';

export interface AppProps {
  config: RuntimeConfig;
  /** A session already started from the config's token (created outside React, once). */
  initialSession?: Session | undefined;
  /** Why signing in with the config's token failed before rendering. */
  initialError?: string | undefined;
  /** Passed to `createSession` when the user signs in (tests pass a transport). */
  sessionOptions?: SessionOptions | undefined;
}

const SOURCES: Record<RuntimeConfig['source'], string> = {
  file: 'Server and group from beckon-config.json.',
  query: 'Server and group from the page address.',
  defaults: 'Default server and group; change them if yours differ.',
};

/**
 * The agent console: the sign-in form until there is a session, then the console.
 *
 * @example
 * root.render(<App config={await loadRuntimeConfig(env)} />);
 */
export function App({ config, initialSession, initialError, sessionOptions }: AppProps) {
  const [session, setSession] = useState<Session | null>(initialSession ?? null);
  const [error, setError] = useState<string | undefined>(initialError);

  const signIn = (settings: SessionSettings) => {
    let next: Session;
    try {
      next = createSession(settings, sessionOptions);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      return;
    }
    session?.close();
    setError(undefined);
    setSession(next);
  };
  const signOut = () => {
    session?.close();
    setSession(null);
  };

  if (!session) {
    const note = [SOURCES[config.source], config.warning].filter(Boolean).join(' ');
    return (
      <div className="app">
        <Header settings={config} />
        <main className="center">
          <SignInForm
            initial={{
              serverUrl: config.serverUrl,
              groupId: config.groupId,
              ...(config.agentToken ? { token: config.agentToken } : {}),
            }}
            note={note}
            error={error}
            onSubmit={signIn}
          />
        </main>
      </div>
    );
  }
  return (
    <BeckonProvider agent={session.agent}>
      <ConsoleStoreContext.Provider value={session.store}>
        <ConsoleScreen
          // A new session is a new console: fresh selection and form state.
          key={session.id}
          session={session}
          signInError={error}
          onSignIn={signIn}
          onSignOut={signOut}
        />
      </ConsoleStoreContext.Provider>
    </BeckonProvider>
  );
}
