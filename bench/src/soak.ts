/**
 * `pnpm soak`: a bounded soak of the presence service. Thousands of real visitors (two load
 * processes) and a few agents (here) run for a few minutes against `beckon-server`'s engine
 * in its own process, while links drop at random, agents lose their connections, and the
 * service is killed and drained and started again. Afterwards it checks that nothing was
 * lost, and reports the service's memory along the way. Not part of the test command (its
 * `--smoke` run is); docs/reliability.md has the figures.
 *
 *   --minutes <n>    length of the run before the final check (default 5)
 *   --visitors <n>   default 3,000
 *   --agents <n>     default 4
 *   --smoke          150 visitors, 2 agents, about 30 s
 *   --out <file>     default bench/results/soak-<date>.json (smoke: bench/.build/soak-smoke.json)
 *
 * BENCH_HEAP_SNAPSHOTS=<dir> writes the service's heap snapshots at the end of the warm-up
 * and of the steady phase into <dir>, to compare what grew.
 *
 * Phases: warm-up (visitors connect, agents watch), steady churn (presence, visibility,
 * dropped links, dropped agents; the service's heap is sampled after a full GC), restarts
 * (the service is killed, then drained, in turn, while the churn goes on), and the check:
 * the churn stops, every visitor is back, every agent shows every visitor where it last
 * said it was, and every request the agents sent has ended delivered or with a typed error.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type Agent, AgentRequestError, createAgent } from '@beckon/core/agent';
import { webSocketTransport } from '@beckon/transport-ws';
import { WebSocket } from 'ws';
import { BENCH_GROUP } from './lib/benchGroup.js';
import { sleep } from './lib/serveRpc.js';
import { type Child, spawnChild } from './lib/spawnChild.js';
import { type RunningServer, startServer } from './lib/startServer.js';
import type { ServerStats } from './servers/hostServer.js';

const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    minutes: { type: 'string' },
    visitors: { type: 'string' },
    agents: { type: 'string' },
    smoke: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const smoke = values.smoke === true;
const minutes = Number(values.minutes ?? (smoke ? 0.4 : 5));
const VISITORS = Number(values.visitors ?? (smoke ? 150 : 3_000));
const AGENTS = Number(values.agents ?? (smoke ? 2 : 4));
const PROCESSES = 2;
const total = minutes * 60_000;
// The warm-up lasts several lifetimes of a connection (30 s between drops, on average), so
// the per-connection and per-visitor state has reached its level before memory is judged.
const plan = {
  warmUpMs: Math.max(5_000, total * 0.3),
  steadyMs: total * 0.4,
  restartsMs: total * 0.3,
  /** Requests the agents send, per second, in all. */
  requestsPerSec: smoke ? 5 : 40,
  /** Per visitor and second: presence reports, visibility changes, dropped links. */
  behaviour: { presencePerSec: 1 / 20, visibilityPerSec: 1 / 30, dropPerSec: 1 / 30 },
  agentDropEveryMs: smoke ? 4_000 : 15_000,
  sampleEveryMs: smoke ? 2_000 : 10_000,
  /** How long the check may wait for everything to come back and agree. */
  convergeMs: 90_000,
};

const began = Date.now();
const log = (msg: string) =>
  process.stderr.write(`[soak ${((Date.now() - began) / 1000).toFixed(1)}s] ${msg}\n`);

// --- agents ---------------------------------------------------------------------------

interface SoakAgent {
  agent: Agent;
  socket: WebSocket | undefined;
}

const outcomes: Record<string, number> = {};
let sent = 0;
let pending = 0;
let silent = 0;

function makeAgent(url: string, token: string): SoakAgent {
  const entry: SoakAgent = { agent: undefined as unknown as Agent, socket: undefined };
  class Tracked extends WebSocket {
    constructor(u: string | URL, protocols?: string | string[]) {
      super(u, protocols, { perMessageDeflate: false });
      entry.socket = this;
    }
  }
  entry.agent = createAgent({
    transport: webSocketTransport({
      url,
      WebSocket: Tracked as unknown as typeof globalThis.WebSocket,
    }),
    groupId: BENCH_GROUP,
    token,
    reconnect: { initialDelayMs: 250, maxDelayMs: 5_000 },
  });
  // The agent re-watches and lists again after every reconnect by itself.
  entry.agent.on('connected', ({ reconnected }) => {
    if (!reconnected) entry.agent.watch().catch(() => {});
  });
  entry.agent.connect();
  return entry;
}

function request(agents: readonly SoakAgent[]) {
  const { agent } = agents[Math.floor(Math.random() * agents.length)] as SoakAgent;
  if (agent.getSnapshot().status !== 'connected') return;
  const p = Math.floor(Math.random() * PROCESSES);
  const visitorId = `p${p}-${Math.floor(Math.random() * Math.ceil(VISITORS / PROCESSES))}`;
  sent += 1;
  pending += 1;
  const done =
    Math.random() < 0.5 ? agent.showTerms(visitorId) : agent.signalVisitor(visitorId, 'c_soak');
  done
    .then(
      () => {
        outcomes.delivered = (outcomes.delivered ?? 0) + 1;
      },
      (error: unknown) => {
        const code = error instanceof AgentRequestError ? error.code : 'untyped';
        // An agent-side timeout means the service never answered: silence.
        if (code === 'timeout' && String((error as Error).message).startsWith('no reply'))
          silent += 1;
        outcomes[code] = (outcomes[code] ?? 0) + 1;
      },
    )
    .finally(() => {
      pending -= 1;
    });
}

// --- the run --------------------------------------------------------------------------

interface Sample {
  atSec: number;
  phase: string;
  heapMB: number;
  rssMB: number;
  connections: number;
}

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

async function waitFor(
  check: () => Promise<boolean> | boolean,
  ms: number,
): Promise<number | undefined> {
  const start = Date.now();
  while (Date.now() - start < ms) {
    if (await check()) return Date.now() - start;
    await sleep(250);
  }
  return undefined;
}

async function main() {
  let server: RunningServer = await startServer('beckon', { drainSpreadMs: 2_000 });
  const port = server.port;
  const token = server.agentToken as string;
  const clients: Child[] = Array.from({ length: PROCESSES }, () =>
    spawnChild('soakClient', { execArgv: ['--max-old-space-size=4096'] }),
  );
  const samples: Sample[] = [];
  const restarts: { mode: string; backMs: number | undefined }[] = [];
  let agentDrops = 0;
  let phase = 'warm-up';
  const sample = async () => {
    const s: ServerStats = await server.stats(true);
    samples.push({
      atSec: Math.round((Date.now() - began) / 1000),
      phase,
      heapMB: mb(s.heapUsed),
      rssMB: mb(s.rss),
      connections: s.connections,
    });
  };
  const snapshots = process.env.BENCH_HEAP_SNAPSHOTS;
  const snapshot = async (name: string) => {
    if (snapshots) {
      await server.child.request(
        'heapSnapshot',
        { path: join(snapshots, `${name}.heapsnapshot`) },
        120_000,
      );
    }
  };
  const everyone = VISITORS + AGENTS;
  const connections = async () => (await server.stats()).connections;

  try {
    log(`warm-up: ${VISITORS} visitors, ${AGENTS} agents`);
    const per = Math.ceil(VISITORS / PROCESSES);
    await Promise.all(
      clients.map((c, i) =>
        c.request(
          'start',
          {
            url: server.url,
            prefix: `p${i}-`,
            count: Math.min(per, VISITORS - i * per),
            rampPerSec: 1_000,
          },
          180_000,
        ),
      ),
    );
    const agents = Array.from({ length: AGENTS }, () => makeAgent(server.url, token));
    await waitFor(() => agents.every((a) => a.agent.getSnapshot().watchingGroup), 30_000);
    await Promise.all(clients.map((c) => c.request('behave', plan.behaviour)));
    const requests = setInterval(() => request(agents), 1_000 / plan.requestsPerSec);
    const drops = setInterval(() => {
      const a = agents[Math.floor(Math.random() * agents.length)];
      if (a?.socket?.readyState === WebSocket.OPEN) {
        a.socket.terminate();
        agentDrops += 1;
      }
    }, plan.agentDropEveryMs);
    await sleep(plan.warmUpMs);
    await sample();
    await snapshot('warm-up');

    phase = 'steady';
    log('steady churn');
    const steadyEnd = Date.now() + plan.steadyMs;
    while (Date.now() < steadyEnd) {
      await sleep(Math.min(plan.sampleEveryMs, steadyEnd - Date.now()));
      await sample();
    }

    await snapshot('steady');
    phase = 'restarts';
    // Links stop dropping on their own now: how long the service's restarts take to heal
    // is then what "back" measures.
    await Promise.all(
      clients.map((c) => c.request('behave', { ...plan.behaviour, dropPerSec: 0 })),
    );
    const restartsEnd = Date.now() + plan.restartsMs;
    let kill = true;
    // At least one of each, however short the run.
    while (Date.now() < restartsEnd || restarts.length < 2) {
      const mode = kill ? 'kill' : 'drain';
      kill = !kill;
      log(`restart: ${mode}`);
      await (mode === 'kill' ? server.stop() : server.child.stop('SIGTERM', 15_000));
      server = await startServer('beckon', { port, drainSpreadMs: 2_000 });
      const backMs = await waitFor(async () => (await connections()) >= everyone, 60_000);
      restarts.push({ mode, backMs });
      await sample();
      await sleep(Math.max(0, Math.min(plan.restartsMs / 4, restartsEnd - Date.now())));
    }

    phase = 'check';
    log('quiesce and check');
    clearInterval(requests);
    clearInterval(drops);
    await Promise.all(clients.map((c) => c.request('quiesce')));
    const allBackMs = await waitFor(async () => (await connections()) >= everyone, plan.convergeMs);
    const latest: Record<string, { url: string; visible: boolean }> = Object.assign(
      {},
      ...(await Promise.all(
        clients.map((c) => c.request<Record<string, { url: string; visible: boolean }>>('latest')),
      )),
    );
    // Every agent shows every visitor, where it last said it was.
    const wrong = () => {
      let n = 0;
      for (const { agent } of agents) {
        const s = agent.getSnapshot();
        if (s.status !== 'connected' || s.syncing) return Number.POSITIVE_INFINITY;
        for (const [id, want] of Object.entries(latest)) {
          const v = s.visitors.get(id);
          if (v?.presence.url !== want.url || v.visibility !== 'visible') n += 1;
        }
        if (s.visitors.size !== VISITORS) n += Math.abs(s.visitors.size - VISITORS);
      }
      return n;
    };
    const convergedMs = await waitFor(() => wrong() === 0, plan.convergeMs);
    const requestsEndedMs = await waitFor(() => pending === 0, 60_000);
    const listed = await agents[0]?.agent.listVisitors().then(
      (l) => l.length,
      () => -1,
    );
    await sample();
    const final = await server.stats(true);
    const visitorCounts = await Promise.all(
      clients.map((c) => c.request<Record<string, unknown>>('status')),
    );

    const steady = samples.filter((s) => s.phase === 'steady');
    const first = samples.find((s) => s.phase === 'warm-up') ?? steady[0];
    const last = steady.at(-1);
    const results = {
      version: 1,
      smoke,
      startedAt: new Date(began).toISOString(),
      machine: {
        cpus: cpus().length,
        node: process.version,
        os: `${process.platform} ${release()}`,
        totalMemMB: mb(totalmem()),
      },
      params: { minutes, visitors: VISITORS, agents: AGENTS, processes: PROCESSES, ...plan },
      memory: {
        samples,
        /** Heap after a full GC: end of warm-up, and end of the steady phase. */
        heapAfterWarmUpMB: first?.heapMB,
        heapEndSteadyMB: last?.heapMB,
        growthMB: first && last ? Math.round((last.heapMB - first.heapMB) * 10) / 10 : undefined,
      },
      faults: { restarts, agentDrops, visitors: visitorCounts },
      requests: { sent, outcomes, silent, stillPending: pending, endedWithinMs: requestsEndedMs },
      check: {
        allBackMs,
        convergedMs,
        wrongEntriesAtEnd: wrong(),
        listedAtEnd: listed,
        serverConnections: final.connections,
        serverCounters: final.counters,
      },
    };
    const out =
      values.out !== undefined
        ? resolve(values.out)
        : smoke
          ? join(benchDir, '.build', 'soak-smoke.json')
          : join(benchDir, 'results', `soak-${results.startedAt.slice(0, 10)}.json`);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
    log(`wrote ${out}`);
    log(
      `memory ${first?.heapMB} → ${last?.heapMB} MB heap over the steady phase; ` +
        `${sent} requests ${JSON.stringify(outcomes)}, ${silent} silent; ` +
        `restarts ${JSON.stringify(restarts)}; converged in ${convergedMs} ms`,
    );
    for (const a of agents) {
      a.agent.disconnect();
      a.agent.actor.stop();
    }
    const lost =
      silent > 0 ||
      pending > 0 ||
      convergedMs === undefined ||
      listed !== VISITORS ||
      (final.counters.internalErrors ?? 0) > 0;
    process.exitCode = lost ? 1 : 0;
  } finally {
    await Promise.all([...clients.map((c) => c.stop('SIGKILL', 5_000)), server.stop()]);
  }
}

await main();
process.exit(process.exitCode ?? 0);
