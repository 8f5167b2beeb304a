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

describe('beckon-server CLI', () => {
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
