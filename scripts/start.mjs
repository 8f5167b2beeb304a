#!/usr/bin/env node
// `pnpm start`: builds what is needed and runs Beckon locally with the embedded demo group.
// Ctrl-C (or SIGTERM) drains the service and stops everything.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const port = process.env.BECKON_PORT ?? '8080';
const host = process.env.BECKON_HOST ?? '127.0.0.1';

const build = spawnSync(
  process.execPath,
  [
    join(root, 'node_modules', 'turbo', 'bin', 'turbo'),
    'run',
    'build',
    '--filter=@beckon/server...',
    '--output-logs=errors-only',
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } },
);
if (build.status !== 0) process.exit(build.status ?? 1);

const server = spawn(
  process.execPath,
  [join(root, 'packages', 'server', 'dist', 'cli.js'), '--port', port, '--host', host],
  { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
);

let buffered = '';
server.stdout.on('data', (chunk) => {
  buffered += chunk;
  let newline = buffered.indexOf('\n');
  while (newline >= 0) {
    const line = buffered.slice(0, newline);
    buffered = buffered.slice(newline + 1);
    newline = buffered.indexOf('\n');
    let entry;
    try {
      entry = JSON.parse(line);
    } catch {
      console.log(line);
      continue;
    }
    if (entry.msg === 'presence service listening') {
      console.log(
        `\nBeckon presence service: ${entry.url}  (health: http://${host}:${port}/healthz)`,
      );
    } else if (entry.msg === 'demo agent token') {
      console.log(`Demo group: ${entry.groupId}   demo agent token:\n${entry.token}\n`);
      console.log('Press Ctrl-C to stop.');
    } else if (entry.level >= 40) {
      console.log(`[server] ${entry.msg}`);
    }
  }
});

let stopping = false;
const stop = (signal) => {
  if (stopping) return;
  stopping = true;
  console.log(`\nStopping (${signal})…`);
  server.kill('SIGTERM');
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
server.on('exit', (code) => process.exit(stopping ? 0 : (code ?? 1)));
