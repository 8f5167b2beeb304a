import {
  defineSessionProvider,
  type SessionContext,
  type SessionMessageKind,
  type SessionProvider,
  type Transport,
  type Visitor,
} from '@beckon/core';
import { SessionCloseCode } from '@beckon/core/protocol';
import { createAgentPointer, parsePointer } from './agentPointer.js';
import { type EventEncoding, encodeEvents } from './codec.js';
import { type PrivacyOptions, recordPrivacy } from './privacy.js';
import { createSessionBanner, type SessionBannerOptions } from './sessionBanner.js';

/** Options of {@link cobrowseSession}. */
export interface CobrowseOptions extends PrivacyOptions {
  /**
   * The service's session endpoint, next to the presence one:
   * `webSocketTransport({ url: new URL('session', presenceUrl) })`.
   */
  transport: Transport;
  /** How long events are gathered into one message, in ms. Default 100. */
  batchMs?: number;
  /**
   * The Stop banner, on by default (with the consent dialog's language and overrides).
   * `false` only if the app shows its own: a visitor must always see that a session runs
   * and be able to stop it.
   */
  banner?: boolean | Omit<SessionBannerOptions, 'onStop' | 'document'>;
  /** Draw the agent's pointer and clicks on the page. Default true. */
  agentPointer?: boolean;
  /** Keep the session when the visitor moves to another page of the site, in this tab. Default true. */
  resume?: boolean;
  /** `gzip` (default where the browser can) or `json`. */
  encoding?: EventEncoding;
  document?: Document;
}

/** A co-browse session provider; pass it to `createVisitor({ session })`. */
export interface CobrowseSession extends SessionProvider {
  /**
   * Picks up, on this page, the session an earlier page of this tab was sharing: once the
   * visitor is connected it starts the session again with the same key — no second consent,
   * and a fresh snapshot for the agent. Returns the function that stops watching.
   */
  resume(visitor: Visitor): () => void;
}

/** Where a tab remembers its running session (its key only; nothing captured is kept). */
export const RESUME_KEY = 'beckon:cobrowse-session';

// rrweb's event types and incremental sources this file tells apart.
const FULL_SNAPSHOT = 2;
const INCREMENTAL = 3;
const META = 4;
const MOUSE_MOVE = 1;
const TOUCH_MOVE = 6;

interface RecordedEvent {
  type: number;
  data?: { source?: number };
}

/** What a recorded event is to the service: state, a change, or a droppable pointer move. */
function kindOf(event: RecordedEvent): SessionMessageKind {
  if (event.type === META || event.type === FULL_SNAPSHOT) return 'snapshot';
  if (
    event.type === INCREMENTAL &&
    (event.data?.source === MOUSE_MOVE || event.data?.source === TOUCH_MOVE)
  ) {
    return 'transient';
  }
  return 'delta';
}

function tabStorage(): Storage | undefined {
  try {
    return globalThis.sessionStorage;
  } catch {
    // Blocked storage: no resuming, the session still runs on this page.
    return undefined;
  }
}

interface Saved {
  groupId: string;
  visitorId: string;
  sessionKey: string;
  presenceStart: boolean;
}

/**
 * The co-browse session provider: while a session runs, the visitor's page is recorded with
 * rrweb — a full snapshot, then DOM changes, scrolling, the viewport, form input and the
 * pointer — batched every `batchMs`, compressed, and sent to the agents watching. Nothing is
 * loaded or recorded before the session starts, and nothing after it ends.
 *
 * Private by default: every form field's value is masked unless the field opts in
 * (`data-beckon-unmask`, or `unmaskSelector`), passwords always; elements marked
 * `data-beckon-private` (or `privateSelector`) reach the agent as empty boxes. A banner
 * tells the visitor the page is being viewed, with a Stop button that ends the session for
 * everyone. The agent's pointer and clicks are drawn on the page; the agent never controls it.
 *
 * @example
 * import { createVisitor } from '@beckon/core';
 * import { cobrowseSession } from '@beckon/cobrowse';
 * import { webSocketTransport } from '@beckon/transport-ws';
 *
 * const presence = 'wss://presence.example.com/';
 * const session = cobrowseSession({
 *   transport: webSocketTransport({ url: new URL('session', presence) }),
 *   unmaskSelector: '#search',
 * });
 * const visitor = createVisitor({ transport: webSocketTransport({ url: presence }), session });
 * session.resume(visitor); // the next page of a shared tab shares on
 */
export function cobrowseSession(options: CobrowseOptions): CobrowseSession {
  if (typeof options !== 'object' || options === null || typeof options.transport !== 'function') {
    throw new TypeError('cobrowseSession: options.transport must be a transport factory');
  }
  const batchMs = options.batchMs ?? 100;
  if (!(batchMs >= 0 && batchMs <= 10_000)) {
    throw new TypeError('cobrowseSession: options.batchMs must be between 0 and 10000');
  }
  const privacy = recordPrivacy(options);
  const resumable = options.resume ?? true;

  const start = (context: SessionContext) => {
    const doc = options.document ?? document;
    let stopped = false;
    let buffer: RecordedEvent[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    let chain: Promise<void> = Promise.resolve();
    let stopRecording: (() => void) | undefined;
    let takeSnapshot: (() => void) | undefined;

    const bannerOptions = typeof options.banner === 'object' ? options.banner : {};
    const banner =
      options.banner === false
        ? undefined
        : createSessionBanner({
            ...bannerOptions,
            document: doc,
            onStop: () => context.end('visitor stopped sharing'),
          });
    const pointer = options.agentPointer === false ? undefined : createAgentPointer(doc);

    if (resumable) {
      const saved: Saved = {
        groupId: context.groupId,
        visitorId: context.visitorId,
        sessionKey: context.sessionKey,
        presenceStart: context.presenceStart,
      };
      try {
        tabStorage()?.setItem(RESUME_KEY, JSON.stringify(saved));
      } catch {
        // Storage full or blocked: this page still shares.
      }
    }

    // Sends what was gathered, as messages of one kind each, in order. Encoding is
    // asynchronous (compression), so each batch waits for the one before.
    const flush = () => {
      timer = undefined;
      if (buffer.length === 0) return;
      const events = buffer;
      buffer = [];
      const runs: { kind: SessionMessageKind; events: RecordedEvent[] }[] = [];
      for (const event of events) {
        const kind = kindOf(event);
        const last = runs[runs.length - 1];
        if (last && last.kind === kind) last.events.push(event);
        else runs.push({ kind, events: [event] });
      }
      for (const run of runs) {
        chain = chain
          .then(async () => {
            if (stopped || context.viewers === 0) return;
            const data = await encodeEvents(run.events, options.encoding);
            if (!stopped && context.viewers > 0) context.send(run.kind, data);
          })
          .catch((error: unknown) => console.error('beckon cobrowse: could not send', error));
      }
    };

    const emit = (event: RecordedEvent) => {
      if (stopped) return;
      // Nobody watches: nothing is kept. The next viewer asks for a snapshot.
      if (context.viewers === 0) return;
      buffer.push(event);
      if (event.type === FULL_SNAPSHOT) {
        if (timer !== undefined) clearTimeout(timer);
        flush();
      } else if (timer === undefined) {
        timer = setTimeout(flush, batchMs);
      }
    };

    // Before the recorder has loaded there is nothing to do: it starts with a snapshot.
    const snapshot = () => takeSnapshot?.();

    const offs = [
      context.on('viewers', ({ viewers }) => {
        banner?.setViewers(viewers);
        if (viewers === 0) buffer = [];
      }),
      context.on('resync', snapshot),
      context.on('message', ({ data }) => {
        const m = parsePointer(data);
        if (m) pointer?.show(m);
      }),
      context.on('error', ({ fatal, code, message }) => {
        // Replaced: another page of this visitor streams the session now; it goes on there.
        if (fatal && code !== String(SessionCloseCode.replaced)) {
          context.end(`the session could not reach the service: ${message}`);
        }
      }),
    ];
    banner?.setViewers(context.viewers);

    // Loaded only now: a page that never shares never loads the recorder.
    import('@rrweb/record')
      .then(({ record }) => {
        if (stopped) return;
        stopRecording =
          record({
            emit: emit as (event: unknown) => void,
            ...privacy,
            // Every keystroke (not only on change): the agent follows the typing as it happens.
            sampling: { mousemove: 50, mousemoveCallback: 100, scroll: 100, input: 'all' },
            recordCanvas: false,
            collectFonts: false,
            inlineImages: false,
            slimDOMOptions: 'all',
          }) ?? undefined;
        takeSnapshot = () => record.takeFullSnapshot(true);
      })
      .catch((error: unknown) => {
        if (!stopped) {
          context.end(
            `the page could not be recorded: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      });

    return {
      stop() {
        stopped = true;
        if (timer !== undefined) clearTimeout(timer);
        buffer = [];
        stopRecording?.();
        for (const off of offs) off();
        banner?.remove();
        pointer?.remove();
        if (resumable) {
          try {
            tabStorage()?.removeItem(RESUME_KEY);
          } catch {
            // Nothing to forget.
          }
        }
      },
    };
  };

  return {
    ...defineSessionProvider({ transport: options.transport, start }),
    resume(visitor) {
      const check = () => {
        const state = visitor.getSnapshot();
        if (state.connection !== 'connected' || state.terms === 'session') return;
        let saved: Partial<Saved> | undefined;
        try {
          saved = JSON.parse(tabStorage()?.getItem(RESUME_KEY) ?? 'null') ?? undefined;
        } catch {
          saved = undefined;
        }
        if (typeof saved?.sessionKey !== 'string') return;
        // A session belongs to the visitor it was started for.
        if (saved.visitorId !== state.visitorId || saved.groupId !== state.groupId) {
          tabStorage()?.removeItem(RESUME_KEY);
          return;
        }
        visitor.startSession({
          key: saved.sessionKey,
          presenceStart: saved.presenceStart === true,
        });
      };
      const off = visitor.on('connected', check);
      check();
      return off;
    },
  };
}
