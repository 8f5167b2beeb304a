import type { ToVisitor } from '@beckon/core/protocol';
import { describe, expect, it } from 'vitest';
import { createMockService } from '../src/index.js';
import { Client, hello } from './helpers.js';

function connected(service: ReturnType<typeof createMockService>, visitorId = 'v1') {
  const client = new Client(service.transport);
  service.flush();
  client.send(hello(visitorId));
  return client;
}

const focusEvents = (client: Client): ToVisitor[] =>
  client.messages.filter((m) => m.type !== 'pong');

describe('focus rule', () => {
  it('a second hello blurs the first; activity on the blurred one takes focus back', () => {
    const service = createMockService();
    const a = connected(service);
    const b = connected(service);
    const [connA, connB] = service.connections;

    expect(focusEvents(a)).toEqual([
      expect.objectContaining({ type: 'welcome', epoch: 1 }),
      { type: 'blur', epoch: 3 },
    ]);
    expect(focusEvents(b)).toEqual([
      expect.objectContaining({ type: 'welcome', epoch: 2, focused: true, connectionId: 'conn-2' }),
    ]);
    expect([connA?.focused, connB?.focused]).toEqual([false, true]);

    a.send({ type: 'presence', data: { url: '/cart' } });
    expect(focusEvents(a).at(-1)).toEqual({ type: 'focus', epoch: 4 });
    expect(focusEvents(b).at(-1)).toEqual({ type: 'blur', epoch: 5 });
    expect([connA?.focused, connB?.focused]).toEqual([true, false]);

    // The focused one being active changes nothing.
    a.send({ type: 'visibility', visible: false });
    expect(focusEvents(a)).toHaveLength(3);
    expect(focusEvents(b)).toHaveLength(2);

    b.send({ type: 'signal', name: 'c_clicked', properties: {} });
    expect(focusEvents(b).at(-1)).toEqual({ type: 'focus', epoch: 6 });
    expect(focusEvents(a).at(-1)).toEqual({ type: 'blur', epoch: 7 });
  });

  it('visibility also takes focus back', () => {
    const service = createMockService();
    const a = connected(service);
    connected(service);
    a.send({ type: 'visibility', visible: true });
    expect(focusEvents(a).at(-1)).toMatchObject({ type: 'focus' });
  });

  it('leaves other visitors alone', () => {
    const service = createMockService();
    const a = connected(service, 'alice');
    const b = connected(service, 'bob');
    expect(focusEvents(a).map((m) => m.type)).toEqual(['welcome']);
    expect(focusEvents(b).map((m) => m.type)).toEqual(['welcome']);
    expect(service.connections.every((c) => c.focused)).toBe(true);
  });

  it('does not blur a closed connection; a blurred one regains focus alone', () => {
    const service = createMockService();
    const a = connected(service);
    const b = connected(service);
    b.conn.close();
    expect(service.connections[1]?.focused).toBe(false);
    a.send({ type: 'presence', data: {} });
    expect(focusEvents(a).at(-1)).toEqual({ type: 'focus', epoch: 4 });
    expect(b.events.at(-1)?.type).toBe('close');
    expect(b.messages.map((m) => m.type)).toEqual(['welcome']);
  });

  it('ignores activity before hello', () => {
    const service = createMockService();
    const client = new Client(service.transport);
    service.flush();
    client.send({ type: 'presence', data: {} });
    expect(client.messages).toEqual([]);
    expect(service.current?.sent).toHaveLength(1);
  });
});
