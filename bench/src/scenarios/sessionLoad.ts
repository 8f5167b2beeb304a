import { join } from 'node:path';
import { root } from '../../bin/workspaceResolve.mjs';
import { sleep } from '../lib/serveRpc.js';
import { spawnLoad, stopAll } from '../lib/spawnLoad.js';
import { type RunningServer, startServer } from '../lib/startServer.js';
import type { Summary } from '../lib/summarize.js';

export interface SessionParams {
  /**
   * One run each: sessions streaming at once (0 is the baseline), and how much faster than
   * recorded they replay (1: a real visitor; 10: a page ten times as busy).
   */
  runs: { sessions: number; speed: number }[];
  /** How often the whole list is run, one round after another (figures are medians). */
  rounds: number;
  visitors: number;
  /** Signals per second (and presence frames per second) while measuring. */
  rate: number;
  /** Each measurement's length (signals, then presence). */
  durationMs: number;
  /** Streaming before measuring. */
  warmupMs: number;
}

export interface SessionRun {
  sessions: number;
  speed: number;
  /** Which round of the list this run was (1-based). */
  round: number;
  visitors: number;
  /** Agent's signal → visitor, ms. */
  signal: Summary;
  /** Agent's signal → `delivered`, ms. */
  signalRtt: Summary;
  /** Visitor's presence → agent's event, ms. */
  presence: Summary;
  lost: number;
  /** What one host sent, characters (≈ bytes: base64 and JSON) per second. */
  hostBytesPerSecPerSession: number;
  /** What one viewer received, per second. */
  viewerBytesPerSecPerSession: number;
  /** Server CPU time / wall time over the measured window (1 = one core). */
  serverCpuShare: number;
  /** The same while only the sessions stream (the warm-up: no signals, no presence). */
  streamingCpuShare: number;
  /** Event-loop delay p99 of the server over the window, ms. */
  serverLoopDelayP99: number;
  /** Snapshots asked of hosts because a viewer fell behind or asked; transient messages dropped. */
  resyncs: number;
  dropped: number;
  seconds: number;
}

/**
 * Scenario 6: co-browse sessions next to presence. For each count in `sessions`, a fresh
 * server gets `visitors` presence visitors and one watching agent (one load process), and
 * that many sessions — a host replaying a recorded page (bench/fixtures/session-stream.json,
 * recorded from the demo shop under scrolling and typing) and a viewer each — in a second
 * load process. While they stream, the agent's signal latency and the visitors' presence
 * latency are measured as in scenario 2, with the bytes each session moves and the server's
 * CPU.
 *
 * @example
 * const runs = await sessionLoad({ runs: [{ sessions: 0, speed: 1 }, { sessions: 50, speed: 1 }], rounds: 3, visitors: 1_000, rate: 500, durationMs: 8_000, warmupMs: 2_000 });
 */
export async function sessionLoad(p: SessionParams): Promise<SessionRun[]> {
  const runs: SessionRun[] = [];
  for (let round = 1; round <= p.rounds; round++) {
    for (const { sessions, speed } of p.runs) runs.push(await oneRun(p, sessions, speed, round));
  }
  return runs;
}

async function oneRun(
  p: SessionParams,
  sessions: number,
  speed: number,
  round: number,
): Promise<SessionRun> {
  let server: RunningServer | undefined;
  const [client] = spawnLoad('loadClient', 1);
  const [streams] = spawnLoad('sessionClient', 1);
  if (!client || !streams) throw new Error('no load process');
  try {
    server = await startServer('beckon');
    const connected = await client.request<{ connected: number }>(
      'connect',
      {
        url: server.url,
        dialect: 'beckon',
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
        dialect: 'beckon',
        agentToken: server.agentToken,
        watch: true,
        timeoutMs: 30_000,
      },
      60_000,
    );
    await streams.request(
      'open',
      {
        url: server.url,
        sessionUrl: `${server.url}session`,
        agentToken: server.agentToken,
        sessions,
        speed,
        fixture: join(root, 'bench', 'fixtures', 'session-stream.json'),
      },
      300_000,
    );
    const w0 = await server.stats();
    const warmStart = Date.now();
    await sleep(p.warmupMs);
    const w1 = await server.stats();
    const streamingCpuShare =
      Math.round(((w1.cpuUs - w0.cpuUs) / ((Date.now() - warmStart) * 1000)) * 1000) / 1000;
    type Mark = { hostChars: number; viewerChars: number; at: number; resyncs: number };
    const [m0, s0] = await Promise.all([streams.request<Mark>('mark'), server.stats()]);
    const signal = await client.request<{
      delivery: Summary;
      rtt: Summary;
      lost: number;
    }>(
      'latency',
      { rate: p.rate, durationMs: p.durationMs, settleMs: 10_000 },
      p.durationMs * 2 + 60_000,
    );
    const presence = await client.request<{ sent: number; received: number; latency: Summary }>(
      'presenceLatency',
      { rate: p.rate, durationMs: p.durationMs, settleMs: 10_000 },
      p.durationMs * 2 + 60_000,
    );
    const [m1, s1] = await Promise.all([streams.request<Mark>('mark'), server.stats()]);
    const seconds = (m1.at - m0.at) / 1000;
    const perSession = (chars: number) =>
      sessions === 0 ? 0 : Math.round(chars / seconds / sessions);
    return {
      sessions,
      speed,
      round,
      visitors: connected.connected,
      signal: signal.delivery,
      signalRtt: signal.rtt,
      presence: presence.latency,
      lost: signal.lost + (presence.sent - presence.received),
      hostBytesPerSecPerSession: perSession(m1.hostChars - m0.hostChars),
      viewerBytesPerSecPerSession: perSession(m1.viewerChars - m0.viewerChars),
      serverCpuShare: Math.round(((s1.cpuUs - s0.cpuUs) / ((m1.at - m0.at) * 1000)) * 1000) / 1000,
      streamingCpuShare,
      serverLoopDelayP99: s1.loopDelayP99,
      resyncs: (s1.counters.sessionResyncs ?? 0) - (s0.counters.sessionResyncs ?? 0),
      dropped: (s1.counters.sessionDropped ?? 0) - (s0.counters.sessionDropped ?? 0),
      seconds: Math.round(seconds * 10) / 10,
    };
  } finally {
    await streams.request('close').catch(() => undefined);
    await stopAll([client, streams]);
    await server?.stop();
  }
}
