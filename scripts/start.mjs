#!/usr/bin/env node
// `pnpm start`: builds what is needed, then runs the presence service (embedded demo group),
// the agent console and the visitor demo on localhost. Ctrl-C drains and stops everything.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { root, startStack } from './stack.mjs';

const env = process.env;
// `pnpm start --cluster`: two service processes on a local Redis, behind a local nginx.
const { values: flags } = parseArgs({
  options: { cluster: { type: 'boolean', default: false }, processes: { type: 'string' } },
});
const processes = Number(flags.processes ?? (flags.cluster ? 2 : 1));
if (!Number.isInteger(processes) || processes < 1 || processes > 8) {
  console.error(`--processes must be a whole number from 1 to 8, got "${flags.processes}"`);
  process.exit(2);
}
const build = spawnSync(
  process.execPath,
  [
    join(root, 'node_modules', 'turbo', 'bin', 'turbo'),
    'run',
    'build',
    '--filter=@beckon/server...',
    ...(processes > 1 ? ['--filter=@beckon/redis...'] : []),
    '--filter=@beckon/agent-console...',
    '--filter=@beckon/visitor-demo...',
    '--output-logs=errors-only',
  ],
  { cwd: root, stdio: 'inherit', env: { ...env, TURBO_TELEMETRY_DISABLED: '1' } },
);
if (build.status !== 0) process.exit(build.status ?? 1);

const stack = await startStack({
  port: Number(env.BECKON_PORT ?? 8080),
  consolePort: Number(env.BECKON_CONSOLE_PORT ?? 5173),
  demoPort: Number(env.BECKON_DEMO_PORT ?? 5174),
  processes,
  ...(env.BECKON_HOST ? { host: env.BECKON_HOST } : {}),
  onLog: (entry) => {
    if (
      entry.level >= 40 &&
      entry.msg !== 'demo mode: the demo agent secret is public; do not expose this server'
    ) {
      console.log(`[service] ${entry.msg}`);
    }
  },
});

console.log(`
  Beckon is running (demo group "demo"):

    Agent console   ${stack.consoleUrl}
    Visitor demo    ${stack.demoUrl}
    Presence        ${stack.serviceUrl}  (${stack.serviceDescription})

  Open the visitor demo (two tabs for the focus demo), then click One-Click Connect in the
  console. The console is signed in with this demo agent token (valid 24 h; demo only):

    ${stack.agentToken}

  Press Ctrl-C to stop.
`);

let stopping = false;
const stop = async (signal) => {
  if (stopping) return;
  stopping = true;
  console.log(`\nStopping (${signal})…`);
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
