import type { ServerKind } from '../lib/ServerKind.js';
import { sleep } from '../lib/serveRpc.js';
import { spawnLoad, stopAll } from '../lib/spawnLoad.js';
import { type RunningServer, startServer } from '../lib/startServer.js';

export interface ThroughputParams {
  visitors: number;
  /** Presence frames in flight (sent, not yet seen by the agent) at most. */
  window: number;
  warmupMs: number;
  measureMs: number;
  /** Pause between connecting and the first frame. */
  pauseMs: number;
}

export interface ThroughputRun {
  server: ServerKind;
  run: number;
  visitors: number;
  /** Relayed to the agent during the measured window. */
  relayed: number;
  seconds: number;
  perSec: number;
  /** Server CPU (user + system) per relayed message, µs. */
  serverCpuUsPerMsg: number;
  /** Server CPU time / wall time over the window: 1 = one core busy. */
  serverCpuShare: number;
  /** The kernel's part of the server's CPU time (socket I/O), 0–1. */
  serverSystemPart: number;
  /** The same for the load process, to tell who was the bottleneck. */
  clientCpuShare: number;
  /** Sent but never relayed, after the load stopped and settled (should be 0). */
  unrelayed: number;
}

interface Mark {
  relayed: number;
  at: number;
  cpuUs: number;
}

/**
 * Scenario 3: `visitors` send presence as fast as the server takes it, with at most
 * `window` frames in flight, relayed to one agent watching the group; relayed messages a
 * second and server CPU per message over `measureMs` after `warmupMs`.
 *
 * @example
 * const run = await presenceThroughput('baseline', { visitors: 1_000, window: 1_000, warmupMs: 2_000, measureMs: 10_000, pauseMs: 500 }, 1);
 */
export async function presenceThroughput(
  kind: ServerKind,
  p: ThroughputParams,
  run: number,
): Promise<ThroughputRun> {
  let server: RunningServer | undefined;
  const [client] = spawnLoad('loadClient', 1);
  if (!client) throw new Error('no load process');
  try {
    server = await startServer(kind);
    const connected = await client.request<{ connected: number }>(
      'connect',
      {
        url: server.url,
        dialect: kind,
        prefix: 'v',
        from: 0,
        count: p.visitors,
        concurrency: 100,
        timeoutMs: 30_000,
      },
      300_000,
    );
    await client.request(
      'agent',
      {
        url: server.url,
        dialect: kind,
        ...(server.agentToken !== undefined && { agentToken: server.agentToken }),
        watch: true,
        timeoutMs: 30_000,
      },
      60_000,
    );
    await sleep(p.pauseMs);
    await client.request('throughputStart', { window: p.window });
    await sleep(p.warmupMs);
    const [m0, s0] = await Promise.all([client.request<Mark>('throughputMark'), server.stats()]);
    await sleep(p.measureMs);
    const [m1, s1] = await Promise.all([client.request<Mark>('throughputMark'), server.stats()]);
    const stopped = await client.request<{ unrelayed: number }>(
      'throughputStop',
      { settleMs: 10_000 },
      30_000,
    );
    const relayed = m1.relayed - m0.relayed;
    const wallUs = (m1.at - m0.at) * 1000;
    return {
      server: kind,
      run,
      visitors: connected.connected,
      relayed,
      seconds: Math.round(wallUs / 1e4) / 100,
      perSec: Math.round(relayed / (wallUs / 1e6)),
      serverCpuUsPerMsg: relayed ? Math.round(((s1.cpuUs - s0.cpuUs) / relayed) * 100) / 100 : 0,
      serverCpuShare: Math.round(((s1.cpuUs - s0.cpuUs) / wallUs) * 100) / 100,
      serverSystemPart:
        Math.round(((s1.cpuSystemUs - s0.cpuSystemUs) / Math.max(1, s1.cpuUs - s0.cpuUs)) * 100) /
        100,
      clientCpuShare: Math.round(((m1.cpuUs - m0.cpuUs) / wallUs) * 100) / 100,
      unrelayed: stopped.unrelayed,
    };
  } finally {
    await stopAll([client]);
    await server?.stop();
  }
}
