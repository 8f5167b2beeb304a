/**
 * A load process for the soak: real visitors (`createVisitor` over `webSocketTransport`)
 * that behave like an app's users for minutes on end — they report presence, go hidden and
 * come back, decline the consent dialog a moment after it shows, and lose their connection
 * at random (the transport's socket is destroyed under them; the visitor reconnects by
 * itself). Presence is not queued while disconnected (the spec's rule), so each visitor
 * says where it is again on every `connected`, as an app does.
 *
 * Commands: `start` (connect all, ramped), `behave` (start or change the random behaviour),
 * `quiesce` (stop it), `status` (counts), `latest` (each visitor's last presence URL and
 * visibility).
 */
import { createVisitor, type Visitor } from '@beckon/core';
import { webSocketTransport } from '@beckon/transport-ws';
import { WebSocket } from 'ws';
import { BENCH_GROUP } from '../lib/benchGroup.js';
import { serveRpc, sleep } from '../lib/serveRpc.js';

interface SoakVisitor {
  id: string;
  visitor: Visitor;
  /** The socket under it now, destroyed to simulate a dropped link. */
  socket: WebSocket | undefined;
  url: string;
  visible: boolean;
  connected: boolean;
}

const visitors: SoakVisitor[] = [];
let creating: SoakVisitor | undefined;
const counts = {
  connects: 0,
  reconnects: 0,
  drops: 0,
  presence: 0,
  presenceUnsent: 0,
  visibility: 0,
  shown: 0,
  connectFail: {} as Record<string, number>,
};

/** `ws`'s WebSocket, remembered by the visitor that opens it. */
class TrackedWebSocket extends WebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    super(url, protocols, { perMessageDeflate: false });
    const owner = creating;
    if (owner) owner.socket = this;
  }
}

function sendPresence(v: SoakVisitor) {
  // While disconnected the visitor reports a send failure; `connected` sends it again.
  if (v.visitor.getSnapshot().connection === 'connected') counts.presence += 1;
  else counts.presenceUnsent += 1;
  v.visitor.presence({ url: v.url, c_soak: '1' });
}

async function start(args: { url: string; prefix: string; count: number; rampPerSec: number }) {
  const transport = webSocketTransport({ url: args.url, WebSocket: TrackedWebSocket });
  const batch = Math.max(1, Math.round(args.rampPerSec / 20));
  for (let i = 0; i < args.count; i += batch) {
    for (let j = i; j < Math.min(args.count, i + batch); j++) {
      const v: SoakVisitor = {
        id: `${args.prefix}${j}`,
        visitor: undefined as unknown as Visitor,
        socket: undefined,
        url: '/start',
        visible: true,
        connected: false,
      };
      // The transport opens sockets later, inside the visitor: route each to its visitor.
      const wrapped: typeof transport = (handlers) => {
        creating = v;
        try {
          return transport(handlers);
        } finally {
          creating = undefined;
        }
      };
      v.visitor = createVisitor({
        transport: wrapped,
        reconnect: { initialDelayMs: 250, maxDelayMs: 5_000 },
        ui: {
          show(_request, respond) {
            counts.shown += 1;
            const timer = setTimeout(() => respond('declined'), 100);
            return () => clearTimeout(timer);
          },
        },
      });
      v.visitor.on('connected', ({ reconnected }) => {
        v.connected = true;
        counts.connects += 1;
        if (reconnected) counts.reconnects += 1;
        sendPresence(v);
      });
      v.visitor.on('connectFail', ({ code }) => {
        v.connected = false;
        counts.connectFail[code] = (counts.connectFail[code] ?? 0) + 1;
      });
      v.visitor.init({ groupId: BENCH_GROUP, visitorId: v.id });
      v.visitor.connect();
      visitors.push(v);
    }
    await sleep(50);
  }
  const deadline = Date.now() + 120_000;
  while (visitors.some((v) => !v.connected) && Date.now() < deadline) await sleep(100);
  return { connected: visitors.filter((v) => v.connected).length };
}

/** Per-second rates, each a fraction of this process's visitors. */
interface Behaviour {
  presencePerSec: number;
  visibilityPerSec: number;
  dropPerSec: number;
}

let behaviour: Behaviour | undefined;
let loop: NodeJS.Timeout | undefined;
let pages = 0;
const TICK_MS = 100;

function act() {
  const b = behaviour;
  if (!b || visitors.length === 0) return;
  const pick = () => visitors[Math.floor(Math.random() * visitors.length)] as SoakVisitor;
  const times = (perSec: number) => {
    const n = (perSec * visitors.length * TICK_MS) / 1_000;
    return Math.floor(n) + (Math.random() < n % 1 ? 1 : 0);
  };
  for (let i = times(b.presencePerSec); i > 0; i--) {
    const v = pick();
    v.url = `/page/${++pages}`;
    sendPresence(v);
  }
  for (let i = times(b.visibilityPerSec); i > 0; i--) {
    const v = pick();
    v.visible = !v.visible;
    v.visitor.signalVisibility(v.visible);
    counts.visibility += 1;
  }
  for (let i = times(b.dropPerSec); i > 0; i--) {
    const v = pick();
    if (v.socket && v.socket.readyState === WebSocket.OPEN) {
      v.socket.terminate();
      counts.drops += 1;
    }
  }
}

serveRpc({
  start: (a) => start(a as unknown as Parameters<typeof start>[0]),
  behave: (a) => {
    behaviour = a as unknown as Behaviour;
    loop ??= setInterval(act, TICK_MS);
    return {};
  },
  quiesce: async () => {
    behaviour = undefined;
    if (loop) clearInterval(loop);
    loop = undefined;
    // Everyone shows, so nobody turns away while the run converges.
    for (const v of visitors) {
      if (!v.visible) {
        v.visible = true;
        v.visitor.signalVisibility(true);
      }
    }
    return {};
  },
  status: () => ({
    visitors: visitors.length,
    connected: visitors.filter((v) => v.connected).length,
    ...counts,
  }),
  latest: () => Object.fromEntries(visitors.map((v) => [v.id, { url: v.url, visible: v.visible }])),
});
