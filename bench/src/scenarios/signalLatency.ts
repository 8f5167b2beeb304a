import type { ServerKind } from '../lib/ServerKind.js';
import { sleep } from '../lib/serveRpc.js';
import { spawnLoad, stopAll } from '../lib/spawnLoad.js';
import { type RunningServer, startServer } from '../lib/startServer.js';
import type { Summary } from '../lib/summarize.js';

export interface LatencyParams {
  visitors: number;
  /** Signals per second from the agent. */
  rate: number;
  durationMs: number;
  /** Pause between connecting and sending, so connect work does not spill into the figures. */
  pauseMs: number;
}

export interface LatencyRun {
  server: ServerKind;
  run: number;
  visitors: number;
  sent: number;
  /** Signals the visitors received. */
  received: number;
  /** Answers the agent got: `delivered` (Beckon, Socket.IO's acknowledgement) or the relayed `ack` (bare relay). */
  delivered: number;
  failed: number;
  /** Answers received twice for one request (should be 0). */
  duplicates: number;
  lost: number;
  failures: Record<string, number>;
  /** Agent send → visitor receipt, ms. */
  delivery: Summary;
  /** Agent send → agent gets the answer, ms. */
  rtt: Summary;
  /** Server CPU over the sending window, µs per signal (request, ack and answer). */
  serverCpuUsPerSignal: number;
}

/**
 * Scenario 2: `visitors` connected, one agent sends `rate` signals a second for
 * `durationMs` to random visitors, each acknowledged. Agent and visitors share one load
 * process, so delivery times are read on one clock.
 *
 * @example
 * const run = await signalLatency('beckon', { visitors: 5_000, rate: 2_000, durationMs: 10_000, pauseMs: 1_000 }, 1);
 */
export async function signalLatency(
  kind: ServerKind,
  p: LatencyParams,
  run: number,
): Promise<LatencyRun> {
  let server: RunningServer | undefined;
  const [client] = spawnLoad('loadClient', 1);
  if (!client) throw new Error('no load process');
  try {
    server = await startServer(kind);
    const connected = await client.request<{ connected: number; failed: number }>(
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
        watch: false,
        timeoutMs: 30_000,
      },
      60_000,
    );
    await sleep(p.pauseMs);
    const before = await server.stats();
    const result = await client.request<Omit<LatencyRun, 'server' | 'run' | 'visitors'>>(
      'latency',
      { rate: p.rate, durationMs: p.durationMs, settleMs: 15_000 },
      p.durationMs * 2 + 60_000,
    );
    const after = await server.stats();
    return {
      server: kind,
      run,
      visitors: connected.connected,
      ...result,
      serverCpuUsPerSignal: result.sent
        ? Math.round(((after.cpuUs - before.cpuUs) / result.sent) * 10) / 10
        : 0,
    };
  } finally {
    await stopAll([client]);
    await server?.stop();
  }
}
