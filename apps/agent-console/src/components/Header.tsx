import { useAgentState } from '@beckon/ui-react';
import type { SessionSettings } from '../createSession.js';
import { StatusBadge } from './StatusBadge.js';

/**
 * The console's top bar: product name, group and server, the agent status badge, sign out.
 *
 * @example
 * <Header settings={session.settings} onSignOut={signOut} />
 */
export function Header({
  settings,
  onSignOut,
}: {
  settings: Pick<SessionSettings, 'serverUrl' | 'groupId'>;
  onSignOut?: (() => void) | undefined;
}) {
  return (
    <header className="topbar">
      <div className="brand">
        <span className="brand__mark" aria-hidden="true" />
        <span className="brand__name">Beckon</span>
        <span className="brand__sub">Agent console</span>
      </div>
      <div className="topbar__meta">
        <span className="meta">
          group <strong data-testid="group-id">{settings.groupId}</strong>
        </span>
        <span className="meta meta--server" title={settings.serverUrl}>
          {settings.serverUrl}
        </span>
        {onSignOut ? <AgentStatus /> : null}
        {onSignOut ? (
          <button
            type="button"
            className="button button--small"
            data-testid="sign-out"
            onClick={onSignOut}
          >
            Sign out
          </button>
        ) : null}
      </div>
    </header>
  );
}

function AgentStatus() {
  const { status, attempt } = useAgentState((s) => ({ status: s.status, attempt: s.attempt }));
  return <StatusBadge status={status} attempt={attempt} />;
}
