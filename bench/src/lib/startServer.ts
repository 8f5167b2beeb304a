import type { ServerStats } from '../servers/hostServer.js';
import type { ServerKind } from './ServerKind.js';
import { type Child, spawnChild } from './spawnChild.js';

/** A running server under test. */
export interface RunningServer {
  kind: ServerKind;
  child: Child;
  port: number;
  url: string;
  /** Wall-clock time (ms) at which it started listening, read in its own process. */
  listeningAt: number;
  /** Beckon only: a token for the bench agent. */
  agentToken?: string;
  stats(gc?: boolean): Promise<ServerStats>;
  /** Stops it: SIGKILL, or SIGTERM when profiling so the profile gets written. */
  stop(): Promise<unknown>;
}

export interface StartServerOptions {
  /** 0 (default) for a free port; a fixed one to restart in place. */
  port?: number;
  /** Beckon: upper bound of the drain's reconnect hint. */
  drainSpreadMs?: number;
  /** Beckon: pino level. Default `warn`. */
  logLevel?: string;
  /** Beckon: share state through this Redis, as one process of a cluster. */
  redis?: { url: string; prefix: string };
}

/** The bundled process of each server (bench/bin/bench.mjs builds them). */
const ENTRIES: Readonly<Record<ServerKind, string>> = {
  beckon: 'beckonServer',
  socketio: 'socketIoRelay',
  baseline: 'baselineRelay',
};

/**
 * Starts a server under test in its own process (with `--expose-gc`, so memory is read
 * after a full collection) and waits until it listens.
 *
 * @example
 * const server = await startServer('baseline');
 * const before = await server.stats(true);
 */
export async function startServer(
  kind: ServerKind,
  options: StartServerOptions = {},
): Promise<RunningServer> {
  // BENCH_PROFILE=<dir> writes a V8 CPU profile of every server process into <dir>.
  const profile = process.env.BENCH_PROFILE;
  const child = spawnChild(ENTRIES[kind], {
    execArgv: ['--expose-gc', ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [])],
    config: options,
  });
  const ready = await child.event<{ port: number; listeningAt: number; agentToken?: string }>(
    'ready',
    30_000,
  );
  return {
    kind,
    child,
    port: ready.port,
    listeningAt: ready.listeningAt,
    url: `ws://127.0.0.1:${ready.port}/`,
    ...(ready.agentToken !== undefined && { agentToken: ready.agentToken }),
    stats: (gc = false) => child.request<ServerStats>('stats', { gc }, 30_000),
    stop: () => child.stop(profile ? 'SIGTERM' : 'SIGKILL', 15_000),
  };
}
