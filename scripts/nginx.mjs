// Debian's nginx (or $NGINX) in front of Beckon service processes, with the example config
// of docs/scaling.md (examples/nginx/beckon.conf) on ports of our choosing, in a prefix
// folder of its own: for the nginx test and `pnpm start --cluster`. Never a system service.
import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const NGINX_EXAMPLE = join(root, 'examples', 'nginx', 'beckon.conf');

const BINARY =
  process.env.NGINX ??
  ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p)) ??
  'nginx';

/**
 * The example config with its listen address and upstream servers replaced: everything
 * else (upgrade headers, timeouts, health checks) is used as documented.
 */
export function renderNginxConfig({ host = '127.0.0.1', port, upstreams }) {
  const example = readFileSync(NGINX_EXAMPLE, 'utf8');
  // The example's two server lines become one per upstream, with the same parameters.
  const lines = /^ {4}server 127\.0\.0\.1:8081( .*)\n {4}server 127\.0\.0\.1:8082 .*$/m;
  const parameters = lines.exec(example)?.[1] ?? ';';
  const servers = upstreams.map((p) => `    server 127.0.0.1:${p}${parameters}`).join('\n');
  const rendered = example
    .replace(lines, servers)
    .replace('listen 127.0.0.1:8080;', `listen ${host}:${port};`);
  if (rendered.includes(':8081') || !rendered.includes(`listen ${host}:${port};`)) {
    throw new Error(`${NGINX_EXAMPLE} no longer has the lines this script replaces`);
  }
  return rendered;
}

async function listening(port, child) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}`);
    const up = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`nginx did not listen on ${port} within 10 s`);
}

/**
 * Starts nginx on `port` in front of the service processes on `upstreams` (ports on
 * 127.0.0.1). Resolves once it listens.
 */
export async function startNginx({ host = '127.0.0.1', port, upstreams }) {
  const prefix = mkdtempSync(join(tmpdir(), 'beckon-nginx-'));
  // Workers may run as another user (nobody, when started as root): let them in.
  chmodSync(prefix, 0o755);
  mkdirSync(join(prefix, 'tmp'), { mode: 0o777 });
  writeFileSync(join(prefix, 'beckon.conf'), renderNginxConfig({ host, port, upstreams }));
  writeFileSync(
    join(prefix, 'nginx.conf'),
    [
      'daemon off;',
      'worker_processes 1;',
      'pid nginx.pid;',
      'error_log error.log warn;',
      'events { worker_connections 1024; }',
      'http {',
      '  access_log off;',
      '  client_body_temp_path tmp/body;',
      '  proxy_temp_path tmp/proxy;',
      '  fastcgi_temp_path tmp/fastcgi;',
      '  uwsgi_temp_path tmp/uwsgi;',
      '  scgi_temp_path tmp/scgi;',
      '  include beckon.conf;',
      '}',
      '',
    ].join('\n'),
  );
  const child = spawn(BINARY, ['-p', prefix, '-c', 'nginx.conf', '-e', 'error.log'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await listening(port, child);
  } catch (error) {
    child.kill('SIGKILL');
    const log = existsSync(join(prefix, 'error.log'))
      ? readFileSync(join(prefix, 'error.log'), 'utf8')
      : '';
    throw new Error(`${error.message}\n${log}`);
  }
  return {
    port,
    url: `ws://${host}:${port}/`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        // SIGTERM: nginx's fast shutdown.
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}
