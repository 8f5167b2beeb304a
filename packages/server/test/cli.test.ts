import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CloseCode, PROTOCOL_VERSION } from '@beckon/core/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseGroupsConfig } from '../src/index.js';
import { AGENT_SECRET, agentToken } from './utils.js';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(pkg, 'dist', 'cli.js');
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

interface Running {
  child: ChildProcess;
  lines: () => Record<string, unknown>[];
  waitFor: (match: (line: Record<string, unknown>) => boolean) => Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

function run(args: string[], env: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, [cli, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const parsed: Record<string, unknown>[] = [];
  let buffer = '';
  const listeners = new Set<() => void>();
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let nl = buffer.indexOf('\n');
    while (nl >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      try {
        parsed.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        parsed.push({ text: line });
      }
      nl = buffer.indexOf('\n');
    }
    for (const l of [...listeners]) l();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    lines: () => parsed,
    exited,
    waitFor: (match) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no matching log line; got ${JSON.stringify(parsed)}`));
        }, 15_000);
        const check = () => {
          const found = parsed.find(match);
          if (found) {
            clearTimeout(timer);
            listeners.delete(check);
            resolve(found);
          }
        };
        listeners.add(check);
        check();
      }),
  };
}

function openWs(url: string): Promise<{
  ws: WebSocket;
  frames: Record<string, unknown>[];
  closed: Promise<{ code: number; reason: string }>;
}> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const frames: Record<string, unknown>[] = [];
    ws.on('message', (d) => frames.push(JSON.parse(d.toString()) as Record<string, unknown>));
    const closed = new Promise<{ code: number; reason: string }>((r) =>
      ws.on('close', (code, reason) => r({ code, reason: reason.toString() })),
    );
    ws.once('open', () => resolve({ ws, frames, closed }));
    ws.once('error', reject);
  });
}

// Every test starts node processes: seconds each on a loaded machine.
describe('beckon-server CLI', { timeout: 30_000 }, () => {
  it('--help prints usage and exits 0', () => {
    const result = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: beckon-server');
    for (const flag of [
      '--port',
      '--host',
      '--config',
      'BECKON_PORT',
      'BECKON_HOST',
      'BECKON_CONFIG',
    ]) {
      expect(result.stdout).toContain(flag);
    }
  });

  it('vapid prints a key pair a group config accepts, new on every run', () => {
    const first = spawnSync(process.execPath, [cli, 'vapid'], { encoding: 'utf8' });
    expect(first.status).toBe(0);
    const keys = JSON.parse(first.stdout) as { publicKey: string; privateKey: string };
    expect(Buffer.from(keys.publicKey, 'base64url')).toHaveLength(65);
    expect(Buffer.from(keys.privateKey, 'base64url')).toHaveLength(32);
    // The pair is checked as a pair: the config accepts it, and refuses it mixed with another.
    const push = (vapid: object) => ({
      shop: {
        presence: true,
        agentSecrets: [AGENT_SECRET],
        push: { vapid: { ...vapid, subject: 'mailto:ops@shop.test' } },
      },
    });
    expect(() => parseGroupsConfig(push(keys))).not.toThrow();
    const second = JSON.parse(
      spawnSync(process.execPath, [cli, 'vapid'], { encoding: 'utf8' }).stdout,
    ) as typeof keys;
    expect(second.publicKey).not.toBe(keys.publicKey);
    expect(() =>
      parseGroupsConfig(push({ publicKey: keys.publicKey, privateKey: second.privateKey })),
    ).toThrow(/groups\.shop\.push\.vapid\.privateKey: the private key does not belong/);
    expect(spawnSync(process.execPath, [cli, 'vapid', 'extra'], { encoding: 'utf8' }).status).toBe(
      2,
    );
  });

  it('rejects an unknown flag with exit code 2', () => {
    const result = spawnSync(process.execPath, [cli, '--bogus'], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--bogus');
  });

  it('rejects a bad config file, naming the field, with exit code 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'beckon-cli-'));
    const file = join(dir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({ groups: { shop: { presence: 'yes', agentSecrets: [] } } }),
    );
    const result = spawnSync(process.execPath, [cli, '--config', file, '--port', '0'], {
      encoding: 'utf8',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('groups.shop.presence');
  });

  it('takes --trusted-proxies as a list of addresses, and refuses one that is not', () => {
    const result = spawnSync(
      process.execPath,
      [cli, '--port', '0', '--trusted-proxies', '10.0.0.2, proxy.internal'],
      { encoding: 'utf8' },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('options.trustedProxies.1: must be an IP address');
  });

  it('starts in demo mode, serves a demo agent, and drains on SIGTERM', async () => {
    const server = run(['--port', '0', '--host', '127.0.0.1']);
    const listening = await server.waitFor((l) => l.msg === 'presence service listening');
    const url = listening.url as string;
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/$/);
    const demo = await server.waitFor((l) => l.msg === 'demo agent token');
    const agent = await openWs(url);
    agent.ws.send(
      JSON.stringify({
        type: 'hello',
        v: PROTOCOL_VERSION,
        role: 'agent',
        groupId: 'demo',
        token: demo.token,
      }),
    );
    const visitor = await openWs(url);
    visitor.ws.send(
      JSON.stringify({
        type: 'hello',
        v: PROTOCOL_VERSION,
        role: 'visitor',
        groupId: 'demo',
        visitorId: 'v1',
        visible: true,
      }),
    );
    await expect.poll(() => agent.frames.map((f) => f.type)).toContain('welcome');
    await expect.poll(() => visitor.frames.map((f) => f.type)).toContain('welcome');
    const health = await fetch(`${url.replace('ws:', 'http:')}healthz`);
    expect(await health.json()).toMatchObject({ status: 'ok', connections: 2 });

    server.child.kill('SIGTERM');
    const closed = await visitor.closed;
    expect(closed.code).toBe(CloseCode.reconnect);
    expect(Number(closed.reason)).toBeGreaterThanOrEqual(0);
    expect(Number(closed.reason)).toBeLessThanOrEqual(5_000);
    expect((await agent.closed).code).toBe(CloseCode.reconnect);
    expect(await server.exited).toBe(0);
  }, 30_000);

  it('reads --config and env vars (BECKON_CONFIG, BECKON_PORT, BECKON_HOST)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'beckon-cli-'));
    const file = join(dir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({
        groups: { shop: { presence: true, termsUrl: '/t', agentSecrets: [AGENT_SECRET] } },
        path: '/presence',
        heartbeatMs: 10_000,
      }),
    );
    const server = run([], { BECKON_CONFIG: file, BECKON_PORT: '0', BECKON_HOST: '127.0.0.1' });
    const listening = await server.waitFor((l) => l.msg === 'presence service listening');
    const url = listening.url as string;
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/presence$/);
    const agent = await openWs(url);
    agent.ws.send(
      JSON.stringify({
        type: 'hello',
        v: PROTOCOL_VERSION,
        role: 'agent',
        groupId: 'shop',
        token: await agentToken(),
      }),
    );
    await expect
      .poll(() => agent.frames[0])
      .toMatchObject({ type: 'welcome', groupId: 'shop', heartbeatMs: 10_000 });
    // No demo group and no demo token with a config file.
    expect(server.lines().some((l) => l.msg === 'demo agent token')).toBe(false);
    server.child.kill('SIGINT');
    expect(await server.exited).toBe(0);
  }, 30_000);
});

describe('beckon-server CLI: figures, precedence and exit codes', () => {
  const configFile = (extra: Record<string, unknown>) => {
    const dir = mkdtempSync(join(tmpdir(), 'beckon-cli-'));
    const file = join(dir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({
        groups: {
          shop: {
            presence: true,
            agentSecrets: [AGENT_SECRET],
            rateLimit: { perSecond: 5, burst: 10 },
            agentRateLimit: { perSecond: 50, burst: 100 },
          },
        },
        ...extra,
      }),
    );
    return file;
  };

  it('takes every tuning figure from the config file, and applies them', async () => {
    const file = configFile({
      heartbeatMs: 20_000,
      handshakeTimeoutMs: 5_000,
      ackTimeoutMs: 5_000,
      graceMs: 1_000,
      awayAfterMs: 60_000,
      drainSpreadMs: 100,
      shutdownTimeoutMs: 1_000,
      closeTimeoutMs: 1_000,
      upgradeTimeoutMs: 5_000,
      maxConnectionsPerAddress: 1,
      logSummaryMs: 30_000,
      rateLimit: { perSecond: 10, burst: 20 },
      agentRateLimit: { perSecond: 100, burst: 200 },
    });
    const server = run(['--config', file, '--port', '0', '--log-level', 'info']);
    const listening = await server.waitFor((l) => l.msg === 'presence service listening');
    const first = await openWs(listening.url as string);
    // One socket per address: the next one is refused before the upgrade.
    await expect(openWs(listening.url as string)).rejects.toThrow(/429/);
    first.ws.close();
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 30_000);

  it('takes a flag over the environment, and the environment over the file', async () => {
    const file = configFile({ host: 'localhost', port: 1 });
    const fromEnv = run(['--config', file], { BECKON_HOST: '127.0.0.1', BECKON_PORT: '0' });
    const a = await fromEnv.waitFor((l) => l.msg === 'presence service listening');
    expect(a.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/$/);
    fromEnv.child.kill('SIGTERM');
    expect(await fromEnv.exited).toBe(0);
    const fromFlag = run(['--config', file, '--host', '127.0.0.1', '--port', '0'], {
      BECKON_HOST: 'localhost',
      BECKON_PORT: '1',
    });
    const b = await fromFlag.waitFor((l) => l.msg === 'presence service listening');
    expect(b.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/$/);
    fromFlag.child.kill('SIGTERM');
    expect(await fromFlag.exited).toBe(0);
    // The log level: the environment over the file (which says silent).
    const quiet = configFile({ logLevel: 'silent' });
    const loud = run(['--config', quiet, '--port', '0'], { BECKON_LOG_LEVEL: 'debug' });
    const c = await loud.waitFor((l) => l.msg === 'presence service listening');
    const client = await openWs(c.url as string);
    await loud.waitFor((l) => l.msg === 'connection accepted' && l.level === 20);
    client.ws.close();
    loud.child.kill('SIGTERM');
    expect(await loud.exited).toBe(0);
  }, 30_000);

  it('the demo configuration is importable as @beckon/server/demo, and is what it runs', async () => {
    const { DEMO_AGENT_SECRET, DEMO_GROUP_ID, DEMO_VAPID_KEYS, demoGroups } = await import(
      '@beckon/server/demo'
    );
    expect(DEMO_GROUP_ID).toBe('demo');
    expect(demoGroups()).toEqual({
      demo: {
        presence: true,
        termsUrl: '/terms',
        agentSecrets: [DEMO_AGENT_SECRET],
        push: {
          vapid: { ...DEMO_VAPID_KEYS, subject: 'mailto:demo@example.com' },
          notification: { title: expect.any(String), body: expect.any(String) },
        },
      },
    });
    const demo = run(['--port', '0']);
    const token = (await demo.waitFor((l) => l.msg === 'demo agent token')).token as string;
    const { jwtVerify } = await import('jose');
    const { payload } = await jwtVerify(token, new TextEncoder().encode(DEMO_AGENT_SECRET));
    expect(payload).toMatchObject({ grp: 'demo', aud: 'beckon:agent' });
    // Valid 24 hours.
    expect((payload.exp as number) - (payload.iat as number)).toBe(24 * 3600);
    demo.child.kill('SIGTERM');
    expect(await demo.exited).toBe(0);
  }, 30_000);

  it('exits 1 when it cannot listen, and at once with 1 on a second signal while draining', async () => {
    const blocker = run(['--port', '0', '--log-level', 'info']);
    const listening = await blocker.waitFor((l) => l.msg === 'presence service listening');
    const port = new URL(listening.url as string).port;
    const taken = spawnSync(process.execPath, [cli, '--port', port], {
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(taken.status).toBe(1);

    // A client that never completes the close keeps the drain waiting: a second signal ends it.
    const file = configFile({ shutdownTimeoutMs: 20_000, closeTimeoutMs: 20_000 });
    const slow = run(['--config', file, '--port', '0', '--log-level', 'info']);
    const at = await slow.waitFor((l) => l.msg === 'presence service listening');
    const stalled = await openWs(at.url as string);
    stalled.ws.pause();
    (stalled.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    slow.child.kill('SIGTERM');
    await slow.waitFor((l) => l.msg === 'draining');
    slow.child.kill('SIGTERM');
    expect(await slow.exited).toBe(1);
    blocker.child.kill('SIGTERM');
    expect(await blocker.exited).toBe(0);
  }, 30_000);
});
