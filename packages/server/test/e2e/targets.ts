import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Transport } from '@beckon/core';
import { createLinkedTransport, type LinkedTransport } from '@beckon/transport-mock';
import { webSocketTransport } from '@beckon/transport-ws';
import WebSocket from 'ws';
import { createPresenceServer, type PresenceServer } from '../../src/index.js';

export const AGENT_SECRET = 'e2e-shop-agent-secret-0123456789abcdef';
export const OTHER_SECRET = 'e2e-other-agent-secret-0123456789abcdef';
export const VISITOR_SECRET = 'e2e-visitor-token-secret-0123456789abcdef';
export const ALLOWED_ORIGIN = 'https://app.shop.test';

/** The same service configuration for every target: groups and short timers. */
export const CONFIG = {
  groups: {
    shop: { presence: true, termsUrl: 'https://shop.test/terms', agentSecrets: [AGENT_SECRET] },
    other: { presence: true, agentSecrets: [OTHER_SECRET] },
    dark: { presence: false, agentSecrets: [AGENT_SECRET] },
    secure: {
      presence: true,
      agentSecrets: [AGENT_SECRET],
      visitorTokens: { required: true, secrets: [VISITOR_SECRET] },
    },
    strict: { presence: true, agentSecrets: [AGENT_SECRET], allowedOrigins: [ALLOWED_ORIGIN] },
  },
  heartbeatMs: 2_000,
  graceMs: 300,
  awayAfterMs: 800,
  ackTimeoutMs: 1_500,
  handshakeTimeoutMs: 2_000,
};

/**
 * One way of reaching the presence service. Every end-to-end test runs against each target,
 * so the WebSocket transport and the in-process mock transport are held to one behaviour.
 */
export interface Target {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Kills the service abruptly (no drain) and starts a fresh one at the same address. */
  restart(): Promise<void>;
  transport(options?: { origin?: string }): Transport;
}

const serverDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitHealthy(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`beckon-server exited with ${child.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('beckon-server did not become healthy within 15 s');
}

/** The real `beckon-server` CLI as a child process, reached over WebSockets. */
export function processTarget(): Target {
  let port = 0;
  let child: ChildProcess | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'beckon-e2e-'));
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify(CONFIG));

  const launch = async () => {
    const proc = spawn(
      process.execPath,
      [
        join(serverDir, 'dist', 'cli.js'),
        '--config',
        configFile,
        '--port',
        String(port),
        '--host',
        '127.0.0.1',
        '--log-level',
        'silent',
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    child = proc;
    await waitHealthy(`http://127.0.0.1:${port}/healthz`, proc);
  };
  const kill = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
  };

  return {
    name: 'ws + beckon-server process',
    async start() {
      port = await freePort();
      await launch();
    },
    stop: kill,
    async restart() {
      await kill();
      await launch();
    },
    transport({ origin } = {}) {
      // Browsers send Origin themselves; from Node, `ws` takes it as an option.
      class WithOrigin extends WebSocket {
        constructor(url: string | URL, protocols?: string | string[]) {
          super(url, protocols, origin ? { origin } : {});
        }
      }
      return webSocketTransport({
        url: `ws://127.0.0.1:${port}/`,
        WebSocket: WithOrigin as unknown as typeof globalThis.WebSocket,
      });
    },
  };
}

/** The service in this process, reached through the mock transport's linked mode. */
export function inProcessTarget(): Target {
  let server: PresenceServer | undefined;
  const links: LinkedTransport[] = [];
  const launch = async () => {
    server = await createPresenceServer({ ...CONFIG, port: 0, logLevel: 'silent' });
  };
  return {
    name: 'mock transport + in-process service',
    start: launch,
    async stop() {
      await server?.close();
      server = undefined;
    },
    async restart() {
      // Like a killed process: every link dies at once and the new service knows nobody.
      for (const link of links) link.dropAll('service killed');
      const old = server;
      server = undefined;
      await old?.close();
      await launch();
    },
    transport({ origin } = {}) {
      const link = createLinkedTransport({
        accept: (peer) => {
          if (!server) throw new Error('service is down');
          server.accept(peer, origin ? { origin } : {});
        },
      });
      links.push(link);
      return link;
    },
  };
}
