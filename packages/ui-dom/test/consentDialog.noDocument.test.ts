import { createVisitor } from '@beckon/core';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createMockService } from '../../transport-mock/src/index.js';
import { createConsentDialog } from '../src/index.js';

// Node, no DOM: server-side rendering or a worker.
describe('createConsentDialog without a document', () => {
  it('show throws a clear Error', () => {
    expect(typeof (globalThis as { document?: unknown }).document).toBe('undefined');
    const ui = createConsentDialog();
    expect(() => ui.show({ sessionKey: 'k', visitorId: 'v' }, () => {})).toThrow(
      /no document to show the consent dialog in/,
    );
  });

  it('core hands the request to the app as showTerms instead of losing it', () => {
    const clock = new SimulatedClock();
    const service = createMockService({ clock });
    const visitor = createVisitor({
      transport: service.transport,
      clock,
      ui: createConsentDialog(),
    });
    const shown: unknown[] = [];
    visitor.on('showTerms', (event) => shown.push(event));
    visitor.init({ groupId: 'acme', visitorId: 'alice-42' });
    visitor.connect();
    clock.increment(0);
    service.current!.push({ type: 'showTerms', id: 1, sessionKey: 'case-1', termsUrl: '/t' });
    expect(shown).toEqual([expect.objectContaining({ sessionKey: 'case-1', termsUrl: '/t' })]);
    expect(visitor.getSnapshot().terms).toBe('shown');
  });
});
