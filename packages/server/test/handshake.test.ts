import { CloseCode, PROTOCOL_VERSION } from '@beckon/core/protocol';
import { describe, expect, it } from 'vitest';
import { mintAgentToken, mintVisitorToken } from '../src/index.js';
import {
  AGENT_SECRET,
  ALLOWED_ORIGIN,
  agentToken,
  connectVisitor,
  OTHER_AGENT_SECRET,
  openVisitor,
  startServer,
  TestClient,
  VISITOR_SECRET,
} from './utils.js';

describe('visitor handshake', () => {
  it('welcomes a visitor: focused, with an epoch, the heartbeat and a connection ID', async () => {
    const server = await startServer({ heartbeatMs: 4_000 });
    const alice = await connectVisitor(server, 'alice');
    expect(alice.welcome).toEqual({
      type: 'welcome',
      v: PROTOCOL_VERSION,
      connectionId: expect.any(String),
      focused: true,
      epoch: expect.any(Number),
      heartbeatMs: 4_000,
    });
    expect(alice.welcome.epoch).toBeGreaterThan(0);
  });

  it('refuses a group without presence with notConfigured and 4004', async () => {
    const server = await startServer();
    const client = await openVisitor(server, 'alice', { groupId: 'off' });
    expect(await client.take('error')).toMatchObject({ code: 'notConfigured' });
    expect((await client.closeInfo()).code).toBe(CloseCode.notConfigured);
  });

  it('refuses an unknown group with notConfigured and 4004', async () => {
    const server = await startServer();
    const client = await openVisitor(server, 'alice', { groupId: 'nope' });
    expect(await client.take('error')).toMatchObject({ code: 'notConfigured' });
    expect((await client.closeInfo()).code).toBe(4004);
  });

  it('refuses another protocol version with unsupportedVersion and 4005', async () => {
    const server = await startServer();
    const client = await TestClient.open(server.url);
    // A future hello may not even fit today's schema; the version is checked first.
    client.send({ type: 'hello', v: PROTOCOL_VERSION + 1, role: 'visitor', somethingNew: [1] });
    expect(await client.take('error')).toMatchObject({ code: 'unsupportedVersion' });
    expect((await client.closeInfo()).code).toBe(CloseCode.unsupportedVersion);
  });

  it('closes with 4108 when no hello arrives in time', async () => {
    const server = await startServer({ handshakeTimeoutMs: 150 });
    const client = await TestClient.open(server.url);
    expect((await client.closeInfo()).code).toBe(CloseCode.handshakeTimeout);
    expect(server.metrics.get('beckon_rejections_total', { reason: 'handshakeTimeout' })).toBe(1);
  });

  it('answers frames before hello as invalid and still accepts the hello after', async () => {
    const server = await startServer();
    const client = await TestClient.open(server.url);
    client.send({ type: 'presence', data: { url: '/x' } });
    expect(await client.take('error')).toMatchObject({ code: 'invalidMessage', param: 'type' });
    client.send({
      type: 'hello',
      v: PROTOCOL_VERSION,
      role: 'visitor',
      groupId: 'shop',
      visitorId: 'a',
      visible: true,
    });
    expect(await client.take('welcome')).toMatchObject({ focused: true });
  });

  it('names the bad field of an invalid hello', async () => {
    const server = await startServer();
    const client = await TestClient.open(server.url);
    client.send({
      type: 'hello',
      v: PROTOCOL_VERSION,
      role: 'visitor',
      groupId: 'shop',
      visitorId: 'a b',
      visible: true,
    });
    expect(await client.take('error')).toMatchObject({
      code: 'invalidMessage',
      param: 'visitorId',
    });
  });

  it('refuses an origin outside the group allowlist with forbidden and 4003', async () => {
    const server = await startServer();
    const token = await mintVisitorToken({
      groupId: 'secure',
      visitorId: 'alice',
      secret: VISITOR_SECRET,
      expiresIn: 60,
    });
    const evil = await openVisitor(server, 'alice', {
      groupId: 'secure',
      token,
      origin: 'https://evil.example',
    });
    expect(await evil.take('error')).toMatchObject({ code: 'forbidden' });
    expect((await evil.closeInfo()).code).toBe(CloseCode.forbidden);
    // No Origin header at all is refused too when the group has an allowlist.
    const none = await openVisitor(server, 'alice', { groupId: 'secure', token });
    expect((await none.closeInfo()).code).toBe(CloseCode.forbidden);
    const good = await connectVisitor(server, 'alice', {
      groupId: 'secure',
      token,
      origin: ALLOWED_ORIGIN,
    });
    expect(good.welcome.focused).toBe(true);
  });

  it('requires a visitor token when the group says so (4001)', async () => {
    const server = await startServer();
    const client = await openVisitor(server, 'alice', {
      groupId: 'secure',
      origin: ALLOWED_ORIGIN,
    });
    expect(await client.take('error')).toMatchObject({ code: 'unauthorized' });
    expect((await client.closeInfo()).code).toBe(CloseCode.unauthorized);
  });

  it('refuses a forged visitor token (4001)', async () => {
    const server = await startServer();
    const token = await mintVisitorToken({
      groupId: 'secure',
      visitorId: 'alice',
      secret: 'forged-secret-0123456789abcdefghij',
      expiresIn: 60,
    });
    const client = await openVisitor(server, 'alice', {
      groupId: 'secure',
      token,
      origin: ALLOWED_ORIGIN,
    });
    expect(await client.take('error')).toMatchObject({ code: 'unauthorized' });
    expect((await client.closeInfo()).code).toBe(CloseCode.unauthorized);
  });

  it('refuses an expired visitor token (4001)', async () => {
    const server = await startServer();
    const token = await mintVisitorToken({
      groupId: 'secure',
      visitorId: 'alice',
      secret: VISITOR_SECRET,
      expiresIn: -10,
    });
    const client = await openVisitor(server, 'alice', {
      groupId: 'secure',
      token,
      origin: ALLOWED_ORIGIN,
    });
    expect(await client.take('error')).toMatchObject({
      code: 'unauthorized',
      message: expect.stringContaining('expired'),
    });
    expect((await client.closeInfo()).code).toBe(4001);
  });

  it("refuses another visitor's token with forbidden and 4003", async () => {
    const server = await startServer();
    const token = await mintVisitorToken({
      groupId: 'secure',
      visitorId: 'mallory',
      secret: VISITOR_SECRET,
      expiresIn: 60,
    });
    const client = await openVisitor(server, 'alice', {
      groupId: 'secure',
      token,
      origin: ALLOWED_ORIGIN,
    });
    expect(await client.take('error')).toMatchObject({ code: 'forbidden' });
    expect((await client.closeInfo()).code).toBe(CloseCode.forbidden);
  });

  it('refuses an agent token presented as a visitor token (audience)', async () => {
    const server = await startServer();
    const token = await mintAgentToken({
      groupId: 'secure',
      agentId: 'alice',
      secret: VISITOR_SECRET,
      expiresIn: 60,
    });
    const client = await openVisitor(server, 'alice', {
      groupId: 'secure',
      token,
      origin: ALLOWED_ORIGIN,
    });
    expect((await client.closeInfo()).code).toBe(CloseCode.unauthorized);
  });
});

describe('agent handshake', () => {
  const agentHello = (token: string, groupId = 'shop') => ({
    type: 'hello',
    v: PROTOCOL_VERSION,
    role: 'agent',
    groupId,
    token,
  });

  it('welcomes an agent with a valid token', async () => {
    const server = await startServer();
    const client = await TestClient.open(server.url);
    client.send(agentHello(await agentToken()));
    expect(await client.take('welcome')).toEqual({
      type: 'welcome',
      v: PROTOCOL_VERSION,
      connectionId: expect.any(String),
      groupId: 'shop',
      heartbeatMs: 5_000,
    });
  });

  it('accepts any of several secrets (rotation)', async () => {
    const next = 'next-agent-secret-0123456789abcdefgh';
    const server = await startServer({
      groups: { shop: { presence: true, agentSecrets: [AGENT_SECRET, next] } },
    });
    const client = await TestClient.open(server.url);
    client.send(agentHello(await agentToken('shop', { secret: next })));
    expect(await client.take('welcome')).toMatchObject({ groupId: 'shop' });
  });

  it('refuses a garbage JWT with unauthorized and 4001', async () => {
    const server = await startServer();
    const client = await TestClient.open(server.url);
    client.send(agentHello('not.a.jwt'));
    expect(await client.take('error')).toMatchObject({ code: 'unauthorized' });
    expect((await client.closeInfo()).code).toBe(CloseCode.unauthorized);
  });

  it('refuses an expired JWT with unauthorized and 4001', async () => {
    const server = await startServer();
    const client = await TestClient.open(server.url);
    client.send(agentHello(await agentToken('shop', { expiresIn: -5 })));
    expect(await client.take('error')).toMatchObject({
      code: 'unauthorized',
      message: expect.stringContaining('expired'),
    });
    expect((await client.closeInfo()).code).toBe(4001);
  });

  it("refuses another group's JWT (signed with its secret) with 4001", async () => {
    const server = await startServer();
    const client = await TestClient.open(server.url);
    // A genuine token of group "secure", presented to "shop".
    client.send(agentHello(await agentToken('secure', { secret: OTHER_AGENT_SECRET })));
    expect(await client.take('error')).toMatchObject({ code: 'unauthorized' });
    expect((await client.closeInfo()).code).toBe(4001);
  });

  it('refuses a token signed for this group but naming another group with 4003', async () => {
    const server = await startServer();
    const client = await TestClient.open(server.url);
    const token = await mintAgentToken({
      groupId: 'secure',
      agentId: 'a',
      secret: AGENT_SECRET,
      expiresIn: 60,
    });
    client.send(agentHello(token, 'shop'));
    expect(await client.take('error')).toMatchObject({ code: 'forbidden' });
    expect((await client.closeInfo()).code).toBe(CloseCode.forbidden);
  });

  it('refuses a visitor token presented as an agent token (audience)', async () => {
    const server = await startServer();
    const client = await TestClient.open(server.url);
    const token = await mintVisitorToken({
      groupId: 'shop',
      visitorId: 'a',
      secret: AGENT_SECRET,
      expiresIn: 60,
    });
    client.send(agentHello(token));
    expect((await client.closeInfo()).code).toBe(CloseCode.unauthorized);
  });

  it('treats a visitor message from an agent as invalid', async () => {
    const server = await startServer();
    const client = await TestClient.open(server.url);
    client.send(agentHello(await agentToken()));
    await client.take('welcome');
    client.send({ type: 'presence', data: { url: '/x' } });
    expect(await client.take('error')).toMatchObject({ code: 'invalidMessage', param: 'type' });
  });
});
