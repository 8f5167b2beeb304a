import type { BundleSize } from './measureBundles.js';
import type { FailoverRun } from './scenarios/failoverStorm.js';
import type { IdleRun } from './scenarios/idleCapacity.js';
import type { ThroughputRun } from './scenarios/presenceThroughput.js';
import type { StormRun } from './scenarios/reconnectStorm.js';
import type { ScaleLatencyRun } from './scenarios/scaleLatency.js';
import type { ScaleThroughputRun } from './scenarios/scaleThroughput.js';
import type { SessionRun } from './scenarios/sessionLoad.js';
import type { LatencyRun } from './scenarios/signalLatency.js';

/**
 * What `pnpm bench` writes to `bench/results/<date>.json`, and `pnpm bench:report` reads.
 * Version 2 adds the Socket.IO peer: runs of scenarios 1–3 with `server: 'socketio'`, and
 * `params.servers`. Version 1 files (Beckon and the bare relay only) still render.
 */
export interface BenchResults {
  version: 1 | 2;
  smoke: boolean;
  startedAt: string;
  finishedAt: string;
  machine: {
    cpus: number;
    cpuModel: string;
    node: string;
    os: string;
    totalMemMB: number;
    openFileLimit: number;
    /** 1, 5 and 15 minute load averages: how busy the machine was besides the bench. */
    loadavgStart: number[];
    loadavgEnd: number[];
  };
  git: { commit: string; dirty: boolean };
  commands: { run: string; report: string; size: string };
  params: Record<string, unknown>;
  /** Scenarios that failed or were skipped, with why. */
  errors: string[];
  idle: IdleRun[];
  latency: LatencyRun[];
  throughput: ThroughputRun[];
  storm: StormRun[];
  size: BundleSize[];
  /** Scenario 6; absent in results written before it existed. */
  sessions?: SessionRun[];
  /** Scale-out on Redis (absent in results from before it existed). */
  scale?: {
    throughput: ScaleThroughputRun[];
    latency: ScaleLatencyRun[];
    failover: FailoverRun[];
  };
}
