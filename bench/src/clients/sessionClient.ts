/**
 * A load process of co-browse sessions: each session is a visitor (presence connection and
 * session host) replaying a recorded page's stream (bench/fixtures/session-stream.json) at
 * its recorded pace, and an agent's viewer receiving it — raw `ws` clients speaking the
 * session protocol, so the client costs little and the same for every session. Driven over
 * IPC: `open` (connect and start streaming), `mark` (counters), `close`.
 */
import { readFileSync } from 'node:fs';
import { type RawData, WebSocket } from 'ws';
import { BENCH_GROUP } from '../lib/benchGroup.js';
import { serveRpc, sleep } from '../lib/serveRpc.js';

interface FixtureMessage {
  at: number;
  kind: 'snapshot' | 'delta' | 'transient';
  data: string;
}

interface Host {
  ws: WebSocket;
  seq: number;
  /** Index of the next message to replay, and when the current loop started. */
  next: number;
  loopStart: number;
  resync: boolean;
}

const CHUNK = 60_000;
let fixture: FixtureMessage[] = [];
let loopMs = 1;
const hosts: Host[] = [];
const sockets: WebSocket[] = [];
const counters = { hostChars: 0, viewerChars: 0, messages: 0, chunksIn: 0, resyncs: 0 };
let timer: NodeJS.Timeout | undefined;

const text = (data: RawData) => data.toString();

/** Opens a socket and says `hello`; resolves with the first answer (a welcome, or not). */
function open(
  url: string,
  hello: object,
  timeoutMs = 20_000,
): Promise<{ ws: WebSocket; first: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const timeout = setTimeout(() => reject(new Error(`no answer from ${url}`)), timeoutMs);
    ws.on('error', reject);
    ws.on('open', () => ws.send(JSON.stringify(hello)));
    ws.once('message', (data) => {
      clearTimeout(timeout);
      const first = JSON.parse(text(data)) as Record<string, unknown>;
      if (first.type !== 'welcome') reject(new Error(`refused: ${text(data).slice(0, 200)}`));
      else resolve({ ws, first });
    });
    sockets.push(ws);
  });
}

/** The next frame of `type` on a socket. */
function next(ws: WebSocket, type: string, timeoutMs = 20_000): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timeout = setTimeout(() => reject(new Error(`no ${type}`)), timeoutMs);
    const listener = (data: RawData) => {
      const m = JSON.parse(text(data)) as Record<string, unknown>;
      if (m.type !== type) return;
      clearTimeout(timeout);
      ws.off('message', listener);
      resolve(m);
    };
    ws.on('message', listener);
  });
}

function send(host: Host, message: FixtureMessage) {
  const parts = Math.max(1, Math.ceil(message.data.length / CHUNK));
  for (let part = 0; part < parts; part++) {
    const frame = JSON.stringify({
      type: 'chunk',
      seq: host.seq,
      part,
      parts,
      kind: message.kind,
      data: message.data.slice(part * CHUNK, (part + 1) * CHUNK),
    });
    host.ws.send(frame);
    counters.hostChars += frame.length;
  }
  host.seq += 1;
  counters.messages += 1;
}

// Every 10 ms each host sends what its recorded timeline says is due (looping after the
// snapshot), and a snapshot first when the service asked for one.
function pump() {
  const now = performance.now();
  for (const host of hosts) {
    if (host.ws.readyState !== WebSocket.OPEN) continue;
    if (host.resync) {
      host.resync = false;
      send(host, fixture[0] as FixtureMessage);
    }
    // Bounded: at most one pass over the fixture per tick.
    for (let i = 0; i < fixture.length; i++) {
      if (host.next >= fixture.length) {
        host.next = 1;
        host.loopStart += loopMs;
      }
      const message = fixture[host.next] as FixtureMessage;
      if (host.loopStart + message.at > now) break;
      send(host, message);
      host.next += 1;
    }
  }
}

interface OpenArgs {
  url: string;
  sessionUrl: string;
  agentToken: string;
  sessions: number;
  /** Replay this many times faster than recorded. */
  speed: number;
  fixture: string;
}

async function openSessions(args: OpenArgs) {
  const speed = Math.max(0.1, args.speed);
  fixture = (
    JSON.parse(readFileSync(args.fixture, 'utf8')) as { messages: FixtureMessage[] }
  ).messages.map((m) => ({ ...m, at: m.at / speed }));
  loopMs = (fixture.at(-1)?.at ?? 0) + 500 / speed;
  if (args.sessions === 0) return { hosts: 0, viewers: 0 };
  const { ws: agent } = await open(args.url, {
    type: 'hello',
    v: 1,
    role: 'agent',
    groupId: BENCH_GROUP,
    token: args.agentToken,
  });
  const start = performance.now();
  for (let i = 0; i < args.sessions; i++) {
    const visitorId = `session-${i}`;
    const { ws: presence } = await open(args.url, {
      type: 'hello',
      v: 1,
      role: 'visitor',
      groupId: BENCH_GROUP,
      visitorId,
      visible: true,
    });
    presence.send(
      JSON.stringify({ type: 'sessionStart', sessionKey: visitorId, presenceStart: true }),
    );
    presence.send(JSON.stringify({ type: 'sessionTicket', sessionKey: visitorId }));
    const { ticket } = await next(presence, 'sessionTicket');
    const { ws } = await open(args.sessionUrl, { type: 'hello', v: 1, ticket });
    // Spread out: each host starts at another point of the recording.
    const host: Host = {
      ws,
      seq: 0,
      next: 1,
      loopStart: start - (i * loopMs) / args.sessions,
      resync: false,
    };
    ws.on('message', (data) => {
      if (text(data).startsWith('{"type":"resync"')) {
        host.resync = true;
        counters.resyncs += 1;
      }
    });
    hosts.push(host);
    agent.send(JSON.stringify({ type: 'joinSession', id: i + 1, sessionKey: visitorId }));
    const reply = await next(agent, 'sessionTicket');
    const { ws: viewer } = await open(args.sessionUrl, {
      type: 'hello',
      v: 1,
      ticket: reply.ticket,
    });
    viewer.on('message', (data) => {
      counters.viewerChars += (data as Buffer).length;
      counters.chunksIn += 1;
    });
  }
  timer = setInterval(pump, 10);
  return { hosts: hosts.length, viewers: hosts.length };
}

function mark() {
  const cpu = process.cpuUsage();
  return { ...counters, at: performance.now(), cpuUs: cpu.user + cpu.system };
}

async function close() {
  if (timer) clearInterval(timer);
  for (const ws of sockets) ws.terminate();
  await sleep(50);
  return { ok: true };
}

serveRpc({
  open: (a) => openSessions(a as unknown as OpenArgs),
  mark: () => mark(),
  close: () => close(),
});
