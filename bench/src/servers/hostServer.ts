import { monitorEventLoopDelay } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';
import { announce, serveRpc } from '../lib/serveRpc.js';

/** What a server under test reports about itself. */
export interface ServerStats {
  /** Resident set size, bytes. */
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** CPU time since start, microseconds (user + system). */
  cpuUs: number;
  /** The system (kernel) part of {@link ServerStats.cpuUs}: mostly socket I/O. */
  cpuSystemUs: number;
  /** Open client connections as the server counts them. */
  connections: number;
  /** Server-specific counters (Beckon: rejections and internal errors). */
  counters: Record<string, number>;
  /** When these stats were read, ms since the epoch, on the server's own clock. */
  at: number;
  /** Event-loop delay since the previous `stats` call, ms: how far behind the server ran. */
  loopDelayP99: number;
  loopDelayMax: number;
}

/** How a server under test plugs into {@link hostServer}. */
export interface HostedServer {
  port: number;
  /** Extra fields for the `ready` event (Beckon: the agent token). */
  ready?: Record<string, unknown>;
  connections(): number;
  counters?(): Record<string, number>;
  /** SIGTERM: the server's graceful stop. The process exits 0 once it resolves. */
  drain(): Promise<void>;
}

const gc = (globalThis as { gc?: () => void }).gc;

/**
 * Runs the common part of a server process: answers `stats` (after a full GC when asked and
 * the process runs with `--expose-gc`), drains on SIGTERM, and announces `ready` with the
 * port.
 *
 * @example
 * hostServer({ port, connections: () => clients.size, drain: async () => wss.close() });
 */
export function hostServer(server: HostedServer): void {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  serveRpc({
    stats: (args) => {
      if (args.gc === true && gc) {
        // Twice: the first pass may only queue finalisers that free more.
        gc();
        gc();
      }
      const m = process.memoryUsage();
      const cpu = process.cpuUsage();
      const stats: ServerStats = {
        rss: m.rss,
        heapUsed: m.heapUsed,
        heapTotal: m.heapTotal,
        external: m.external,
        arrayBuffers: m.arrayBuffers,
        cpuUs: cpu.user + cpu.system,
        cpuSystemUs: cpu.system,
        connections: server.connections(),
        counters: server.counters?.() ?? {},
        at: Date.now(),
        loopDelayP99: Math.round(loop.percentile(99) / 1e4) / 100,
        loopDelayMax: Math.round(loop.max / 1e4) / 100,
      };
      loop.reset();
      return stats;
    },
    // For finding what grows: a V8 heap snapshot written to `path` (after a full GC).
    heapSnapshot: (args) => {
      gc?.();
      return writeHeapSnapshot(String(args.path));
    },
  });
  let stopping = false;
  process.on('SIGTERM', () => {
    if (stopping) return;
    stopping = true;
    server.drain().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
  announce('ready', { port: server.port, listeningAt: Date.now(), ...server.ready });
}

/**
 * The configuration the orchestrator passed in `BENCH_CONFIG`.
 *
 * @example
 * const { port = 0 } = benchConfig<{ port?: number }>();
 */
export function benchConfig<T>(): T {
  return JSON.parse(process.env.BENCH_CONFIG ?? '{}') as T;
}
