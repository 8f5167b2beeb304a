import {
  type CobrowseViewer,
  type CobrowseViewerState,
  mountCobrowseViewer,
} from '@beckon/cobrowse/viewer';
import { AgentRequestError, type AgentSession } from '@beckon/core/agent';
import { useAgent } from '@beckon/ui-react';
import { useEffect, useRef, useState } from 'react';

/** What the panel shows besides the view itself. */
type Watch =
  | { step: 'idle' }
  | { step: 'joining' }
  | { step: 'watching'; session: AgentSession }
  | { step: 'failed'; message: string };

const STATUS_TEXT: Record<CobrowseViewerState['status'], string> = {
  waiting: 'Waiting for the page…',
  live: 'Live',
  paused: 'The visitor’s page is loading…',
  ended: 'The session ended',
};

/**
 * The live view of a visitor's co-browse session: joins it as soon as the session runs
 * (unless the agent left it), shows the page scaled to the panel with the visitor's
 * pointer, sends the agent's pointer back, and offers Leave and End session.
 *
 * @example
 * <LiveView visitorId="alice-42" sessionKey="alice-42" />
 */
export function LiveView({ visitorId, sessionKey }: { visitorId: string; sessionKey: string }) {
  const agent = useAgent();
  const container = useRef<HTMLDivElement>(null);
  const [watch, setWatch] = useState<Watch>({ step: 'idle' });
  const [left, setLeft] = useState(false);
  const [view, setView] = useState<CobrowseViewerState | undefined>(undefined);
  const [viewers, setViewers] = useState(0);
  const [attempt, setAttempt] = useState(0);

  // Join while the session runs and the agent has not left it; `attempt` asks again.
  // biome-ignore lint/correctness/useExhaustiveDependencies: attempt re-runs the join on "Watch live"
  useEffect(() => {
    if (left) return;
    let cancelled = false;
    let session: AgentSession | undefined;
    setWatch({ step: 'joining' });
    agent.joinSession(sessionKey).then(
      (joined) => {
        if (cancelled) {
          joined.leave();
          return;
        }
        session = joined;
        setViewers(joined.viewers);
        setWatch({ step: 'watching', session: joined });
      },
      (error: unknown) => {
        if (cancelled) return;
        const message =
          error instanceof AgentRequestError && error.code === 'sessionNotFound'
            ? 'The session is not running any more.'
            : `Could not join: ${error instanceof Error ? error.message : String(error)}`;
        setWatch({ step: 'failed', message });
      },
    );
    return () => {
      cancelled = true;
      session?.leave();
    };
  }, [agent, sessionKey, left, attempt]);

  // The view, for as long as this agent watches.
  useEffect(() => {
    if (watch.step !== 'watching' || !container.current) return;
    const viewer: CobrowseViewer = mountCobrowseViewer({
      container: container.current,
      session: watch.session,
    });
    setView(viewer.getSnapshot());
    // Counts that arrived between joining and now are on the handle already.
    setViewers(watch.session.viewers);
    const offs = [
      viewer.subscribe(setView),
      watch.session.on('viewers', ({ viewers: n }) => setViewers(n)),
    ];
    return () => {
      for (const off of offs) off();
      viewer.destroy();
      setView(undefined);
    };
  }, [watch]);

  const session = watch.step === 'watching' ? watch.session : undefined;
  const status = view?.status ?? (watch.step === 'joining' ? 'waiting' : undefined);
  return (
    <section className="live" data-testid="live-view" aria-label={`Live view of ${visitorId}`}>
      <header className="live__head">
        <h3 className="detail__section">Live view</h3>
        <span
          className={`badge live__status live__status--${status ?? 'off'}`}
          data-testid="live-status"
          data-status={status ?? 'off'}
          role="status"
        >
          {left ? 'Not watching' : status ? STATUS_TEXT[status] : 'Not watching'}
        </span>
        {session ? (
          <span className="muted" data-testid="live-viewers">
            {viewers === 1 ? '1 viewer' : `${viewers} viewers`}
          </span>
        ) : null}
        {view?.viewport ? (
          <span className="muted" data-testid="live-size">
            {view.viewport.width}×{view.viewport.height} at {Math.round(view.scale * 100)}%
          </span>
        ) : null}
        <span className="live__actions">
          {left || watch.step === 'failed' ? (
            <button
              type="button"
              className="button"
              data-testid="live-join"
              onClick={() => {
                setLeft(false);
                setAttempt((n) => n + 1);
              }}
            >
              Watch live
            </button>
          ) : (
            <button
              type="button"
              className="button"
              data-testid="live-leave"
              disabled={!session}
              onClick={() => setLeft(true)}
            >
              Leave
            </button>
          )}
          <button
            type="button"
            className="button button--danger"
            data-testid="live-end"
            disabled={!session || status === 'ended'}
            onClick={() => session?.end('ended by the agent')}
          >
            End session
          </button>
        </span>
      </header>
      {watch.step === 'failed' ? (
        <p className="muted" data-testid="live-error">
          {watch.message}
        </p>
      ) : null}
      <div
        className={`live__view${session && !left ? '' : ' live__view--off'}`}
        ref={container}
        data-testid="live-container"
      />
      {session && !left ? (
        <p className="muted live__hint">
          Your pointer over the view is shown on the visitor’s page; you cannot click or type for
          them.
        </p>
      ) : null}
    </section>
  );
}
