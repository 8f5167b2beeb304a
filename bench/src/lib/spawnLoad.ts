import { type Child, spawnChild } from './spawnChild.js';

/**
 * Forks `count` load processes of one kind. Each has its own open-file limit, so a process
 * holds at most ~9,750 sockets and 19,500 need two.
 *
 * @example
 * const clients = spawnLoad('loadClient', 2);
 */
export function spawnLoad(
  entry: 'loadClient' | 'stormClient' | 'sessionClient',
  count: number,
): Child[] {
  // BENCH_PROFILE_CLIENTS=<dir> writes a V8 CPU profile of every load process into <dir>.
  const profile = process.env.BENCH_PROFILE_CLIENTS;
  return Array.from({ length: count }, () =>
    spawnChild(entry, {
      execArgv: [
        '--max-old-space-size=4096',
        ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []),
      ],
    }),
  );
}

/**
 * Stops every child (SIGKILL: the kernel closes their sockets at once) and waits for them.
 *
 * @example
 * await stopAll([server.child, ...clients]);
 */
export async function stopAll(children: readonly (Child | undefined)[]): Promise<void> {
  await Promise.all(
    children.map((c) => {
      if (!c || c.done) return undefined;
      if (process.env.BENCH_PROFILE_CLIENTS && c.process.connected) {
        // A child exits on its own when the IPC channel closes, and so writes its profile.
        c.process.disconnect();
        return c.stop('SIGCONT', 20_000);
      }
      return c.stop('SIGKILL', 5_000);
    }),
  );
}
