// The HTTP agent API against a real service over real HTTP: every endpoint, every typed
// failure, tokens of other groups, CORS, rate limits, pages of a large group, and a request
// that crosses hubs through the bus.
import { createHttpAgent, HttpApiError } from '@beckon/core/http';
import { describe, expect, it } from 'vitest';
import {
  createMemoryBus,
  createMemoryRegistry,
  type GroupsConfig,
  type PresenceServer,
} from '../src/index.js';
import {
  AGENT_SECRET,
  agentToken,
  connectVisitor,
  delay,
  type Frame,
  OTHER_AGENT_SECRET,
  startServer,
  TestClient,
} from './utils.js';

const CONSOLE_ORIGIN = 'https://crm.example.com';
const HTTP_GROUPS: GroupsConfig = {
  shop: {
    presence: true,
    termsUrl: '/terms',
    agentSecrets: [AGENT_SECRET],
    agentOrigins: [CONSOLE_ORIGIN],
  },
  other: { presence: true, agentSecrets: [OTHER_AGENT_SECRET] },
  off: { presence: false, agentSecrets: [AGENT_SECRET] },
  slow: {
    presence: true,
    agentSecrets: [AGENT_SECRET],
    agentRateLimit: { perSecond: 1, burst: 2 },
  },
};

const base = (server: PresenceServer) => `http://127.0.0.1:${server.port}`;

async function call(
  server: PresenceServer,
  method: string,
  path: string,
  init: { token?: string | null; body?: string; headers?: Record<string, string> } = {},
) {
  const token = init.token === undefined ? await agentToken('shop') : init.token;
  const res = await fetch(`${base(server)}${path}`, {
    method,
    headers: {
      ...(token !== null && { authorization: `Bearer ${token}` }),
      ...(init.body !== undefined && { 'content-type': 'application/json' }),
      ...init.headers,
    },
    ...(init.body !== undefined && { body: init.body }),
  });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: bodies are inspected loosely
  const body: any = text ? JSON.parse(text) : undefined;
  return { status: res.status, headers: res.headers, body };
}

const start = (overrides = {}) =>
  startServer({ groups: HTTP_GROUPS, ackTimeoutMs: 400, graceMs: 200, ...overrides });

/** The visitor answers the next request with `ack` (or `busy`), or not at all. */
async function answer(visitor: TestClient, type: string, how: 'ack' | 'busy' | 'silent' = 'ack') {
  const request = await visitor.take(type);
  if (how !== 'silent') {
    visitor.send({ type: 'ack', id: request.id, ...(how === 'busy' && { status: 'busy' }) });
  }
  return request;
}

describe('HTTP agent API: reading the group', () => {
  it('lists the group and looks up one visitor, with the WebSocket API’s summaries', async () => {
    const server = await start();
    const empty = await call(server, 'GET', '/v1/groups/shop/visitors');
    expect(empty).toMatchObject({ status: 200, body: { visitors: [] } });
    const alice = await connectVisitor(server, 'alice');
    alice.send({ type: 'presence', data: { url: '/cart' } });
    await connectVisitor(server, 'bob');
    await delay(50);

    const list = await call(server, 'GET', '/v1/groups/shop/visitors');
    expect(list.status).toBe(200);
    expect(list.headers.get('content-type')).toBe('application/json');
    expect(list.body.visitors.map((v: Frame) => v.visitorId)).toEqual(['alice', 'bob']);
    expect(list.body.next).toBeUndefined();

    const one = await call(server, 'GET', '/v1/groups/shop/visitors/alice');
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      visitorId: 'alice',
      present: true,
      visibility: 'visible',
      presence: { url: '/cart' },
      connections: 1,
      focusedConnectionId: alice.welcome.connectionId,
    });

    const unknown = await call(server, 'GET', '/v1/groups/shop/visitors/nobody');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('application/problem+json');
    expect(unknown.body).toMatchObject({
      type: '/v1/problems/not-found',
      code: 'notFound',
      status: 404,
      instance: '/v1/groups/shop/visitors/nobody',
    });

    const limited = await call(server, 'GET', '/v1/groups/shop/visitors?limit=1');
    expect(limited.body).toMatchObject({ visitors: [{ visitorId: 'alice' }], next: 'alice' });
    const rest = await call(server, 'GET', '/v1/groups/shop/visitors?limit=1&after=alice');
    expect(rest.body.visitors.map((v: Frame) => v.visitorId)).toEqual(['bob']);
  });

  it('refuses bad query and path values with the protocol’s typed errors', async () => {
    const server = await start();
    const zero = await call(server, 'GET', '/v1/groups/shop/visitors?limit=0');
    expect(zero).toMatchObject({ status: 400, body: { code: 'invalidMessage', param: 'limit' } });
    const text = await call(server, 'GET', '/v1/groups/shop/visitors?limit=lots');
    expect(text).toMatchObject({ status: 400, body: { code: 'invalidMessage', param: 'limit' } });
    const after = await call(server, 'GET', '/v1/groups/shop/visitors?after=a%20b');
    expect(after).toMatchObject({ status: 400, body: { code: 'invalidMessage', param: 'after' } });
    const id = await call(server, 'GET', `/v1/groups/shop/visitors/${'x'.repeat(63)}`);
    expect(id).toMatchObject({ status: 400, body: { code: 'invalidMessage', param: 'visitorId' } });
  });

  it('lists a large group completely, in bounded pages, through the typed client', async () => {
    const registry = createMemoryRegistry();
    const server = await start({ registry });
    const total = 1_500;
    const bulky = 'x'.repeat(1_900);
    for (let i = 0; i < total; i += 1) {
      const visitorId = `v${String(i).padStart(5, '0')}`;
      await registry.connect({
        groupId: 'shop',
        visitorId,
        connectionId: `c${i}`,
        visible: true,
        at: 1,
      });
      // Large presence data: pages end on size long before they reach the count.
      if (i % 3 === 0) {
        await registry.setPresence({ groupId: 'shop', visitorId, data: { url: bulky }, at: 1 });
      }
    }
    const api = createHttpAgent({
      baseUrl: base(server),
      groupId: 'shop',
      token: () => agentToken('shop'),
    });
    const seen: string[] = [];
    let pages = 0;
    for await (const page of api.visitorPages()) {
      pages += 1;
      seen.push(...page.map((v) => v.visitorId));
    }
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    expect(seen).toEqual([...seen].sort());
    expect(pages).toBeGreaterThan(10);
  });
});

describe('HTTP agent API: requests to a visitor', () => {
  it('show-terms answers once the visitor acknowledged, with the group’s terms page', async () => {
    const server = await start();
    const alice = await connectVisitor(server, 'alice');
    const pending = call(server, 'POST', '/v1/groups/shop/visitors/alice/show-terms', {
      body: JSON.stringify({ sessionKey: 'case-7' }),
    });
    const request = await answer(alice, 'showTerms');
    expect(request).toMatchObject({ sessionKey: 'case-7', termsUrl: '/terms' });
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      connectionId: alice.welcome.connectionId,
      epoch: alice.welcome.epoch,
    });

    // No body at all is a request with the defaults.
    const bare = fetch(`${base(server)}/v1/groups/shop/visitors/alice/show-terms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await agentToken('shop')}` },
    });
    expect(await answer(alice, 'showTerms')).not.toHaveProperty('sessionKey');
    expect((await bare).status).toBe(200);
  });

  it('a signal is relayed and acknowledged; the typed client resolves with the delivery', async () => {
    const server = await start();
    const alice = await connectVisitor(server, 'alice');
    const api = createHttpAgent({
      baseUrl: base(server),
      groupId: 'shop',
      token: await agentToken('shop'),
    });
    const pending = api.signalVisitor('alice', 'c_refresh', { c_reason: 'price changed' });
    expect(await answer(alice, 'signal')).toMatchObject({
      name: 'c_refresh',
      properties: { c_reason: 'price changed' },
    });
    await expect(pending).resolves.toEqual({
      connectionId: alice.welcome.connectionId,
      epoch: alice.welcome.epoch,
    });
  });

  it('gives the WebSocket API’s failures: visitorNotPresent, busy, timeout', async () => {
    const server = await start();
    const absent = await call(server, 'POST', '/v1/groups/shop/visitors/ghost/show-terms');
    expect(absent.status).toBe(409);
    expect(absent.body).toMatchObject({
      type: '/v1/problems/visitor-not-present',
      code: 'visitorNotPresent',
    });

    const alice = await connectVisitor(server, 'alice');
    const busy = call(server, 'POST', '/v1/groups/shop/visitors/alice/show-terms');
    await answer(alice, 'showTerms', 'busy');
    expect((await busy).body).toMatchObject({
      status: 409,
      code: 'busy',
      type: '/v1/problems/busy',
    });

    const silent = call(server, 'POST', '/v1/groups/shop/visitors/alice/signals', {
      body: JSON.stringify({ name: 'c_ping', properties: {} }),
    });
    await answer(alice, 'signal', 'silent');
    const timeout = await silent;
    expect(timeout.status).toBe(504);
    expect(timeout.body).toMatchObject({ code: 'timeout', type: '/v1/problems/timeout' });

    const api = createHttpAgent({
      baseUrl: base(server),
      groupId: 'shop',
      token: await agentToken('shop'),
    });
    const error = await api.showTerms('ghost').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpApiError);
    expect(error).toMatchObject({ code: 'visitorNotPresent', status: 409 });
  });

  it('a request for a visitor inside its reconnect grace waits and reaches it when it is back', async () => {
    const server = await start({ graceMs: 1_500 });
    const first = await connectVisitor(server, 'alice');
    first.ws.close();
    await delay(100);
    const pending = call(server, 'POST', '/v1/groups/shop/visitors/alice/show-terms');
    await delay(100);
    const back = await connectVisitor(server, 'alice');
    await answer(back, 'showTerms');
    expect((await pending).body).toMatchObject({ connectionId: back.welcome.connectionId });
  });

  it('checks bodies: JSON object, media type, size, and the protocol’s input rules', async () => {
    const server = await start();
    await connectVisitor(server, 'alice');
    const path = '/v1/groups/shop/visitors/alice/signals';
    const notJson = await call(server, 'POST', path, { body: '{"name":' });
    expect(notJson).toMatchObject({
      status: 400,
      body: { code: 'malformed', type: '/v1/problems/malformed' },
    });
    const array = await call(server, 'POST', path, { body: '[]' });
    expect(array.body.code).toBe('malformed');
    const missing = await call(server, 'POST', path, { body: '{"properties":{}}' });
    expect(missing.body).toMatchObject({ code: 'invalidMessage', param: 'name' });
    const prefix = await call(server, 'POST', path, { body: '{"name":"refresh","properties":{}}' });
    expect(prefix).toMatchObject({
      status: 400,
      body: { code: 'invalidParameter', param: 'name' },
    });
    const tooMany = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`p${i}`, 'x']));
    const props = await call(server, 'POST', path, {
      body: JSON.stringify({ name: 'c_x', properties: tooMany }),
    });
    expect(props.body).toMatchObject({ code: 'invalidParameter', param: 'properties' });
    const terms = await call(server, 'POST', '/v1/groups/shop/visitors/alice/show-terms', {
      body: JSON.stringify({ termsUrl: 'javascript:alert(1)' }),
    });
    expect(terms.body).toMatchObject({ code: 'invalidParameter', param: 'termsUrl' });
    const text = await call(server, 'POST', path, {
      body: 'name=c_x',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text).toMatchObject({ status: 415, body: { code: 'unsupportedMediaType' } });
    const huge = await call(server, 'POST', path, {
      body: JSON.stringify({ name: 'c_x', pad: 'x'.repeat(70_000) }),
    });
    expect(huge).toMatchObject({
      status: 413,
      body: { code: 'tooLarge', type: '/v1/problems/too-large' },
    });
  });
});

describe('HTTP agent API: who may call it', () => {
  it('wants a valid agent token of the path’s group', async () => {
    const server = await start();
    const none = await call(server, 'GET', '/v1/groups/shop/visitors', { token: null });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(none.body).toMatchObject({ code: 'unauthorized', type: '/v1/problems/unauthorized' });
    const garbage = await call(server, 'GET', '/v1/groups/shop/visitors', { token: 'not-a-jwt' });
    expect(garbage).toMatchObject({ status: 401, body: { code: 'unauthorized' } });
    const expired = await call(server, 'GET', '/v1/groups/shop/visitors', {
      token: await agentToken('shop', { expiresIn: -10 }),
    });
    expect(expired.body.detail).toMatch(/expired/);
    // A token of another group, signed with that group's secret: not this group's agent.
    const foreign = await agentToken('other', { secret: OTHER_AGENT_SECRET });
    const refused = await call(server, 'GET', '/v1/groups/shop/visitors', { token: foreign });
    expect(refused).toMatchObject({ status: 401, body: { code: 'unauthorized' } });
    // Signed with this group's secret but naming another group: forbidden, as over WebSocket.
    const crossed = await call(server, 'GET', '/v1/groups/shop/visitors', {
      token: await agentToken('other', { secret: AGENT_SECRET }),
    });
    expect(crossed).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    const off = await call(server, 'GET', '/v1/groups/off/visitors');
    expect(off).toMatchObject({ status: 404, body: { code: 'notConfigured' } });
    const unknownGroup = await call(server, 'GET', '/v1/groups/nope/visitors');
    expect(unknownGroup.body.code).toBe('notConfigured');
  });

  it('answers unknown paths and methods with problems', async () => {
    const server = await start();
    expect(await call(server, 'GET', '/v1/groups/shop/nothing')).toMatchObject({
      status: 404,
      body: { code: 'notFound' },
    });
    expect((await call(server, 'GET', '/v1/elsewhere')).status).toBe(404);
    const wrong = await call(server, 'DELETE', '/v1/groups/shop/visitors');
    expect(wrong).toMatchObject({ status: 405, body: { code: 'methodNotAllowed' } });
    expect(wrong.headers.get('allow')).toBe('GET');
    const type = await call(server, 'GET', '/v1/problems/visitor-not-present', { token: null });
    expect(type.body).toEqual({
      type: '/v1/problems/visitor-not-present',
      title: 'The visitor has no open connection',
      status: 409,
      code: 'visitorNotPresent',
    });
    // The rest of the service is where it was.
    expect((await fetch(`${base(server)}/healthz`)).status).toBe(200);
  });

  it('paces each agent with its group’s limit and says when to come back', async () => {
    const server = await start();
    const token = await agentToken('slow');
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < 4; i += 1) {
      const res = await call(server, 'GET', '/v1/groups/slow/visitors', { token });
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(statuses.slice(0, 2)).toEqual([200, 200]);
    expect(limited?.body).toMatchObject({ code: 'rateLimited', type: '/v1/problems/rate-limited' });
    expect(limited?.body.retryAfter).toBeGreaterThan(0);
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Another agent of the group has a bucket of its own.
    const other = await agentToken('slow', { agentId: 'agent-2' });
    expect((await call(server, 'GET', '/v1/groups/slow/visitors', { token: other })).status).toBe(
      200,
    );
  });

  it('CORS is off unless the group lists the origin', async () => {
    const server = await start();
    const preflight = (group: string, origin: string) =>
      fetch(`${base(server)}/v1/groups/${group}/visitors`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      });
    const allowed = await preflight('shop', CONSOLE_ORIGIN);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(CONSOLE_ORIGIN);
    expect(allowed.headers.get('access-control-allow-headers')).toContain('authorization');
    expect((await preflight('shop', 'https://evil.example.com')).status).toBe(403);
    expect((await preflight('other', CONSOLE_ORIGIN)).status).toBe(403);

    const listed = await call(server, 'GET', '/v1/groups/shop/visitors', {
      headers: { origin: CONSOLE_ORIGIN },
    });
    expect(listed.headers.get('access-control-allow-origin')).toBe(CONSOLE_ORIGIN);
    const stranger = await call(server, 'GET', '/v1/groups/shop/visitors', {
      headers: { origin: 'https://evil.example.com' },
    });
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('can be switched off', async () => {
    const server = await start({ httpApi: false });
    expect((await fetch(`${base(server)}/v1/openapi.json`)).status).toBe(404);
  });
});

describe('HTTP agent API: sessions', () => {
  // A visitor's page with a running session that streams it on the session channel, as a
  // session provider would, and ends it when an agent asks.
  async function sharingVisitor(server: PresenceServer, visitorId: string, sessionKey: string) {
    const visitor = await connectVisitor(server, visitorId);
    visitor.send({ type: 'sessionStart', sessionKey, presenceStart: true });
    visitor.send({ type: 'sessionTicket', sessionKey });
    const { ticket } = await visitor.take('sessionTicket');
    const host = await TestClient.open(server.sessionUrl);
    host.send({ type: 'hello', v: 1, ticket });
    await host.take('welcome');
    return { visitor, host };
  }

  it('ends a session: the page is asked, the app ends it, the call answers', async () => {
    const server = await start();
    const { visitor, host } = await sharingVisitor(server, 'alice', 'case-9');
    const pending = call(server, 'POST', '/v1/groups/shop/sessions/case-9/end', {
      body: JSON.stringify({ reason: 'solved' }),
    });
    const end = await host.take('end');
    expect(end).toMatchObject({ agentId: 'agent-1', reason: 'solved' });
    visitor.send({ type: 'sessionEnd', reason: 'agent ended the session' });
    const res = await pending;
    expect(res).toMatchObject({
      status: 200,
      body: { sessionKey: 'case-9', visitorId: 'alice', reason: 'agent ended the session' },
    });
  });

  it('an unknown key is sessionNotFound, a page that does not answer a timeout', async () => {
    const server = await start();
    const unknown = await call(server, 'POST', '/v1/groups/shop/sessions/none/end');
    expect(unknown).toMatchObject({
      status: 404,
      body: { code: 'sessionNotFound', param: 'sessionKey' },
    });
    // Another group's session does not exist for this group's agents.
    await sharingVisitor(server, 'bob', 'case-1');
    const otherGroup = await call(server, 'POST', '/v1/groups/other/sessions/case-1/end', {
      token: await agentToken('other', { secret: OTHER_AGENT_SECRET }),
    });
    expect(otherGroup.body.code).toBe('sessionNotFound');
    const ignored = await call(server, 'POST', '/v1/groups/shop/sessions/case-1/end');
    expect(ignored).toMatchObject({ status: 504, body: { code: 'timeout' } });
    const bad = await call(server, 'POST', '/v1/groups/shop/sessions/a.b/end');
    expect(bad).toMatchObject({ status: 400, body: { param: 'sessionKey' } });
  });
});

describe('HTTP agent API across hubs', () => {
  it('a request made on one process reaches a visitor on another through the bus', async () => {
    const registry = createMemoryRegistry();
    const bus = createMemoryBus();
    const a = await start({ registry, bus });
    const b = await start({ registry, bus });
    const alice = await connectVisitor(b, 'alice');
    const pending = call(a, 'POST', '/v1/groups/shop/visitors/alice/show-terms');
    await answer(alice, 'showTerms');
    expect((await pending).body).toEqual({
      connectionId: alice.welcome.connectionId,
      epoch: alice.welcome.epoch,
    });
  });

  it('a request in flight when the service stops is answered 503 with Retry-After', async () => {
    const server = await start({ ackTimeoutMs: 5_000 });
    const alice = await connectVisitor(server, 'alice');
    const pending = call(server, 'POST', '/v1/groups/shop/visitors/alice/show-terms');
    await alice.take('showTerms');
    await server.hub.drain();
    const res = await pending;
    expect(res).toMatchObject({ status: 503, body: { code: 'unavailable' } });
    expect(res.headers.get('retry-after')).toBe('1');
  });
});
