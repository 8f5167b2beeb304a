import type { AgentStatus } from '@beckon/core/agent';

const LABELS: Record<AgentStatus, string> = {
  idle: 'Not connected',
  connecting: 'Connecting',
  connected: 'Connected',
  reconnecting: 'Reconnecting',
  disconnected: 'Disconnected',
  refused: 'Refused',
};

/**
 * The agent's connection status as a coloured badge. The `agent-status` element's text is
 * exactly the status word (`connected`, `reconnecting`, …) for tests; the attempt number
 * sits next to it.
 *
 * @example
 * <StatusBadge status="reconnecting" attempt={2} />
 */
export function StatusBadge({ status, attempt }: { status: AgentStatus; attempt: number }) {
  return (
    <span className={`status status--${status}`} title={LABELS[status]}>
      <span className="status__dot" aria-hidden="true" />
      <span data-testid="agent-status" data-attempt={attempt}>
        {status}
      </span>
      {status === 'reconnecting' && attempt > 0 ? (
        <span className="status__attempt"> (attempt {attempt})</span>
      ) : null}
    </span>
  );
}
