import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../../scripts/redisServer.mjs';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'server', 'dist', 'cli.js');

/** Short cluster timings for tests: a dead process is noticed within about a second. */
export const TEST_REDIS_TIMINGS = { heartbeatMs: 200, nodeTimeoutMs: 1_000 };

/** A `beckon-server` child process on a free port. */
export interface ServiceProcess {
  readonly port: number;
  readonly url: string;
  /** The first part of every connection ID this process makes. */
  readonly child: ChildProcess;
  /** `kill -9`, and waits for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (a drain), and waits for the exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port (after `kill` or `stop`). */
  restart(): Promise<void>;
  /** GET on its port: status and parsed JSON (or text). */
  get(path: string): Promise<{ status: number; body: string }>;
}

/** Writes a config file for `beckon-server` and returns its path. */
export function writeConfig(config: object): string {
  const file = join(mkdtempSync(join(tmpdir(), 'beckon-cluster-')), 'config.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

async function healthy(
  port: number,
  child: ChildProcess,
  timeoutMs: number,
  answering: boolean,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`beckon-server exited with ${child.exitCode}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.ok || answering) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`beckon-server on ${port} was not healthy within ${timeoutMs} ms`);
}

/**
 * Starts the built `beckon-server` with `configFile` (and any extra flags) on a free port,
 * and resolves once `/healthz` says ok — with Redis configured, once it joined the cluster —
 * or, with `listening`, once it answers at all.
 *
 * @example
 * const a = await startService(writeConfig({ ...CONFIG, redis: { url, prefix } }));
 */
export async function startService(
  configFile: string,
  extraArgs: string[] = [],
  { listening = false } = {},
): Promise<ServiceProcess> {
  const port = await freePort();
  let child!: ChildProcess;
  const launch = async () => {
    child = spawn(
      process.execPath,
      [cli, '--config', configFile, '--port', String(port), '--log-level', 'warn', ...extraArgs],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    await healthy(port, child, 20_000, listening);
  };
  const exit = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  };
  await launch();
  return {
    port,
    url: `ws://127.0.0.1:${port}/`,
    get child() {
      return child;
    },
    kill: () => exit('SIGKILL'),
    stop: () => exit('SIGTERM'),
    restart: launch,
    async get(path) {
      const res = await fetch(`http://127.0.0.1:${port}${path}`);
      return { status: res.status, body: await res.text() };
    },
  };
}
