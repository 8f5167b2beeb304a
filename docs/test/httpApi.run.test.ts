import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createVisitor, defineSessionProvider, type Visitor } from '@beckon/core';
import {
  createPresenceServer,
  createWebhookSecret,
  mintAgentToken,
  type PresenceServer,
} from '@beckon/server';
import { DEMO_AGENT_SECRET, DEMO_GROUP_ID, demoGroups } from '@beckon/server/demo';
import { webSocketTransport } from '@beckon/transport-ws';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { WebSocket } from 'ws';
import { type RunningBlock, runBlock } from './utils/runBlock.js';
import { sectionBlock } from './utils/sectionBlock.js';
import { shellBlock } from './utils/shellBlock.js';

// docs/http-api.md, run as written: the webhook receiver block (its own Node process, against
// the built packages) and the curl One-Click flow (bash and curl), against a real service
// whose demo group sends webhooks to that receiver, with the demo shop's visitor played by a
// real Beckon visitor that accepts and streams its session.

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

function runShell(script: string, env: Record<string, string>, timeoutMs = 20_000) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', script], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const timer = setTimeout(() => child.kill(), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('docs/http-api.md, run against a real service', () => {
  let server: PresenceServer;
  let receiver: RunningBlock;
  let visitor: Visitor;
  const signals: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    const secret = createWebhookSecret();
    receiver = runBlock(sectionBlock('docs/http-api.md', '### Receiving webhooks'), {
      PORT: String(port),
      BECKON_WEBHOOK_SECRET: secret,
    });
    await receiver.waitFor(/receiving webhooks on/);
    const groups = demoGroups();
    server = await createPresenceServer({
      groups: {
        ...groups,
        [DEMO_GROUP_ID]: {
          ...(groups[DEMO_GROUP_ID] as NonNullable<(typeof groups)[string]>),
          webhooks: [{ url: `http://127.0.0.1:${port}/`, secrets: [secret] }],
        },
      },
      logLevel: 'silent',
    });
    // The shop's visitor: accepts at once and streams its session on the session channel,
    // as a page with a session provider does.
    visitor = createVisitor({
      transport: webSocketTransport({ url: server.url, WebSocket }),
      ui: {
        show(_request, respond) {
          setTimeout(() => respond('accepted'), 50);
          return undefined;
        },
      },
      session: defineSessionProvider({
        transport: webSocketTransport({ url: server.sessionUrl, WebSocket }),
        start: () => ({ stop: () => {} }),
      }),
    });
    visitor.on('signal', ({ name, properties }) => signals.push(`${name} ${properties.c_text}`));
    const connected = new Promise<void>((resolve) => visitor.on('connected', () => resolve()));
    visitor.init({ groupId: DEMO_GROUP_ID, visitorId: 'demo-visitor' });
    visitor.connect();
    await connected;
  });

  afterAll(async () => {
    visitor?.disconnect();
    await receiver?.stop();
    await server?.close();
  });

  it('the curl lines run the One-Click flow, and the receiver gets the signed events', async () => {
    onTestFailed(() => console.error(`--- the receiver printed:\n${receiver.output()}`));
    const token = await mintAgentToken({
      groupId: DEMO_GROUP_ID,
      agentId: 'curl-backend',
      secret: DEMO_AGENT_SECRET,
      expiresIn: '5m',
    });
    const { code, output } = await runShell(
      shellBlock('docs/http-api.md', '## One-Click with curl'),
      {
        BECKON_HTTP: `http://127.0.0.1:${server.port}`,
        BECKON_AGENT_TOKEN: token,
      },
    );
    expect(code, output).toBe(0);
    const lines = output.trim().split('\n');
    expect(
      JSON.parse(lines[0] as string).visitors.map((v: { visitorId: string }) => v.visitorId),
    ).toEqual(['demo-visitor']);
    expect(JSON.parse(lines[1] as string)).toMatchObject({
      visitorId: 'demo-visitor',
      present: true,
    });
    expect(JSON.parse(lines[2] as string)).toHaveProperty('connectionId');
    expect(lines[3]).toBe('session demo-visitor is running');
    expect(JSON.parse(lines[4] as string)).toHaveProperty('epoch');
    expect(JSON.parse(lines[5] as string)).toMatchObject({
      sessionKey: 'demo-visitor',
      visitorId: 'demo-visitor',
    });
    expect(signals).toEqual(['c_note thanks for waiting']);

    await receiver.waitFor(/demo-visitor visitor\.connected/);
    await receiver.waitFor(/demo-visitor terms displayed/);
    await receiver.waitFor(/demo-visitor terms accepted/);
    await receiver.waitFor(/demo-visitor session\.started/);
    await receiver.waitFor(/demo-visitor session\.ended/);
    expect(receiver.output()).not.toMatch(/refused a webhook/);
  }, 40_000);
});
