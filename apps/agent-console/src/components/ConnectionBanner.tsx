import { useAgent, useAgentState } from '@beckon/ui-react';
import { useConsoleState } from '../consoleContext.js';

/**
 * A strip under the header that says what the connection is doing when it is not simply
 * connected: connecting, reconnecting (with the attempt and a "Retry now"), disconnected,
 * or a problem loading the visitors.
 *
 * @example
 * <ConnectionBanner serverUrl="ws://127.0.0.1:8080/" />
 */
export function ConnectionBanner({ serverUrl }: { serverUrl: string }) {
  const agent = useAgent();
  const { status, attempt } = useAgentState((s) => ({ status: s.status, attempt: s.attempt }));
  const { lastFailure, lastError, everConnected } = useConsoleState();

  if (status === 'connecting' && attempt === 0) {
    return (
      <div className="banner banner--info" data-testid="connection-banner" data-status={status}>
        <span className="spinner" aria-hidden="true" /> Connecting to <code>{serverUrl}</code>…
      </div>
    );
  }
  if (status === 'reconnecting' || (status === 'connecting' && attempt > 0)) {
    const seconds =
      lastFailure?.retryInMs !== undefined
        ? Math.max(1, Math.ceil(lastFailure.retryInMs / 1000))
        : undefined;
    return (
      <div
        className="banner banner--warn"
        data-testid="connection-banner"
        data-status="reconnecting"
        role="status"
      >
        <span className="spinner" aria-hidden="true" />
        <span>
          {everConnected
            ? 'Connection to the presence service lost'
            : 'Cannot reach the presence service'}
          {lastFailure?.reason ? <span className="muted"> ({lastFailure.reason})</span> : null}.{' '}
          {`Retrying automatically — attempt ${Math.max(1, attempt)}`}
          {status === 'reconnecting' && seconds !== undefined
            ? `, next try within ${seconds} s.`
            : '.'}
          {everConnected ? ' The list shows the last known state.' : null}
        </span>
        <button type="button" className="button button--small" onClick={() => agent.connect()}>
          Retry now
        </button>
      </div>
    );
  }
  if (status === 'disconnected') {
    return (
      <div
        className="banner banner--bad"
        data-testid="connection-banner"
        data-status={status}
        role="status"
      >
        <span>Disconnected from the presence service.</span>
        <button type="button" className="button button--small" onClick={() => agent.connect()}>
          Reconnect
        </button>
      </div>
    );
  }
  if (status === 'connected' && lastError) {
    return (
      <div
        className="banner banner--warn"
        data-testid="connection-banner"
        data-status="error"
        role="status"
      >
        <span>
          {lastError.source === 'sync'
            ? 'Could not load the visitors'
            : 'The service reported a problem'}
          : {lastError.message} <span className="muted">({lastError.code})</span>. Retrying
          automatically.
        </span>
      </div>
    );
  }
  return null;
}
