import type { AgentSession } from '@beckon/core/agent';
import type { PointerMessage } from '../agentPointer.js';
import { decodeEvents } from '../codec.js';

/** Where the viewer is. */
export type CobrowseViewerStatus =
  /** No snapshot of the page yet (just joined, or resyncing after falling behind). */
  | 'waiting'
  /** Showing the visitor's page live. */
  | 'live'
  /** The visitor's page left the session channel (a page load); the last view stays. */
  | 'paused'
  /** The session is over. */
  | 'ended';

/** What the viewer shows, as a plain object (a new one on every change). */
export interface CobrowseViewerState {
  status: CobrowseViewerStatus;
  /** The visitor's viewport in CSS pixels, once the first snapshot arrived. */
  viewport: { width: number; height: number } | undefined;
  /** The scale the view is drawn at to fit the container. */
  scale: number;
}

/** Options of {@link mountCobrowseViewer}. */
export interface CobrowseViewerOptions {
  /** Where the view goes; it is scaled to fit. */
  container: HTMLElement;
  /** The session to show: `await agent.joinSession(sessionKey)`. */
  session: AgentSession;
  /** Send the agent's pointer and clicks to the visitor's page. Default true. */
  agentPointer?: boolean;
  /** How far behind the visitor the view plays, smoothing uneven arrival, in ms. Default 250. */
  bufferMs?: number;
}

/** A mounted viewer; see {@link mountCobrowseViewer}. */
export interface CobrowseViewer {
  getSnapshot(): CobrowseViewerState;
  subscribe(listener: (state: CobrowseViewerState) => void): () => void;
  /** Fits the view to the container again (done by itself where `ResizeObserver` exists). */
  fit(): void;
  /** Removes the view; the session handle is left as it is (call `leave()` to stop watching). */
  destroy(): void;
}

/** The replayer's look: rrweb's mouse cursor and click ring, scoped to the viewer. */
const STYLE = `
.beckon-viewer { position: relative; overflow: hidden; }
.beckon-viewer__stage { position: absolute; left: 0; top: 0; transform-origin: 0 0; }
.beckon-viewer .replayer-wrapper { position: relative; }
.beckon-viewer iframe { border: 0; background: #fff; display: block; }
.beckon-viewer .replayer-mouse { position: absolute; width: 20px; height: 20px;
  transition: left 0.05s linear, top 0.05s linear; z-index: 2;
  background: no-repeat center/contain url('data:image/svg+xml;utf8,<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M3 2l7 19 2.5-7.5L20 11z" fill="%23111827" stroke="%23fff" stroke-width="1.5" stroke-linejoin="round"/></svg>'); }
.beckon-viewer .replayer-mouse::after { content: ''; display: inline-block; width: 20px; height: 20px;
  border-radius: 50%; background: rgb(37 99 235); opacity: 0; transform: translate(-50%, -50%); }
.beckon-viewer .replayer-mouse.active::after { animation: beckon-click 0.3s ease-in-out 1; }
.beckon-viewer .replayer-mouse-tail { display: none; }
.beckon-viewer__input { position: absolute; inset: 0; cursor: crosshair; z-index: 3; }
@keyframes beckon-click { 0% { opacity: 0.4; width: 20px; height: 20px; }
  100% { opacity: 0; width: 48px; height: 48px; } }
`;

interface ReplayEvent {
  type: number;
  timestamp: number;
}

/** The least the viewer needs of rrweb's `Replayer`. */
interface LiveReplayer {
  startLive(baselineTime?: number): void;
  addEvent(event: unknown): void;
  on(event: string, handler: (payload: unknown) => void): unknown;
  destroy(): void;
}

const POINTER_EVERY_MS = 50;

/**
 * Mounts a live view of a co-browse session into `container`: rrweb's replayer in live
 * mode, fed with the session's messages as they arrive, scaled to fit the container, with
 * the visitor's pointer and clicks. Unless `agentPointer` is false, the agent's own pointer
 * over the view is sent to the visitor's page (shown there, never acted on).
 *
 * @example
 * import { mountCobrowseViewer } from '@beckon/cobrowse/viewer';
 *
 * const session = await agent.joinSession('alice-42');
 * const viewer = mountCobrowseViewer({ container: document.getElementById('view')!, session });
 * viewer.subscribe(({ status }) => (badge.textContent = status));
 */
export function mountCobrowseViewer(options: CobrowseViewerOptions): CobrowseViewer {
  const { container, session } = options;
  const doc = container.ownerDocument;
  const bufferMs = options.bufferMs ?? 250;
  let state: CobrowseViewerState = {
    status: session.state === 'ended' ? 'ended' : 'waiting',
    viewport: undefined,
    scale: 1,
  };
  const listeners = new Set<(state: CobrowseViewerState) => void>();
  const set = (patch: Partial<CobrowseViewerState>) => {
    const next = { ...state, ...patch };
    if (
      next.status === state.status &&
      next.scale === state.scale &&
      next.viewport?.width === state.viewport?.width &&
      next.viewport?.height === state.viewport?.height
    ) {
      return;
    }
    state = next;
    for (const listener of [...listeners]) listener(state);
  };

  container.classList.add('beckon-viewer');
  const style = doc.createElement('style');
  style.textContent = STYLE;
  const stage = doc.createElement('div');
  stage.className = 'beckon-viewer__stage';
  stage.setAttribute('data-testid', 'cobrowse-stage');
  container.append(style, stage);

  let replayer: LiveReplayer | undefined;
  let loading: Promise<void> | undefined;
  let destroyed = false;
  let chain: Promise<void> = Promise.resolve();

  const fit = () => {
    const viewport = state.viewport;
    if (!viewport) return;
    const cw = container.clientWidth;
    const ch = container.clientHeight;
    if (cw === 0 || ch === 0) return;
    const scale = Math.min(cw / viewport.width, ch / viewport.height);
    stage.style.width = `${viewport.width}px`;
    stage.style.height = `${viewport.height}px`;
    stage.style.transform = `translate(${Math.max(0, (cw - viewport.width * scale) / 2)}px, ${Math.max(0, (ch - viewport.height * scale) / 2)}px) scale(${scale})`;
    set({ scale });
  };

  const start = async (first: ReplayEvent) => {
    const { Replayer } = await import('@rrweb/replay');
    if (destroyed) return;
    const r = new Replayer([], {
      root: stage,
      liveMode: true,
      mouseTail: false,
      showWarning: false,
      showDebug: false,
      triggerFocus: false,
      UNSAFE_replayCanvas: false,
    }) as unknown as LiveReplayer;
    r.on('resize', (payload) => {
      const { width, height } = payload as { width: number; height: number };
      set({ viewport: { width, height } });
      fit();
    });
    // Visitor time: the view plays `bufferMs` behind the first event it was given.
    r.startLive(first.timestamp - bufferMs);
    replayer = r;
  };

  // Messages are decoded in order; until the first snapshot there is nothing to apply
  // changes to, so they are skipped.
  const offs = [
    session.on('message', ({ kind, data }) => {
      chain = chain
        .then(async () => {
          if (destroyed) return;
          if (!replayer && kind !== 'snapshot') return;
          const events = (await decodeEvents(data)) as ReplayEvent[];
          const first = events[0];
          if (!first) return;
          if (!replayer) {
            loading ??= start(first);
            await loading;
          }
          for (const event of events) replayer?.addEvent(event);
          if (kind === 'snapshot') set({ status: 'live' });
        })
        .catch((error: unknown) => {
          console.error('beckon viewer: a message could not be shown', error);
          session.resync();
        });
    }),
    session.on('resync', () => set({ status: state.status === 'ended' ? 'ended' : 'waiting' })),
    session.on('host', ({ connected }) => {
      if (!connected && state.status !== 'ended') set({ status: 'paused' });
    }),
    session.on('ended', () => set({ status: 'ended' })),
  ];

  // The agent's pointer, in the visitor's viewport coordinates, a few times a second.
  if (options.agentPointer !== false) {
    const input = doc.createElement('div');
    input.className = 'beckon-viewer__input';
    input.setAttribute('data-testid', 'cobrowse-input');
    container.append(input);
    let last = 0;
    const point = (event: PointerEvent, t: PointerMessage['t']) => {
      const viewport = state.viewport;
      if (!viewport || state.status === 'ended') return;
      const rect = stage.getBoundingClientRect();
      const x = Math.round((event.clientX - rect.left) / state.scale);
      const y = Math.round((event.clientY - rect.top) / state.scale);
      if (x < 0 || y < 0 || x > viewport.width || y > viewport.height) {
        if (t === 'p') session.send(JSON.stringify({ t: 'h' }));
        return;
      }
      session.send(JSON.stringify({ t, x, y }));
    };
    input.addEventListener('pointermove', (event) => {
      const now = Date.now();
      if (now - last < POINTER_EVERY_MS) return;
      last = now;
      point(event, 'p');
    });
    input.addEventListener('click', (event) => point(event as PointerEvent, 'c'));
    input.addEventListener('pointerleave', () => session.send(JSON.stringify({ t: 'h' })));
  }

  const observer =
    typeof ResizeObserver === 'function' ? new ResizeObserver(() => fit()) : undefined;
  observer?.observe(container);

  return {
    getSnapshot: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    fit,
    destroy() {
      if (destroyed) return;
      destroyed = true;
      for (const off of offs) off();
      observer?.disconnect();
      try {
        replayer?.destroy();
      } catch {
        // Already torn down with its container.
      }
      container.replaceChildren();
      container.classList.remove('beckon-viewer');
      listeners.clear();
    },
  };
}
