import { useAgentState } from '@beckon/ui-react';
import { useCallback, useState } from 'react';
import type { Session, SessionSettings } from '../createSession.js';
import { explainRefusal } from '../explainRefusal.js';
import { ConnectionBanner } from './ConnectionBanner.js';
import { Header } from './Header.js';
import { SignInForm } from './SignInForm.js';
import { VisitorDetail } from './VisitorDetail.js';
import { VisitorList } from './VisitorList.js';

export interface ConsoleScreenProps {
  session: Session;
  signInError?: string | undefined;
  onSignIn(settings: SessionSettings): void;
  onSignOut(): void;
}

/**
 * The signed-in console: header with the status badge, connection banner, the visitor list
 * and the selected visitor's detail. When the service refuses the agent it shows why, with
 * the sign-in form to paste another token.
 *
 * @example
 * <ConsoleScreen session={session} onSignIn={signIn} onSignOut={signOut} />
 */
export function ConsoleScreen({ session, signInError, onSignIn, onSignOut }: ConsoleScreenProps) {
  const { status, error } = useAgentState((s) => ({ status: s.status, error: s.error }));
  const [selectedId, setSelectedId] = useState<string | undefined>(undefined);
  const select = useCallback((id: string) => setSelectedId(id), []);
  const { settings } = session;

  return (
    <div className="app">
      <Header settings={settings} onSignOut={onSignOut} />
      {status === 'refused' ? (
        <main className="center">
          <div className="refused" data-testid="refused">
            <p className="form-error" role="alert" data-testid="refused-reason">
              {explainRefusal(error, settings.groupId)}
            </p>
            <SignInForm
              initial={{ serverUrl: settings.serverUrl, groupId: settings.groupId }}
              error={signInError}
              onSubmit={onSignIn}
            />
          </div>
        </main>
      ) : (
        <>
          <ConnectionBanner serverUrl={settings.serverUrl} />
          <main className={`layout${selectedId ? ' layout--detail' : ''}`}>
            <VisitorList selectedId={selectedId} onSelect={select} />
            {selectedId ? (
              <VisitorDetail visitorId={selectedId} onClose={() => setSelectedId(undefined)} />
            ) : (
              <section className="panel detail detail--empty" aria-label="Visitor details">
                <p className="muted">Select a visitor to see its timeline and connect.</p>
              </section>
            )}
          </main>
        </>
      )}
    </div>
  );
}
