import { describe, expect, it } from 'vitest';
import {
  type ClusterMember,
  type ClusterStatus,
  createMemoryRegistry,
  type PresenceCluster,
  type PresenceRegistry,
} from '../src/index.js';
import { connectAgent, connectVisitor, httpGet, startServer, TestClient } from './utils.js';

/**
 * A cluster membership the test drives by hand: its availability is set, and what it would
 * tell the hub (resync, …) is called on the member it was given. The real one is
 * `@beckon/redis`'s, tested there against a real Redis.
 */
function manualCluster() {
  let status: ClusterStatus = { available: true };
  let member: ClusterMember | undefined;
  const cluster: PresenceCluster = {
    status: () => status,
    join(m) {
      member = m;
      return () => {
        member = undefined;
      };
    },
  };
  return {
    cluster,
    set(next: ClusterStatus) {
      status = next;
    },
    member(): ClusterMember {
      if (!member) throw new Error('no hub joined');
      return member;
    },
  };
}

/** A registry whose whole state can be lost at once, and whose calls can be made to fail. */
function losableRegistry() {
  let inner = createMemoryRegistry();
  let down = false;
  const registry = new Proxy({} as PresenceRegistry, {
    get(_, name: keyof PresenceRegistry) {
      return (...args: unknown[]) => {
        if (down) return Promise.reject(new Error('store unreachable'));
        return (inner[name] as (...a: unknown[]) => unknown)(...args);
      };
    },
  });
  return {
    registry,
    lose() {
      inner = createMemoryRegistry();
    },
    setDown(value: boolean) {
      down = value;
    },
  };
}

describe('a hub in a cluster', () => {
  it('while the shared state is unreachable: 503 with the reason, gauge 0, newcomers get 4503', async () => {
    const manual = manualCluster();
    const server = await startServer({ cluster: manual.cluster });
    const alice = await connectVisitor(server, 'alice');

    manual.set({ available: false, reason: 'redis unreachable: connect ECONNREFUSED' });
    const health = await httpGet(server, '/healthz');
    expect(health.status).toBe(503);
    expect(JSON.parse(health.body)).toMatchObject({
      status: 'unavailable',
      reason: 'redis unreachable: connect ECONNREFUSED',
    });
    expect((await httpGet(server, '/metrics')).body).toMatch(/^beckon_store_available 0$/m);
    const newcomer = await TestClient.open(server.url);
    expect(await newcomer.closeInfo()).toMatchObject({ code: 4503 });
    // Those already connected stay.
    alice.send({ type: 'ping' });
    await alice.take('pong');

    manual.set({ available: true });
    expect((await httpGet(server, '/healthz')).status).toBe(200);
    expect((await httpGet(server, '/metrics')).body).toMatch(/^beckon_store_available 1$/m);
    await connectVisitor(server, 'bob');
  });

  it('registers its live connections again when the store lost them, as they were', async () => {
    const manual = manualCluster();
    const store = losableRegistry();
    const server = await startServer({ cluster: manual.cluster, registry: store.registry });
    const agent = await connectAgent(server);
    const alice = await connectVisitor(server, 'alice');
    alice.send({ type: 'presence', data: { url: '/cart' } });
    alice.send({ type: 'sessionStart', sessionKey: 'case-7', presenceStart: true });
    alice.send({ type: 'visibility', visible: false });
    await agent.take('visibility', (f) => f.visibility === 'hidden');

    store.lose();
    expect((await agent.request({ type: 'lookup', visitorId: 'alice' })).visitor).toBeNull();
    await manual.member().resync();

    expect((await agent.request({ type: 'lookup', visitorId: 'alice' })).visitor).toMatchObject({
      connections: 1,
      focusedConnectionId: alice.welcome.connectionId,
      presence: { url: '/cart' },
      sessionKey: 'case-7',
      visibility: 'hidden',
    });
    // Agents hear it arrive; the tab hears it holds focus, with a newer epoch.
    await agent.take('visitorConnected', (f) => f.visitorId === 'alice');
    expect((await alice.take('focus')).epoch).toBeGreaterThan(alice.welcome.epoch);
    // Nothing is registered twice.
    await manual.member().resync();
    expect((await agent.request({ type: 'lookup', visitorId: 'alice' })).visitor.connections).toBe(
      1,
    );
  });

  it('makes the removals that failed while the store was unreachable once it is back', async () => {
    const manual = manualCluster();
    const store = losableRegistry();
    const server = await startServer({ cluster: manual.cluster, registry: store.registry });
    const agent = await connectAgent(server);
    const alice = await connectVisitor(server, 'alice');
    await agent.take('visitorConnected');

    manual.set({ available: false, reason: 'down' });
    store.setDown(true);
    alice.ws.close();
    await alice.closeInfo();
    // The hub tried to remove it, and failed.
    await expect.poll(() => server.metrics.get('beckon_store_errors_total')).toBe(1);
    store.setDown(false);
    manual.set({ available: true });
    expect((await agent.request({ type: 'lookup', visitorId: 'alice' })).visitor.connections).toBe(
      1,
    );

    await manual.member().resync();
    expect((await agent.request({ type: 'lookup', visitorId: 'alice' })).visitor.connections).toBe(
      0,
    );
    await agent.take('connections', (f) => f.connections === 0);
    expect(server.metrics.get('beckon_internal_errors_total')).toBe(0);
  });
});
