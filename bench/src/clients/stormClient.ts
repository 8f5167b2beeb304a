/**
 * A load process of real visitors: `createVisitor` over `webSocketTransport` (with `ws`),
 * exactly what an app runs, so the reconnect storm measures the product's own back-off and
 * its handling of the drain's 4100 delay hint. Commands: `start` (connect all, ramped),
 * `mark` (the server is about to go), `progress` (counts since the mark).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createVisitor, type Transport, type Visitor } from '@beckon/core';
import { webSocketTransport } from '@beckon/transport-ws';
import { WebSocket } from 'ws';
import { BENCH_GROUP } from '../lib/benchGroup.js';
import { serveRpc, sleep } from '../lib/serveRpc.js';

let attempts = 0;

/** `ws`'s WebSocket, counting every connection attempt the transport makes. */
class CountingWebSocket extends WebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    attempts++;
    super(url, protocols, { perMessageDeflate: false });
  }
}

const visitors: Visitor[] = [];
const connected = new Set<number>();
let markAt: number | undefined;
/** Wall-clock times (ms since the epoch) of `connected` events after the mark. */
let reconnectTimes: number[] = [];
const back = new Set<number>();
let attemptsAtMark = 0;
let cpuAtMark = 0;
// How far behind this process runs: 5,000 visitors reconnecting at once can swamp it, and
// then its own timestamps (and handshake timeouts) say more about it than about the server.
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
const cpuNow = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};
let failures = new Map<string, number>();

// Group failure reasons without ports and numbers, so they can be counted.
const classify = (code: number, reason: string) =>
  `${code} ${reason
    .replace(/ws:\/\/[^\s:]+:\d+\/?/g, 'ws://…')
    .replace(/\d+/g, 'N')
    .slice(0, 100)}`;

/** How long a process that refused a connection is skipped, as nginx's `fail_timeout`. */
const SKIP_FAILED_MS = 2_000;

/**
 * A transport over several processes that behaves like the load balancer of
 * docs/scaling.md: each attempt goes to the next process in turn, skipping for a while one
 * that just failed to open a connection (nginx's passive health check, `max_fails=1`).
 */
function balanced(urls: string[]): Transport {
  const transports = urls.map((u) => webSocketTransport({ url: u, WebSocket: CountingWebSocket }));
  const failedAt = new Map<number, number>();
  let turn = 0;
  return (handlers) => {
    const now = Date.now();
    let pick = turn++ % urls.length;
    for (let i = 0; i < urls.length; i++) {
      const candidate = (turn + i) % urls.length;
      if (now - (failedAt.get(candidate) ?? 0) >= SKIP_FAILED_MS) {
        pick = candidate;
        break;
      }
    }
    let opened = false;
    return transports[pick]!({
      open: () => {
        opened = true;
        handlers.open();
      },
      message: (data) => handlers.message(data),
      close: (info) => {
        if (!opened) failedAt.set(pick, Date.now());
        handlers.close(info);
      },
    });
  };
}

interface StartArgs {
  url: string;
  /** Several processes: each connection attempt goes to the next, as a load balancer would. */
  urls?: string[];
  prefix: string;
  count: number;
  /** New visitors per second while ramping up (the initial connect is not measured). */
  rampPerSec: number;
  timeoutMs: number;
}

async function start(args: StartArgs) {
  const { url, urls, prefix, count, rampPerSec, timeoutMs } = args;
  const transport = urls
    ? balanced(urls)
    : webSocketTransport({ url, WebSocket: CountingWebSocket });
  const began = Date.now();
  const batch = Math.max(1, Math.round(rampPerSec / 20));
  for (let i = 0; i < count; i += batch) {
    for (let j = i; j < Math.min(count, i + batch); j++) {
      const visitor = createVisitor({ transport });
      visitors.push(visitor);
      visitor.on('connected', () => {
        connected.add(j);
        if (markAt !== undefined && !back.has(j)) {
          back.add(j);
          reconnectTimes.push(Date.now());
        }
      });
      visitor.on('connectFail', (e) => {
        connected.delete(j);
        if (markAt === undefined) return;
        const key = classify(e.code, e.reason);
        failures.set(key, (failures.get(key) ?? 0) + 1);
      });
      visitor.init({ groupId: BENCH_GROUP, visitorId: `${prefix}${j}` });
      visitor.connect();
    }
    await sleep(50);
  }
  const deadline = Date.now() + timeoutMs;
  while (connected.size < count && Date.now() < deadline) await sleep(50);
  return { connected: connected.size, attempts, wallMs: Date.now() - began };
}

function mark() {
  markAt = Date.now();
  attemptsAtMark = attempts;
  cpuAtMark = cpuNow();
  loop.reset();
  reconnectTimes = [];
  back.clear();
  failures = new Map();
  return { at: markAt };
}

function progress() {
  return {
    count: visitors.length,
    connectedNow: connected.size,
    back: back.size,
    attempts: attempts - attemptsAtMark,
    reconnectTimes,
    failures: Object.fromEntries(failures),
    cpuUs: markAt === undefined ? 0 : cpuNow() - cpuAtMark,
    sinceMarkMs: markAt === undefined ? 0 : Date.now() - markAt,
    loopDelayP99: Math.round(loop.percentile(99) / 1e4) / 100,
    loopDelayMax: Math.round(loop.max / 1e4) / 100,
  };
}

serveRpc({
  start: (a) => start(a as unknown as StartArgs),
  mark: () => mark(),
  progress: () => progress(),
});
