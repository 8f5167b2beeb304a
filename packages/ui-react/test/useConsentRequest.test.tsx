// @vitest-environment happy-dom
import type { ConsentPrompt, Visitor } from '@beckon/core';
import { act, render, renderHook } from '@testing-library/react';
import type { ReactNode } from 'react';
import { describe, expect, it } from 'vitest';
import { BeckonProvider, type ConsentRequestHandle, useConsentRequest } from '../src/index.js';
import { modes, termsSignal, visitorSetup, type Wrapper } from './utils.js';

const provider =
  (Mode: Wrapper, visitor: Visitor, consent?: ConsentPrompt) =>
  ({ children }: { children: ReactNode }) => (
    <Mode>
      <BeckonProvider visitor={visitor} consent={consent}>
        {children}
      </BeckonProvider>
    </Mode>
  );

const ack = (id: number) => ({ type: 'ack', id });
const sessionStart = (sessionKey: string) => ({
  type: 'sessionStart',
  sessionKey,
  presenceStart: true,
});

function Probe() {
  const consent = useConsentRequest();
  return <p>{consent ? consent.request.sessionKey : 'none'}</p>;
}

describe.each(modes)('%s', (_, Mode) => {
  describe('default UI (a consent prompt in the provider)', () => {
    it('shows the prompt’s request; accept lets core signal and start the session', () => {
      const h = visitorSetup();
      h.connect();
      const { result } = renderHook(() => useConsentRequest(), {
        wrapper: provider(Mode, h.visitor, h.consent),
      });
      expect(result.current).toBeNull();
      act(() => h.showTerms(1, { termsUrl: 'https://acme.test/terms' }));
      expect(result.current?.request).toEqual({
        sessionKey: 'alice',
        termsUrl: 'https://acme.test/terms',
        visitorId: 'alice',
      });
      let answered: boolean | undefined;
      act(() => {
        answered = result.current?.accept();
      });
      expect(answered).toBe(true);
      expect(result.current).toBeNull();
      // "displayed" once, from core: the hook adds nothing on this path.
      expect(h.sent()).toEqual([
        ack(1),
        termsSignal('displayed'),
        termsSignal('accepted'),
        sessionStart('alice'),
      ]);
      expect(h.visitor.getSnapshot()).toMatchObject({ terms: 'session', sessionKey: 'alice' });
    });

    it('decline signals declined; a handle of a replaced request answers nothing', () => {
      const h = visitorSetup();
      h.connect();
      const { result } = renderHook(() => useConsentRequest(), {
        wrapper: provider(Mode, h.visitor, h.consent),
      });
      act(() => h.showTerms(1, { sessionKey: 'one' }));
      const stale = result.current as ConsentRequestHandle;
      act(() => h.showTerms(2, { sessionKey: 'two' }));
      expect(result.current?.request.sessionKey).toBe('two');
      let answered: boolean | undefined;
      act(() => {
        answered = stale.accept();
      });
      expect(answered).toBe(false);
      expect(result.current?.request.sessionKey).toBe('two');
      act(() => {
        answered = result.current?.decline();
      });
      expect(answered).toBe(true);
      expect(result.current).toBeNull();
      expect(h.sent().at(-1)).toEqual(termsSignal('declined'));
      expect(h.sent().filter((m) => m.type === 'sessionStart')).toEqual([]);
      expect(h.visitor.getSnapshot().terms).toBe('declined');
    });

    it('a withdrawn request (disconnect) disappears', () => {
      const h = visitorSetup();
      h.connect();
      const { result } = renderHook(() => useConsentRequest(), {
        wrapper: provider(Mode, h.visitor, h.consent),
      });
      act(() => h.showTerms(1));
      expect(result.current).not.toBeNull();
      act(() => h.visitor.disconnect());
      expect(result.current).toBeNull();
    });
  });

  describe('custom UI (setDefaultUI(false), or no UI)', () => {
    it('takes showTerms, signals displayed once, and accept follows the spec’s steps', () => {
      const h = visitorSetup();
      h.connect();
      h.visitor.setDefaultUI(false);
      // Two components showing the same request still signal "displayed" once.
      const { result } = renderHook(() => ({ a: useConsentRequest(), b: useConsentRequest() }), {
        wrapper: provider(Mode, h.visitor, h.consent),
      });
      expect(result.current.a).toBeNull();
      act(() => h.showTerms(1, { sessionKey: 'case-1', termsUrl: 'https://acme.test/t' }));
      expect(result.current.a?.request).toEqual({
        sessionKey: 'case-1',
        termsUrl: 'https://acme.test/t',
        visitorId: 'alice',
      });
      expect(result.current.b?.request).toBe(result.current.a?.request);
      expect(h.consent.getSnapshot().request).toBeNull(); // the prompt was bypassed
      expect(h.sent()).toEqual([ack(1), termsSignal('displayed')]);

      let answered: boolean | undefined;
      act(() => {
        answered = result.current.a?.accept();
      });
      expect(answered).toBe(true);
      expect(result.current).toEqual({ a: null, b: null });
      expect(h.sent()).toEqual([
        ack(1),
        termsSignal('displayed'),
        termsSignal('accepted'),
        sessionStart('case-1'),
      ]);
      expect(h.visitor.getSnapshot()).toMatchObject({ terms: 'session', sessionKey: 'case-1' });
    });

    it('decline signals declined and starts nothing; a second answer is refused', () => {
      // No UI at all and no prompt in the provider: the request is the app's.
      const h = visitorSetup({ withPrompt: false });
      h.connect();
      const { result } = renderHook(() => useConsentRequest(), {
        wrapper: provider(Mode, h.visitor),
      });
      act(() => h.showTerms(4));
      const handle = result.current as ConsentRequestHandle;
      expect(handle.request).toEqual({ sessionKey: 'alice', visitorId: 'alice' });
      let first: boolean | undefined;
      let second: boolean | undefined;
      act(() => {
        first = handle.decline();
        second = handle.accept();
      });
      expect([first, second]).toEqual([true, false]);
      expect(result.current).toBeNull();
      expect(h.sent()).toEqual([ack(4), termsSignal('displayed'), termsSignal('declined')]);
      expect(h.visitor.getSnapshot().terms).toBe('declined');
    });

    it('picks up a request that arrived before it mounted, and signals displayed on mount', () => {
      const h = visitorSetup();
      h.connect();
      h.visitor.setDefaultUI(false);
      h.showTerms(2, { sessionKey: 'early' });
      expect(h.sent()).toEqual([ack(2)]);
      const { result } = renderHook(() => useConsentRequest(), {
        wrapper: provider(Mode, h.visitor, h.consent),
      });
      expect(result.current?.request.sessionKey).toBe('early');
      expect(h.sent()).toEqual([ack(2), termsSignal('displayed')]);
      act(() => {
        result.current?.accept();
      });
      expect(h.sent().at(-1)).toEqual(sessionStart('early'));
    });

    it('clears when the visitor’s terms state leaves shown', () => {
      const h = visitorSetup();
      h.connect();
      h.visitor.setDefaultUI(false);
      const { result } = renderHook(() => useConsentRequest(), {
        wrapper: provider(Mode, h.visitor),
      });
      act(() => h.showTerms(1));
      expect(result.current).not.toBeNull();
      // The app answered elsewhere, through the visitor directly.
      act(() => h.visitor.signalAgent('terms', { status: 'declined' }));
      expect(result.current).toBeNull();
      act(() => h.showTerms(2));
      expect(result.current).not.toBeNull();
      act(() => h.visitor.disconnect());
      expect(result.current).toBeNull();
    });

    it('a newer request replaces the shown one and is announced as displayed again', () => {
      const h = visitorSetup();
      h.connect();
      h.visitor.setDefaultUI(false);
      const { result } = renderHook(() => useConsentRequest(), {
        wrapper: provider(Mode, h.visitor),
      });
      act(() => h.showTerms(1, { sessionKey: 'one' }));
      const stale = result.current as ConsentRequestHandle;
      act(() => h.showTerms(2, { sessionKey: 'two' }));
      expect(result.current?.request.sessionKey).toBe('two');
      expect(stale.accept()).toBe(false);
      expect(h.sent()).toEqual([
        ack(1),
        termsSignal('displayed'),
        ack(2),
        termsSignal('displayed'),
      ]);
    });

    it('unmounting detaches from the visitor; a remount sees the still-pending request', () => {
      const h = visitorSetup();
      h.connect();
      h.visitor.setDefaultUI(false);
      const first = render(<Probe />, { wrapper: provider(Mode, h.visitor) });
      act(() => h.showTerms(1, { sessionKey: 'kept' }));
      expect(h.listeners.live).toBe(1); // one subscription to the visitor’s state
      first.unmount();
      expect(h.listeners.live).toBe(0);
      const second = render(<Probe />, { wrapper: provider(Mode, h.visitor) });
      expect(second.container.textContent).toBe('kept');
      // The same request: not announced a second time.
      expect(h.sent().filter((m) => m.type === 'signal')).toEqual([termsSignal('displayed')]);
      second.unmount();
      expect(h.listeners.live).toBe(0);
    });
  });
});
