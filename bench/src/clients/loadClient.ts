/**
 * A load process: raw `ws` clients that speak just enough of either server's protocol, so
 * the same client code (and the same client cost) drives Beckon and the baseline relay.
 * The orchestrator drives it over IPC: `connect`, `agent`, `latency`, `throughput*`,
 * `status`. Every loop is bounded in count and time.
 *
 * Dialects:
 * - `beckon`: a visitor sends `hello` and is connected on `welcome`; the agent sends a
 *   `signal` request with a `visitorId`, the visitor answers `ack` with the service's id,
 *   the agent gets `delivered`. Presence is a `presence` frame, relayed as a `presence` event.
 * - `baseline`: a visitor is connected when the upgrade completes (`?id=` in the URL); the
 *   agent sends `<visitorId>\n<the same signal JSON>`, the visitor's `ack` (carrying the
 *   agent's id) is relayed to the agent as is, and so is a `presence` frame.
 */
import { type RawData, WebSocket } from 'ws';
import { BENCH_GROUP } from '../lib/benchGroup.js';
import type { ServerKind } from '../lib/ServerKind.js';
import { serveRpc, sleep } from '../lib/serveRpc.js';
import { summarize } from '../lib/summarize.js';

type Dialect = ServerKind;

interface Visitor {
  id: string;
  ws: WebSocket;
}

const WELCOME = '{"type":"welcome"';
const SIGNAL = '{"type":"signal"';
const PRESENCE = '{"type":"presence"';
/** What every visitor reports in the throughput scenario (same bytes for both servers). */
const PRESENCE_FRAME = '{"type":"presence","data":{"url":"/bench/catalog/page-1","c_step":"2"}}';

const visitors: Visitor[] = [];
let agent: WebSocket | undefined;
let closedAfterConnect = 0;
let onVisitorFrame: (v: Visitor, text: string) => void = () => {};
let onAgentFrame: (text: string) => void = () => {};

/** Opens one socket; resolves once connected in the dialect's sense. */
function open(url: string, hello: string | undefined, timeoutMs: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    let settled = false;
    const onFirst = (data: RawData) => {
      const text = data.toString();
      if (text.startsWith(WELCOME)) finish();
      else fail(new Error(`refused: ${text.slice(0, 160)}`));
    };
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.off('message', onFirst);
      if (error) {
        ws.terminate();
        reject(error);
      } else resolve(ws);
    };
    const fail = (error: Error) => finish(error);
    const timer = setTimeout(() => fail(new Error('connect timed out')), timeoutMs);
    // Stays installed: a later error must not become an uncaught exception.
    ws.on('error', (error) => fail(error));
    ws.on('close', (code) => fail(new Error(`closed with ${code} while connecting`)));
    ws.on('open', () => {
      if (hello === undefined) {
        finish();
        return;
      }
      ws.on('message', onFirst);
      ws.send(hello);
    });
  });
}

interface ConnectArgs {
  url: string;
  dialect: Dialect;
  prefix: string;
  from: number;
  count: number;
  concurrency: number;
  timeoutMs: number;
}

async function connect(args: ConnectArgs) {
  const { url, dialect, prefix, from, count, concurrency, timeoutMs } = args;
  const latency = new Float64Array(count);
  const errors = new Map<string, number>();
  let next = 0;
  let ok = 0;
  let failed = 0;
  const start = performance.now();
  const worker = async () => {
    // Bounded: each pass takes one index, and there are `count` of them.
    while (next < count) {
      const id = `${prefix}${from + next++}`;
      const began = performance.now();
      try {
        const ws =
          dialect === 'beckon'
            ? await open(
                url,
                JSON.stringify({
                  type: 'hello',
                  v: 1,
                  role: 'visitor',
                  groupId: BENCH_GROUP,
                  visitorId: id,
                  visible: true,
                }),
                timeoutMs,
              )
            : await open(`${url}?id=${id}`, undefined, timeoutMs);
        latency[ok++] = performance.now() - began;
        const visitor: Visitor = { id, ws };
        visitors.push(visitor);
        ws.on('message', (data) => onVisitorFrame(visitor, data.toString()));
        ws.on('close', () => {
          closedAfterConnect++;
        });
      } catch (error) {
        failed++;
        const key = (error instanceof Error ? error.message : String(error)).slice(0, 120);
        errors.set(key, (errors.get(key) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return {
    connected: ok,
    failed,
    wallMs: Math.round(performance.now() - start),
    latency: summarize(latency, ok),
    errors: Object.fromEntries([...errors].slice(0, 5)),
  };
}

interface AgentArgs {
  url: string;
  dialect: Dialect;
  agentToken?: string;
  watch: boolean;
  timeoutMs: number;
}

async function connectAgent(args: AgentArgs) {
  const { url, dialect, agentToken, watch, timeoutMs } = args;
  const hello =
    dialect === 'beckon'
      ? JSON.stringify({
          type: 'hello',
          v: 1,
          role: 'agent',
          groupId: BENCH_GROUP,
          token: agentToken,
        })
      : undefined;
  const ws = await open(
    dialect === 'beckon' ? url : `${url}?id=agent&role=agent`,
    hello,
    timeoutMs,
  );
  agent = ws;
  ws.on('message', (data) => onAgentFrame(data.toString()));
  if (dialect === 'beckon' && watch) {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('watch timed out')), timeoutMs);
      onAgentFrame = (text) => {
        if (!text.startsWith('{"type":"ok","id":1')) return;
        clearTimeout(timer);
        onAgentFrame = () => {};
        resolve();
      };
      ws.send('{"type":"watch","id":1}');
    });
  }
  return { ok: true };
}

interface LatencyArgs {
  dialect: Dialect;
  rate: number;
  durationMs: number;
  /** How long to wait for the last answers after the last send. */
  settleMs: number;
}

/**
 * Open loop: the agent sends `rate` signals a second to random visitors for `durationMs`,
 * on a 1 ms timer that catches up with the schedule. Delivery is measured where the visitor
 * receives the signal (same process, same clock), round trip where the agent gets the answer.
 */
async function latency(args: LatencyArgs) {
  const { dialect, rate, durationMs, settleMs } = args;
  const ws = agent;
  if (!ws || visitors.length === 0) throw new Error('connect visitors and the agent first');
  const total = Math.max(1, Math.round((rate * durationMs) / 1000));
  const sentAt = new Float64Array(total);
  const answered = new Uint8Array(total);
  const delivery = new Float64Array(total);
  const rtt = new Float64Array(total);
  const failures = new Map<string, number>();
  let deliveries = 0;
  let answers = 0;
  let failed = 0;
  let duplicates = 0;
  let sent = 0;

  onVisitorFrame = (v, text) => {
    if (!text.startsWith(SIGNAL)) return;
    const m = JSON.parse(text) as { id: number; properties: { n: string } };
    const n = Number(m.properties.n);
    if (deliveries < total) delivery[deliveries++] = performance.now() - (sentAt[n] ?? 0);
    v.ws.send(`{"type":"ack","id":${dialect === 'beckon' ? m.id : n}}`);
  };
  onAgentFrame = (text) => {
    const m = JSON.parse(text) as { type: string; id?: number; code?: string };
    if (typeof m.id !== 'number' || m.id < 0 || m.id >= total) return;
    if (m.type !== 'delivered' && m.type !== 'ack' && m.type !== 'failed') return;
    if (answered[m.id]) {
      duplicates++;
      return;
    }
    answered[m.id] = 1;
    if (m.type === 'failed') {
      failed++;
      failures.set(m.code ?? '?', (failures.get(m.code ?? '?') ?? 0) + 1);
      return;
    }
    rtt[answers++] = performance.now() - (sentAt[m.id] ?? 0);
  };

  const send = (n: number) => {
    const target = visitors[Math.floor(Math.random() * visitors.length)] as Visitor;
    const body = `{"type":"signal","id":${n},"name":"c_bench","properties":{"n":"${n}"}}`;
    sentAt[n] = performance.now();
    ws.send(
      dialect === 'beckon'
        ? `{"type":"signal","id":${n},"visitorId":"${target.id}","name":"c_bench","properties":{"n":"${n}"}}`
        : `${target.id}\n${body}`,
    );
  };

  const start = performance.now();
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000));
      while (sent < due) send(sent++);
      // Bounded in time as well as count: a stalled loop still ends.
      if (sent >= total || performance.now() - start > durationMs * 2 + 5_000) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  const sendWallMs = performance.now() - start;
  const settleUntil = performance.now() + settleMs;
  while (answers + failed < sent && performance.now() < settleUntil) await sleep(20);
  onVisitorFrame = () => {};
  onAgentFrame = () => {};
  return {
    sent,
    sendWallMs: Math.round(sendWallMs),
    received: deliveries,
    delivered: answers,
    failed,
    duplicates,
    lost: sent - answers - failed,
    failures: Object.fromEntries(failures),
    delivery: summarize(delivery, deliveries),
    rtt: summarize(rtt, answers),
  };
}

/**
 * Open loop, like `latency`: random visitors send `rate` presence frames a second for
 * `durationMs`; the watching agent receives each as a `presence` event. Send → receipt,
 * measured on one clock (the frame carries its index).
 */
async function presenceLatency(args: { rate: number; durationMs: number; settleMs: number }) {
  const { rate, durationMs, settleMs } = args;
  if (!agent || visitors.length === 0) throw new Error('connect visitors and the agent first');
  const total = Math.max(1, Math.round((rate * durationMs) / 1000));
  const sentAt = new Float64Array(total);
  const latency = new Float64Array(total);
  let received = 0;
  let sent = 0;
  onVisitorFrame = () => {};
  onAgentFrame = (text) => {
    if (!text.startsWith(PRESENCE)) return;
    const n = Number((JSON.parse(text) as { data: { c_n?: string } }).data.c_n);
    if (Number.isInteger(n) && n >= 0 && n < total && received < total) {
      latency[received++] = performance.now() - (sentAt[n] ?? 0);
    }
  };
  const start = performance.now();
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000));
      while (sent < due) {
        const v = visitors[Math.floor(Math.random() * visitors.length)] as Visitor;
        sentAt[sent] = performance.now();
        v.ws.send(`{"type":"presence","data":{"url":"/bench/p","c_n":"${sent}"}}`);
        sent++;
      }
      if (sent >= total || performance.now() - start > durationMs * 2 + 5_000) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  const settleUntil = performance.now() + settleMs;
  while (received < sent && performance.now() < settleUntil) await sleep(20);
  onAgentFrame = () => {};
  return { sent, received, latency: summarize(latency, received) };
}

// Throughput: a window of presence frames in flight, refilled as the agent receives them.
const flow = { running: false, window: 0, inflight: 0, sent: 0, relayed: 0, next: 0 };
let pumpQueued = false;

const pump = () => {
  pumpQueued = false;
  if (!flow.running) return;
  const n = visitors.length;
  // Bounded by the window.
  while (flow.inflight < flow.window) {
    const v = visitors[flow.next] as Visitor;
    flow.next = (flow.next + 1) % n;
    v.ws.send(PRESENCE_FRAME);
    flow.inflight++;
    flow.sent++;
  }
};

function throughputStart(args: { window: number }) {
  if (!agent || visitors.length === 0) throw new Error('connect visitors and the agent first');
  Object.assign(flow, { running: true, window: args.window, inflight: 0, sent: 0, relayed: 0 });
  onVisitorFrame = () => {};
  onAgentFrame = (text) => {
    if (!text.startsWith(PRESENCE)) return;
    flow.inflight--;
    flow.relayed++;
    if (!pumpQueued && flow.running) {
      pumpQueued = true;
      setImmediate(pump);
    }
  };
  pump();
  return { ok: true };
}

function throughputMark() {
  const cpu = process.cpuUsage();
  return { relayed: flow.relayed, at: performance.now(), cpuUs: cpu.user + cpu.system };
}

async function throughputStop(args: { settleMs: number }) {
  flow.running = false;
  const until = performance.now() + args.settleMs;
  while (flow.inflight > 0 && performance.now() < until) await sleep(20);
  onAgentFrame = () => {};
  return { sent: flow.sent, relayed: flow.relayed, unrelayed: flow.inflight };
}

function status() {
  let openCount = 0;
  for (const v of visitors) if (v.ws.readyState === WebSocket.OPEN) openCount++;
  return { open: openCount, closedAfterConnect, agentOpen: agent?.readyState === WebSocket.OPEN };
}

serveRpc({
  connect: (a) => connect(a as unknown as ConnectArgs),
  agent: (a) => connectAgent(a as unknown as AgentArgs),
  latency: (a) => latency(a as unknown as LatencyArgs),
  presenceLatency: (a) =>
    presenceLatency(a as { rate: number; durationMs: number; settleMs: number }),
  throughputStart: (a) => throughputStart(a as { window: number }),
  throughputMark: () => throughputMark(),
  throughputStop: (a) => throughputStop(a as { settleMs: number }),
  status: () => status(),
});
