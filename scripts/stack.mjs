// The whole local Beckon stack — presence service, agent console, visitor demo — as one
// object. `pnpm start` runs it for people; the end-to-end tests run the very same thing.
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNginx } from './nginx.mjs';
import { freePort, startRedisServer } from './redisServer.mjs';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/**
 * Serves a built app's `dist/` folder, plus a generated `beckon-config.json` that tells the
 * app where the service is. Paths are confined to the folder.
 */
export function serveApp({ dir, port, host, config }) {
  if (!existsSync(join(dir, 'index.html'))) {
    throw new Error(`${dir} has no index.html: build the app first (pnpm build)`);
  }
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname.endsWith('/beckon-config.json')) {
      res.writeHead(200, { 'content-type': TYPES['.json'], 'cache-control': 'no-store' });
      res.end(JSON.stringify(config()));
      return;
    }
    let path;
    try {
      path = normalize(join(dir, decodeURIComponent(url.pathname)));
    } catch {
      res.writeHead(400).end('bad path');
      return;
    }
    if (path !== dir && !path.startsWith(dir + sep)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    if (existsSync(path) && statSync(path).isDirectory()) path = join(path, 'index.html');
    if (!existsSync(path)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
      'cache-control': 'no-cache',
    });
    createReadStream(path).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve({
        url: `http://${host}:${address.port}/`,
        port: address.port,
        close: () =>
          new Promise((r) => {
            server.close(() => r());
            // Browsers keep idle connections open; they must not hold the stop up.
            server.closeAllConnections();
          }),
      });
    });
  });
}

/** Starts `beckon-server` (built) as a child process and resolves once it listens. */
function startService({ port, host, configFile, onLog, redisUrl }) {
  const args = [
    join(root, 'packages', 'server', 'dist', 'cli.js'),
    '--port',
    String(port),
    '--host',
    host,
  ];
  if (configFile) args.push('--config', configFile);
  // With Redis the processes sit behind the local nginx: its X-Forwarded-For names the client.
  if (redisUrl) {
    args.push('--redis', redisUrl, '--redis-prefix', 'beckon-demo:');
    args.push('--trusted-proxies', '127.0.0.1');
  }
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  let token;
  let url;
  let buffered = '';
  let ready = false;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('beckon-server did not start within 20 s'));
    }, 20_000);
    const early = (code) => {
      clearTimeout(timer);
      reject(new Error(`beckon-server exited with ${code} before it was ready`));
    };
    child.once('exit', early);
    child.stdout.on('data', (chunk) => {
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
          onLog?.({ msg: line, level: 30 });
          continue;
        }
        onLog?.(entry);
        if (entry.msg === 'presence service listening') url = entry.url;
        if (entry.msg === 'demo agent token') token = entry.token;
        // The demo token is logged right after listening; a custom config logs none.
        if (!ready && url && (token || configFile)) {
          ready = true;
          clearTimeout(timer);
          child.off('exit', early);
          resolve({ child, url, token });
        }
      }
    });
  });
}

function stopChild(child, signal = 'SIGTERM') {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill(signal);
  });
}

/**
 * The presence service as one process on `port`, or (with `processes` > 1) as that many
 * processes sharing a local `redis-server`, behind a local nginx on `port` with the config
 * of docs/scaling.md. Either way clients reach it at one URL.
 */
async function startPresence({ port, host, configFile, onLog, processes }) {
  if (processes <= 1) {
    let service = await startService({ port, host, configFile, onLog });
    const servicePort = Number(new URL(service.url).port);
    return {
      url: `ws://${host}:${servicePort}/`,
      token: service.token,
      description: 'one process',
      async restart({ drain }) {
        await stopChild(service.child, drain ? 'SIGTERM' : 'SIGKILL');
        service = await startService({ port: servicePort, host, configFile, onLog });
        return service.token;
      },
      stop: () => stopChild(service.child),
    };
  }
  const redis = await startRedisServer();
  const services = [];
  let nginx;
  try {
    for (let i = 0; i < processes; i++) {
      services.push(await startService({ port: 0, host, configFile, onLog, redisUrl: redis.url }));
    }
    const ports = services.map((s) => Number(new URL(s.url).port));
    // nginx cannot pick a port itself.
    nginx = await startNginx({ host, port: port || (await freePort()), upstreams: ports });
    return {
      url: nginx.url,
      token: services[0].token,
      description: `nginx in front of ${processes} processes (:${ports.join(', :')}) sharing redis-server :${redis.port}`,
      // Every process at once, as a crash of the whole service; Redis keeps its state.
      async restart({ drain }) {
        await Promise.all(
          services.map((service) => stopChild(service.child, drain ? 'SIGTERM' : 'SIGKILL')),
        );
        for (const [i, port] of ports.entries()) {
          services[i] = await startService({ port, host, configFile, onLog, redisUrl: redis.url });
        }
        return services[0].token;
      },
      async stop() {
        await nginx.stop();
        await Promise.all(services.map((service) => stopChild(service.child)));
        await redis.dispose();
      },
    };
  } catch (error) {
    await nginx?.stop();
    await Promise.all(services.map((service) => stopChild(service.child, 'SIGKILL')));
    await redis.dispose();
    throw error;
  }
}

/**
 * Starts the presence service and serves both apps. Ports default to 8080 (service), 5173
 * (agent console) and 5174 (visitor demo); pass 0 for free ones. With `processes: 2` the
 * service is two processes on a local Redis behind a local nginx (`pnpm start --cluster`).
 *
 * @example
 * const stack = await startStack({ port: 0, consolePort: 0, demoPort: 0 });
 * console.log(stack.consoleUrl, stack.demoUrl, stack.agentToken);
 * await stack.restartService(); // same address, fresh state, as after a crash
 * await stack.stop();
 */
export async function startStack(options = {}) {
  const host = options.host ?? '127.0.0.1';
  const presence = await startPresence({
    port: options.port ?? 8080,
    host,
    configFile: options.configFile,
    onLog: options.onLog,
    processes: options.processes ?? 1,
  });
  const serviceUrl = presence.url;
  let agentToken = options.agentToken ?? presence.token;

  let agentConsole;
  let visitorDemo;
  try {
    agentConsole = await serveApp({
      dir: join(root, 'apps', 'agent-console', 'dist'),
      port: options.consolePort ?? 5173,
      host,
      config: () => ({ serverUrl: serviceUrl, groupId: options.groupId ?? 'demo', agentToken }),
    });
    visitorDemo = await serveApp({
      dir: join(root, 'apps', 'visitor-demo', 'dist'),
      port: options.demoPort ?? 5174,
      host,
      config: () => ({ serverUrl: serviceUrl, groupId: options.groupId ?? 'demo' }),
    });
  } catch (error) {
    // Never leave a half-started stack behind.
    await Promise.all([presence.stop(), agentConsole?.close()]);
    throw error;
  }

  return {
    serviceUrl,
    serviceDescription: presence.description,
    get agentToken() {
      return agentToken;
    },
    consoleUrl: agentConsole.url,
    demoUrl: visitorDemo.url,
    /** Kills the service without a drain and starts a new one on the same port. */
    async restartService({ drain = false } = {}) {
      const token = await presence.restart({ drain });
      agentToken = options.agentToken ?? token ?? agentToken;
    },
    async stop() {
      await Promise.all([presence.stop(), agentConsole.close(), visitorDemo.close()]);
    },
  };
}
