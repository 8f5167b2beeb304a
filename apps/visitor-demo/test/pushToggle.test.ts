// @vitest-environment happy-dom
import { createVisitor, definePushProvider, PushError, type Visitor } from '@beckon/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMockService } from '../../../packages/transport-mock/src/index.js';
import { mountPushToggle, PUSH_KEY } from '../src/pushToggle.js';
import type { KeyValueStorage } from '../src/storage.js';

const KEY =
  'BID_pbD_s3Ymen4uw5MPAvF91nXrm4hQy7HQvPaYRrFkC3h0NCuSTV2AdhV_FRrTfCoI9iQA-TVlMUlmVV6o2s4';
const SUBSCRIPTION = {
  endpoint: 'https://fcm.googleapis.com/fcm/send/demo',
  keys: { p256dh: KEY, auth: 'wLlozSI968YM49UFinNC2g' },
};

function memory(
  initial: Record<string, string> = {},
): KeyValueStorage & { items: Map<string, string> } {
  const items = new Map(Object.entries(initial));
  return {
    items,
    getItem: (k) => items.get(k) ?? null,
    setItem: (k, v) => {
      items.set(k, v);
    },
    removeItem: (k) => {
      items.delete(k);
    },
  };
}

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

/** A visitor connected to a mock service whose welcome carries the group's VAPID key. */
function setUp(options: { permission?: NotificationPermission; refuse?: PushError } = {}) {
  const service = createMockService({ autoWelcome: false });
  const subscribe = vi.fn(async () => {
    if (options.refuse) throw options.refuse;
    return SUBSCRIPTION;
  });
  const provider = definePushProvider({ subscribe, unsubscribe: async () => {} });
  const visitor: Visitor = createVisitor({ transport: service.transport, push: provider });
  visitor.init({ groupId: 'demo', visitorId: 'alice' });
  visitor.connect({ pushNotifications: true });
  service.flush();
  service.current?.push({
    type: 'welcome',
    v: 1,
    connectionId: 'c1',
    focused: true,
    epoch: 1,
    heartbeatMs: 25_000,
    vapidPublicKey: KEY,
  });
  // The service stores what the visitor sends it.
  service.onMessage((m) => {
    if (m.type === 'pushSubscribe')
      service.current?.push({ type: 'pushSubscribed', endpoint: m.subscription.endpoint });
  });
  const push = { supported: () => true, permission: () => options.permission ?? 'default' };
  const container = document.createElement('div');
  document.body.append(container);
  return { visitor, subscribe, push, container, service };
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('the "notify me when support calls" switch', () => {
  it('asks for nothing on page load; a click turns push on and remembers it', async () => {
    const { visitor, subscribe, push, container } = setUp();
    const storage = memory();
    cleanup = mountPushToggle(container, visitor, push, storage);
    expect(subscribe).not.toHaveBeenCalled();
    const input = container.querySelector<HTMLInputElement>('[data-testid=push-toggle]');
    input?.click();
    await settled();
    expect(subscribe).toHaveBeenCalledWith(KEY);
    expect(visitor.getSnapshot().push).toBe('on');
    expect(container.dataset.push).toBe('on');
    expect(storage.items.get(PUSH_KEY)).toBe('on');
    input?.click();
    await settled();
    expect(visitor.getSnapshot().push).toBe('off');
    expect(storage.items.has(PUSH_KEY)).toBe(false);
  });

  it('comes back on by itself on a later page only where the browser already allows it', async () => {
    const granted = setUp({ permission: 'granted' });
    cleanup = mountPushToggle(
      granted.container,
      granted.visitor,
      granted.push,
      memory({ [PUSH_KEY]: 'on' }),
    );
    await settled();
    expect(granted.subscribe).toHaveBeenCalledTimes(1);
    cleanup();
    const notYet = setUp({ permission: 'default' });
    cleanup = mountPushToggle(
      notYet.container,
      notYet.visitor,
      notYet.push,
      memory({ [PUSH_KEY]: 'on' }),
    );
    await settled();
    expect(notYet.subscribe).not.toHaveBeenCalled();
  });

  it('says why when the browser says no, and turns itself off', async () => {
    const { visitor, push, container } = setUp({ refuse: new PushError('denied', 'no') });
    const storage = memory();
    cleanup = mountPushToggle(container, visitor, push, storage);
    container.querySelector<HTMLInputElement>('[data-testid=push-toggle]')?.click();
    await settled();
    expect(container.querySelector<HTMLInputElement>('[data-testid=push-toggle]')?.checked).toBe(
      false,
    );
    expect(container.dataset.push).toBe('denied');
    expect(container.textContent).toContain('allow notifications for this site');
    expect(visitor.getSnapshot().connection).toBe('connected');
  });
});
