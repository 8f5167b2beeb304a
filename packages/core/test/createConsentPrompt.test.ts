import { describe, expect, it } from 'vitest';
import {
  type ConsentPromptState,
  createConsentPrompt,
} from '../src/consent/createConsentPrompt.js';
import { setup } from './utils/harness.js';

const termsSignal = (status: string) => ({ type: 'signal', name: 'terms', properties: { status } });

function online() {
  const prompt = createConsentPrompt();
  const harness = setup({ ui: prompt.ui });
  harness.connect();
  harness.take();
  const seen: ConsentPromptState[] = [];
  prompt.subscribe((state) => seen.push(state));
  return { prompt, seen, ...harness };
}

describe('createConsentPrompt', () => {
  it('starts empty, and accept/decline with nothing pending do nothing', () => {
    const prompt = createConsentPrompt();
    const seen: ConsentPromptState[] = [];
    prompt.subscribe((state) => seen.push(state));
    expect(prompt.getSnapshot()).toEqual({ request: null });
    expect(prompt.accept()).toBe(false);
    expect(prompt.decline()).toBe(false);
    expect(seen).toEqual([]);
  });

  it('exposes the request core shows, and accept drives the default-UI path to a session', () => {
    const { prompt, seen, visitor, service, take } = online();
    const before = prompt.getSnapshot();
    service.current?.push({ type: 'showTerms', id: 7, termsUrl: 'https://acme.test/terms' });
    const shown = prompt.getSnapshot();
    expect(shown).not.toBe(before);
    expect(shown).toEqual({
      request: { sessionKey: 'alice', termsUrl: 'https://acme.test/terms', visitorId: 'alice' },
    });
    expect(prompt.getSnapshot()).toBe(shown); // stable while nothing changes
    expect(seen).toEqual([shown]);

    expect(prompt.accept()).toBe(true);
    expect(prompt.getSnapshot()).toEqual({ request: null });
    expect(prompt.accept()).toBe(false); // a double click answers nothing more
    expect(prompt.decline()).toBe(false);
    expect(seen).toHaveLength(2);
    expect(take()).toEqual([
      { type: 'termsAccepted', sessionKey: 'alice' },
      { type: 'sessionStart', sessionKey: 'alice', presenceStart: true },
    ]);
    expect(service.current?.sent.slice(-3)).toEqual([
      termsSignal('displayed'),
      termsSignal('accepted'),
      { type: 'sessionStart', sessionKey: 'alice', presenceStart: true },
    ]);
    expect(visitor.getSnapshot()).toMatchObject({ terms: 'session', sessionKey: 'alice' });
  });

  it('decline signals declined and starts no session', () => {
    const { prompt, visitor, service, take } = online();
    service.current?.push({ type: 'showTerms', id: 1, sessionKey: 'case-9' });
    expect(prompt.getSnapshot().request?.sessionKey).toBe('case-9');
    expect(prompt.decline()).toBe(true);
    expect(prompt.getSnapshot().request).toBeNull();
    expect(take()).toEqual([{ type: 'termsDeclined', sessionKey: 'case-9' }]);
    expect(service.current?.sent.at(-1)).toEqual(termsSignal('declined'));
    expect(visitor.getSnapshot().terms).toBe('declined');
  });

  it('a newer request replaces the pending one; the older hide does not clear it', () => {
    const { prompt, seen, service, take } = online();
    service.current?.push({ type: 'showTerms', id: 1, sessionKey: 'one' });
    service.current?.push({ type: 'showTerms', id: 2, sessionKey: 'two' });
    expect(prompt.getSnapshot().request?.sessionKey).toBe('two');
    // Whatever order core hides and shows in, listeners end on the newer request.
    expect(seen.at(-1)?.request?.sessionKey).toBe('two');
    prompt.accept();
    expect(take().at(-1)).toEqual({
      type: 'sessionStart',
      sessionKey: 'two',
      presenceStart: true,
    });
  });

  it('core withdrawing the request (disconnect) clears it, and a late answer does nothing', () => {
    const { prompt, visitor, service, take } = online();
    service.current?.push({ type: 'showTerms', id: 1 });
    visitor.disconnect();
    expect(prompt.getSnapshot()).toEqual({ request: null });
    take();
    expect(prompt.accept()).toBe(false);
    expect(take()).toEqual([]);
    expect(visitor.getSnapshot().terms).toBe('idle');
  });

  it('setDefaultUI(false) bypasses the prompt: the request goes to showTerms', () => {
    const { prompt, visitor, service, take } = online();
    visitor.setDefaultUI(false);
    service.current?.push({ type: 'showTerms', id: 1 });
    expect(prompt.getSnapshot().request).toBeNull();
    expect(take()).toEqual([{ type: 'showTerms', sessionKey: 'alice' }]);
  });

  it('a listener that throws withdraws the request and core hands it to the app', () => {
    const prompt = createConsentPrompt();
    const { service, connect, take } = setup({ ui: prompt.ui });
    connect();
    take();
    const calm: ConsentPromptState[] = [];
    prompt.subscribe(() => {
      throw new Error('renderer broke');
    });
    prompt.subscribe((state) => calm.push(state));
    service.current?.push({ type: 'showTerms', id: 1 });
    expect(prompt.getSnapshot().request).toBeNull();
    expect(prompt.accept()).toBe(false);
    // The other listener heard both the request and its withdrawal.
    expect(calm.map((s) => s.request?.sessionKey ?? null)).toEqual(['alice', null]);
    expect(take()).toEqual([{ type: 'showTerms', sessionKey: 'alice' }]);
  });

  it('unsubscribe stops updates; a non-function listener is a TypeError', () => {
    const prompt = createConsentPrompt();
    const seen: ConsentPromptState[] = [];
    const off = prompt.subscribe((state) => seen.push(state));
    off();
    prompt.ui.show({ sessionKey: 'k', visitorId: 'v' }, () => {});
    expect(seen).toEqual([]);
    expect(() => prompt.subscribe(42 as unknown as () => void)).toThrow(TypeError);
  });

  it('the state never shares the request object it was given', () => {
    const prompt = createConsentPrompt();
    const request = { sessionKey: 'k', visitorId: 'v' };
    const decisions: string[] = [];
    const hide = prompt.ui.show(request, (d) => decisions.push(d));
    request.sessionKey = 'changed';
    expect(prompt.getSnapshot().request).toEqual({ sessionKey: 'k', visitorId: 'v' });
    expect(Object.isFrozen(prompt.getSnapshot().request)).toBe(true);
    hide?.();
    expect(prompt.getSnapshot().request).toBeNull();
    expect(prompt.decline()).toBe(false);
    expect(decisions).toEqual([]);
  });
});
