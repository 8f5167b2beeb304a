import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A forked bench process (server or load), driven over IPC. */
export interface Child {
  readonly name: string;
  readonly pid: number;
  readonly process: ChildProcess;
  /** Sends a command and resolves with its result; rejects on error, exit or timeout. */
  request<T = unknown>(cmd: string, args?: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  /** Resolves with the next `{ event }` of this name (or one already received). */
  event<T = Record<string, unknown>>(name: string, timeoutMs: number): Promise<T>;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** Whether the process has exited. */
  readonly done: boolean;
  /** The last lines the process wrote to stdout/stderr, for error reports. */
  tail(): string;
  /** Sends a signal, then SIGKILL after `graceMs` if it is still alive; resolves on exit. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | string>;
}

export interface SpawnOptions {
  /** Node flags, e.g. `--expose-gc`. */
  execArgv?: string[];
  /** Configuration handed to the child in `BENCH_CONFIG` (JSON). */
  config?: unknown;
}

const TAIL_LINES = 40;

/**
 * Forks one of the bundled bench entries (a `.mjs` next to the orchestrator's bundle).
 *
 * @example
 * const server = spawnChild('beckonServer', { execArgv: ['--expose-gc'], config: { port: 0 } });
 * const { port } = await server.event<{ port: number }>('ready', 10_000);
 */
export function spawnChild(entry: string, options: SpawnOptions = {}): Child {
  const file = fileURLToPath(new URL(`./${entry}.mjs`, import.meta.url));
  const child = fork(file, [], {
    execArgv: options.execArgv ?? [],
    env: { ...process.env, BENCH_CONFIG: JSON.stringify(options.config ?? {}) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'json',
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line) continue;
      lines.push(line.slice(0, 500));
      if (lines.length > TAIL_LINES) lines.shift();
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  let nextId = 1;
  let done = false;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const events = new Map<string, Record<string, unknown>[]>();
  const waiters = new Map<string, ((data: Record<string, unknown>) => void)[]>();

  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      const why = code ?? signal ?? 'unknown';
      for (const p of pending.values()) {
        p.reject(new Error(`${entry} exited (${why}) before answering\n${lines.join('\n')}`));
      }
      pending.clear();
      resolve(why);
    });
  });

  child.on('message', (raw: unknown) => {
    const msg = raw as Record<string, unknown>;
    if (typeof msg.event === 'string') {
      const queue = waiters.get(msg.event);
      const waiter = queue?.shift();
      if (waiter) waiter(msg);
      else events.set(msg.event, [...(events.get(msg.event) ?? []), msg]);
      return;
    }
    const p = typeof msg.id === 'number' ? pending.get(msg.id) : undefined;
    if (!p) return;
    pending.delete(msg.id as number);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new Error(`${entry}: ${String(msg.error)}`));
  });

  const withTimeout = <T>(promise: Promise<T>, ms: number, what: string) => {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(new Error(`${entry}: ${what} timed out after ${ms} ms\n${lines.join('\n')}`)),
          ms,
        );
      }),
    ]).finally(() => clearTimeout(timer));
  };

  const handle: Child = {
    name: entry,
    pid: child.pid ?? -1,
    process: child,
    exited,
    get done() {
      return done;
    },
    tail: () => lines.join('\n'),
    request<T>(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 30_000) {
      if (done || !child.connected) {
        return Promise.reject(new Error(`${entry} is gone\n${lines.join('\n')}`));
      }
      const id = nextId++;
      const answer = new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      });
      child.send({ id, cmd, args });
      return withTimeout(answer, timeoutMs, cmd).finally(() => pending.delete(id));
    },
    event<T>(name: string, timeoutMs: number) {
      const queued = events.get(name);
      if (queued && queued.length > 0) return Promise.resolve(queued.shift() as T);
      const got = new Promise<T>((resolve, reject) => {
        const list = waiters.get(name) ?? [];
        list.push((data) => resolve(data as T));
        waiters.set(name, list);
        void exited.then((why) =>
          reject(new Error(`${entry} exited (${why}) before "${name}"\n${lines.join('\n')}`)),
        );
      });
      return withTimeout(got, timeoutMs, `waiting for "${name}"`);
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000) {
      if (done) return exited;
      child.kill(signal);
      const timer = setTimeout(() => {
        if (!done) child.kill('SIGKILL');
      }, graceMs);
      const why = await exited;
      clearTimeout(timer);
      return why;
    },
  };
  return handle;
}
