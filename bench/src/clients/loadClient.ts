/**
 * A load process: raw `ws` clients that speak just enough of each server's protocol, so the
 * same client code (and the same client cost) drives Beckon, Socket.IO and the bare relay.
 * What differs between them — URLs, handshakes, framing — is the dialect
 * (`loadDialects.ts`). The orchestrator drives it over IPC: `connect`, `agent`, `latency`,
 * `throughput*`, `status`. Every loop is bounded in count and time.
 */
import { WebSocket } from 'ws';
import type { ServerKind } from '../lib/ServerKind.js';
import { serveRpc, sleep } from '../lib/serveRpc.js';
import { summarize } from '../lib/summarize.js';
import { type LoadDialect, loadDialects } from './loadDialects.js';
import { listenSocket, openSocket } from './openSocket.js';

interface Visitor {
  id: string;
  ws: WebSocket;
}

/** What every visitor reports in the throughput scenario (the same data for every server). */
const PRESENCE_DATA = '{"url":"/bench/catalog/page-1","c_step":"2"}';

const visitors: Visitor[] = [];
let agent: WebSocket | undefined;
/** The dialect of the server this process is connected to (one per process). */
let dialect: LoadDialect = loadDialects.beckon;
let closedAfterConnect = 0;
let onVisitorFrame: (v: Visitor, text: string) => void = () => {};
let onAgentFrame: (text: string) => void = () => {};

interface ConnectArgs {
  url: string;
  dialect: ServerKind;
  prefix: string;
  from: number;
  count: number;
  concurrency: number;
  timeoutMs: number;
}

async function connect(args: ConnectArgs) {
  const { url, prefix, from, count, concurrency, timeoutMs } = args;
  dialect = loadDialects[args.dialect];
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
        const ws = await openSocket(
          dialect.visitorUrl(url, id),
          dialect.visitorHandshake(id),
          timeoutMs,
        );
        latency[ok++] = performance.now() - began;
        const visitor: Visitor = { id, ws };
        visitors.push(visitor);
        listenSocket(ws, dialect, (text) => onVisitorFrame(visitor, text));
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
  dialect: ServerKind;
  agentToken?: string;
  watch: boolean;
  timeoutMs: number;
}

async function connectAgent(args: AgentArgs) {
  const { url, agentToken, watch, timeoutMs } = args;
  dialect = loadDialects[args.dialect];
  const ws = await openSocket(dialect.agentUrl(url), dialect.agentHandshake(agentToken), timeoutMs);
  agent = ws;
  listenSocket(ws, dialect, (text) => onAgentFrame(text));
  const asked = dialect.watch;
  if (asked && watch) {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('watch timed out')), timeoutMs);
      onAgentFrame = (text) => {
        if (!asked.isDone(text)) return;
        clearTimeout(timer);
        onAgentFrame = () => {};
        resolve();
      };
      ws.send(asked.frame);
    });
  }
  return { ok: true };
}

interface LatencyArgs {
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
  const { rate, durationMs, settleMs } = args;
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

  const d = dialect;
  onVisitorFrame = (v, text) => {
    const signal = d.readSignal(text);
    if (!signal) return;
    if (deliveries < total) delivery[deliveries++] = performance.now() - (sentAt[signal.n] ?? 0);
    v.ws.send(signal.reply);
  };
  onAgentFrame = (text) => {
    const answer = d.readAnswer(text);
    if (!answer || answer.id < 0 || answer.id >= total) return;
    if (answered[answer.id]) {
      duplicates++;
      return;
    }
    answered[answer.id] = 1;
    if (answer.failed) {
      failed++;
      const code = answer.code ?? '?';
      failures.set(code, (failures.get(code) ?? 0) + 1);
      return;
    }
    rtt[answers++] = performance.now() - (sentAt[answer.id] ?? 0);
  };

  const send = (n: number) => {
    const target = visitors[Math.floor(Math.random() * visitors.length)] as Visitor;
    sentAt[n] = performance.now();
    ws.send(d.signal(n, target.id));
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
  const d = dialect;
  onAgentFrame = (text) => {
    if (!d.isPresence(text)) return;
    const n = Number(d.presenceData(text).c_n);
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
        v.ws.send(d.presence(`{"url":"/bench/p","c_n":"${sent}"}`));
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
const flow = { running: false, window: 0, inflight: 0, sent: 0, relayed: 0, next: 0, frame: '' };
let pumpQueued = false;

const pump = () => {
  pumpQueued = false;
  if (!flow.running) return;
  const n = visitors.length;
  // Bounded by the window.
  while (flow.inflight < flow.window) {
    const v = visitors[flow.next] as Visitor;
    flow.next = (flow.next + 1) % n;
    v.ws.send(flow.frame);
    flow.inflight++;
    flow.sent++;
  }
};

function throughputStart(args: { window: number }) {
  if (!agent || visitors.length === 0) throw new Error('connect visitors and the agent first');
  const d = dialect;
  Object.assign(flow, {
    running: true,
    window: args.window,
    inflight: 0,
    sent: 0,
    relayed: 0,
    frame: d.presence(PRESENCE_DATA),
  });
  onVisitorFrame = () => {};
  onAgentFrame = (text) => {
    if (!d.isPresence(text)) return;
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
