import type { Visitor } from '@beckon/core';
import { createMockService } from '../../../packages/transport-mock/src/index.js';
import { connectDemoVisitor, createDemoVisitor } from '../src/demoVisitor.js';

/** The mock presence service; without a clock it opens connections on `flush()`. */
export function mockService() {
  const service = createMockService();
  /** Frames the visitor sent on its newest connection, without hello, acks and pings. */
  const sent = () =>
    (service.current?.sent ?? []).filter((m) => !['hello', 'ping', 'pong'].includes(m.type));
  return { service, sent };
}

type MockService = ReturnType<typeof createMockService>;

/** The demo's visitor on `service`, not connected yet. */
export function demoVisitorOn(service: MockService): Visitor {
  return createDemoVisitor({
    config: { serverUrl: 'ws://unused.test/' },
    transport: service.transport,
  });
}

/** Signs `visitor` in as `visitorId` in group `demo` and lets the mock connect it. */
export function connectOn(
  service: MockService,
  visitor: Visitor,
  {
    visitorId = 'alice',
    consent = 'dialog',
  }: { visitorId?: string; consent?: 'dialog' | 'custom' } = {},
): void {
  connectDemoVisitor(visitor, { groupId: 'demo', visitorId, consent });
  service.flush();
}

/** The demo's visitor over a fresh mock service, connected as `alice` in group `demo`. */
export function connectedDemoVisitor(consent: 'dialog' | 'custom' = 'dialog') {
  const { service, sent } = mockService();
  const visitor = demoVisitorOn(service);
  connectOn(service, visitor, { consent });
  return { service, sent, visitor };
}

export const termsSignal = (status: 'displayed' | 'accepted' | 'declined') => ({
  type: 'signal',
  name: 'terms',
  properties: { status },
});
