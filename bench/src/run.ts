/**
 * `pnpm bench`: runs scenarios 1–3 against Beckon, Socket.IO and the bare relay, interleaved,
 * the reconnect storm (4) and sessions next to presence (6) against Beckon, measures client
 * size (5) and scale-out on Redis; writes `bench/results/<date>.json`. `--smoke` runs the
 * same harness with a few hundred connections for a few seconds (the test command runs that).
 *
 *   --smoke            small and quick; writes bench/.build/smoke.json unless --out is given
 *   --out <file>       where to write the results
 *   --only <list>      comma-separated subset of idle,latency,throughput,storm,scale,size,sessions
 *                      (written to results/<date>-<list>.json, beside the full runs)
 *   --runs <n>         interleaved runs of latency and throughput (default 5; idle: at most 3)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { BenchResults } from './BenchResults.js';
import { SERVER_KINDS, type ServerKind } from './lib/ServerKind.js';
import { SCALE_SETUPS } from './lib/startCluster.js';
import { measureBundles } from './measureBundles.js';
import { type FailoverParams, type FailoverRun, failoverStorm } from './scenarios/failoverStorm.js';
import { type IdleParams, type IdleRun, idleCapacity } from './scenarios/idleCapacity.js';
import {
  presenceThroughput,
  type ThroughputParams,
  type ThroughputRun,
} from './scenarios/presenceThroughput.js';
import {
  reconnectStorm,
  type StormMode,
  type StormParams,
  type StormRun,
} from './scenarios/reconnectStorm.js';
import { type ScaleLatencyRun, scaleLatency } from './scenarios/scaleLatency.js';
import { type ScaleThroughputRun, scaleThroughput } from './scenarios/scaleThroughput.js';
import { type SessionParams, type SessionRun, sessionLoad } from './scenarios/sessionLoad.js';
import { type LatencyParams, type LatencyRun, signalLatency } from './scenarios/signalLatency.js';

const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const rootDir = resolve(benchDir, '..');

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    out: { type: 'string' },
    only: { type: 'string' },
    runs: { type: 'string' },
  },
});
const smoke = values.smoke === true;
// Throughput and p99 swing by a third from run to run on a shared machine: medians of 5.
const runs = Math.max(1, Math.min(9, Number(values.runs ?? (smoke ? 1 : 5)) || 1));
// Memory per connection is steady; three runs of 19,500 connections are enough.
const idleRuns = Math.min(runs, 3);
// Four setups a run: three runs keep the scale-out part within a few minutes.
const scaleRuns = Math.min(runs, 3);
const ALL = ['idle', 'latency', 'throughput', 'storm', 'scale', 'size', 'sessions'] as const;
const only = new Set(values.only ? values.only.split(',') : ALL);
for (const name of only) {
  if (!(ALL as readonly string[]).includes(name)) {
    console.error(`unknown scenario "${name}"; use ${ALL.join(',')}`);
    process.exit(2);
  }
}

const params = smoke
  ? {
      idle: {
        visitors: 300,
        processes: 2,
        concurrency: 50,
        settleMs: 200,
        holdMs: 300,
      } satisfies IdleParams,
      latency: { visitors: 200, rate: 400, durationMs: 500, pauseMs: 100 } satisfies LatencyParams,
      throughput: {
        visitors: 100,
        window: 100,
        warmupMs: 200,
        measureMs: 500,
        pauseMs: 100,
      } satisfies ThroughputParams,
      storm: {
        visitors: 100,
        processes: 1,
        rampPerSec: 2_000,
        drainSpreadMs: 500,
        deadlineMs: 20_000,
        pauseMs: 100,
      } satisfies StormParams,
      sessions: {
        runs: [
          { sessions: 0, speed: 1 },
          { sessions: 2, speed: 1 },
        ],
        rounds: 1,
        visitors: 50,
        rate: 100,
        durationMs: 500,
        warmupMs: 300,
      } satisfies SessionParams,
      scale: {
        latency: {
          visitors: 150,
          rate: 300,
          durationMs: 500,
          pauseMs: 100,
        } satisfies LatencyParams,
        throughput: {
          visitors: 90,
          window: 90,
          warmupMs: 200,
          measureMs: 500,
          pauseMs: 100,
        } satisfies ThroughputParams,
        failover: {
          visitors: 150,
          processes: 1,
          rampPerSec: 2_000,
          deadlineMs: 20_000,
          pauseMs: 100,
        } satisfies FailoverParams,
      },
    }
  : {
      idle: {
        visitors: 19_500,
        processes: 2,
        concurrency: 100,
        settleMs: 2_000,
        holdMs: 5_000,
      } satisfies IdleParams,
      latency: {
        visitors: 5_000,
        rate: 2_000,
        durationMs: 10_000,
        pauseMs: 1_000,
      } satisfies LatencyParams,
      throughput: {
        visitors: 1_000,
        window: Number(process.env.BENCH_WINDOW ?? 1_000),
        warmupMs: 2_000,
        measureMs: 10_000,
        pauseMs: 500,
      } satisfies ThroughputParams,
      storm: {
        visitors: 10_000,
        processes: 2,
        rampPerSec: 1_500,
        drainSpreadMs: 5_000,
        deadlineMs: 60_000,
        pauseMs: 1_000,
      } satisfies StormParams,
      sessions: {
        runs: [
          { sessions: 0, speed: 1 },
          { sessions: 10, speed: 1 },
          { sessions: 50, speed: 1 },
          { sessions: 50, speed: 10 },
        ],
        // Single runs swing like scenario 2's: medians of three rounds.
        rounds: 3,
        visitors: 1_000,
        rate: 500,
        durationMs: 6_000,
        warmupMs: 4_000,
      } satisfies SessionParams,
      // Smaller than scenarios 2 and 3: up to three service processes, Redis and the load
      // share the machine's two cores.
      scale: {
        latency: {
          visitors: 3_000,
          rate: 1_000,
          durationMs: 8_000,
          pauseMs: 1_000,
        } satisfies LatencyParams,
        throughput: {
          visitors: 900,
          window: 900,
          warmupMs: 2_000,
          measureMs: 8_000,
          pauseMs: 500,
        } satisfies ThroughputParams,
        failover: {
          visitors: 6_000,
          processes: 2,
          rampPerSec: 1_500,
          deadlineMs: 60_000,
          pauseMs: 1_000,
        } satisfies FailoverParams,
      },
    };

// The whole run is bounded: a scenario that would start after this is skipped. Scenarios
// 1–3 on three servers, the storm, sessions and scale-out take about 20 minutes.
const BUDGET_MS = smoke ? 120_000 : 25 * 60_000;
const began = Date.now();
const log = (msg: string) =>
  process.stderr.write(`[bench ${((Date.now() - began) / 1000).toFixed(1)}s] ${msg}\n`);

const text = (cmd: string, args: string[]) => {
  try {
    return execFileSync(cmd, args, { cwd: rootDir, encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
};

const results: BenchResults = {
  version: 2,
  smoke,
  startedAt: new Date(began).toISOString(),
  finishedAt: '',
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    os: `${process.platform} ${release()}`,
    totalMemMB: Math.round(totalmem() / 2 ** 20),
    openFileLimit: Number(spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout) || 0,
    loadavgStart: loadavg().map((l) => Math.round(l * 100) / 100),
    loadavgEnd: [],
  },
  git: {
    commit: text('git', ['rev-parse', '--short', 'HEAD']) ?? 'unknown',
    dirty: (text('git', ['status', '--porcelain']) ?? '') !== '',
  },
  commands: {
    run: smoke ? 'pnpm bench:smoke' : 'pnpm bench',
    report: 'pnpm bench:report',
    size: 'pnpm size',
  },
  params: { ...params, runs, idleRuns, scaleRuns, servers: SERVER_KINDS },
  errors: [],
  idle: [],
  latency: [],
  throughput: [],
  storm: [],
  size: [],
  sessions: [],
  scale: { throughput: [], latency: [], failover: [] },
};

async function step<T>(name: string, fn: () => Promise<T>): Promise<T | undefined> {
  if (Date.now() - began > BUDGET_MS) {
    results.errors.push(`${name}: skipped, over the ${BUDGET_MS / 60_000} min budget`);
    log(`skip ${name} (over budget)`);
    return undefined;
  }
  log(`${name} …`);
  try {
    const out = await fn();
    log(`${name}: ${JSON.stringify(out).slice(0, 400)}`);
    return out;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    results.errors.push(`${name}: ${message.slice(0, 2_000)}`);
    log(`${name} FAILED: ${message}`);
    return undefined;
  }
}

// Rotate the three servers from run to run (Beckon, Socket.IO, bare relay; then Socket.IO,
// bare relay, Beckon; …), so none always runs first, or last, on a warmer or busier machine.
const order = (run: number): ServerKind[] =>
  SERVER_KINDS.map((_, i) => SERVER_KINDS[(i + run - 1) % SERVER_KINDS.length] as ServerKind);

if (only.has('size')) {
  const sizes = await step('size', () => measureBundles());
  if (sizes) results.size = sizes;
}
if (only.has('idle')) {
  for (let run = 1; run <= idleRuns; run++) {
    for (const kind of order(run)) {
      const r = await step<IdleRun>(`idle ${kind} #${run}`, () =>
        idleCapacity(kind, params.idle, run),
      );
      if (r) results.idle.push(r);
    }
  }
}
if (only.has('latency')) {
  for (let run = 1; run <= runs; run++) {
    for (const kind of order(run)) {
      const r = await step<LatencyRun>(`latency ${kind} #${run}`, () =>
        signalLatency(kind, params.latency, run),
      );
      if (r) results.latency.push(r);
    }
  }
}
if (only.has('throughput')) {
  for (let run = 1; run <= runs; run++) {
    for (const kind of order(run)) {
      const r = await step<ThroughputRun>(`throughput ${kind} #${run}`, () =>
        presenceThroughput(kind, params.throughput, run),
      );
      if (r) results.throughput.push(r);
    }
  }
}
if (only.has('storm')) {
  for (const mode of ['drain', 'kill'] as StormMode[]) {
    const r = await step<StormRun>(`storm ${mode}`, () => reconnectStorm(mode, params.storm));
    if (r) results.storm.push(r);
  }
}

if (only.has('sessions')) {
  const r = await step<SessionRun[]>('sessions', () => sessionLoad(params.sessions));
  if (r) results.sessions = r;
}

if (only.has('scale')) {
  const scale = results.scale ?? { throughput: [], latency: [], failover: [] };
  // Each run goes through the setups in a different order, so none always runs first.
  const setups = (run: number) =>
    SCALE_SETUPS.map((_, i) => SCALE_SETUPS[(i + run) % SCALE_SETUPS.length]!);
  for (let run = 1; run <= scaleRuns; run++) {
    for (const setup of setups(run)) {
      const r = await step<ScaleThroughputRun>(`scale throughput ${setup} #${run}`, () =>
        scaleThroughput(setup, params.scale.throughput, run),
      );
      if (r) scale.throughput.push(r);
    }
  }
  for (let run = 1; run <= scaleRuns; run++) {
    for (const setup of setups(run)) {
      const r = await step<ScaleLatencyRun>(`scale latency ${setup} #${run}`, () =>
        scaleLatency(setup, params.scale.latency, run),
      );
      if (r) scale.latency.push(r);
    }
  }
  const r = await step<FailoverRun>('scale failover', () => failoverStorm(params.scale.failover));
  if (r) scale.failover.push(r);
}

results.finishedAt = new Date().toISOString();
results.machine.loadavgEnd = loadavg().map((l) => Math.round(l * 100) / 100);
const out =
  values.out !== undefined
    ? resolve(values.out)
    : smoke
      ? join(benchDir, '.build', 'smoke.json')
      : // A partial run (--only) gets its own file, so it never replaces a full run's figures.
        join(
          benchDir,
          'results',
          `${results.startedAt.slice(0, 10)}${values.only ? `-${[...only].join('-')}` : ''}.json`,
        );
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
log(`wrote ${out}${results.errors.length ? ` with ${results.errors.length} error(s)` : ''}`);
process.exit(results.errors.length ? 1 : 0);
