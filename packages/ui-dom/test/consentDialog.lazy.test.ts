// @vitest-environment happy-dom
import { type ConsentRequest, createVisitor } from '@beckon/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createMockService } from '../../transport-mock/src/index.js';

// The dialog's code arrives with the first request: `show` must still answer at once,
// cancel a dialog no longer wanted, and never lose a request when the code cannot load.
// Each test loads the module afresh, so the dialog's code is not loaded yet.

const request: ConsentRequest = { sessionKey: 'case-1', visitorId: 'alice-42' };
type Module = typeof import('../src/createConsentDialog.js');

let mod: Module;
beforeEach(async () => {
  vi.resetModules();
  vi.doUnmock('../src/consentDialogView.js');
  mod = await import('../src/createConsentDialog.js');
  document.body.innerHTML = '<button id="opener">Help</button>';
  document.querySelector<HTMLButtonElement>('#opener')?.focus();
});
afterEach(() => {
  document.body.innerHTML = '';
});

const hosts = () => document.querySelectorAll(mod.CONSENT_DIALOG_TAG);
const dialogShown = () => vi.waitFor(() => expect(hosts()).toHaveLength(1));
/** The `terms` statuses the visitor sent the service, in order. */
const termsSignals = (
  sent: readonly { type: string; name?: string; properties?: unknown }[] = [],
) =>
  sent
    .filter((m) => m.type === 'signal' && m.name === 'terms')
    .map((m) => (m.properties as { status: string }).status);
/** Long enough for a pending import to have settled. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('createConsentDialog before its code is loaded', () => {
  it('show returns the hide function at once; the dialog opens when the code arrives', async () => {
    const respond = vi.fn();
    const hide = mod.createConsentDialog({ locale: 'en' }).show(request, respond);
    expect(typeof hide).toBe('function');
    expect(hosts()).toHaveLength(0);
    await dialogShown();
    const root = hosts()[0]?.shadowRoot;
    expect(root?.querySelector('dialog')?.open).toBe(true);
    expect(root?.querySelector('code')?.textContent).toBe('case-1');
    root?.querySelector<HTMLButtonElement>('button.accept')?.click();
    expect(respond).toHaveBeenCalledWith('accepted');
    expect(hosts()).toHaveLength(0);
    expect(document.activeElement?.id).toBe('opener');
  });

  it('hiding before the code arrived cancels the dialog: it never opens', async () => {
    const ui = mod.createConsentDialog();
    const respond = vi.fn();
    const fail = vi.fn();
    const hide = ui.show(request, respond, fail);
    hide?.();
    await ui.preload();
    await settle();
    expect(hosts()).toHaveLength(0);
    expect(respond).not.toHaveBeenCalled();
    expect(fail).not.toHaveBeenCalled();
  });

  it('a newer request replaces one still loading; focus still returns to the page', async () => {
    const ui = mod.createConsentDialog();
    const first = vi.fn();
    ui.show(request, first);
    const second = vi.fn();
    ui.show({ sessionKey: 'case-2', visitorId: 'alice-42' }, second);
    await dialogShown();
    await settle();
    expect(hosts()).toHaveLength(1);
    const root = hosts()[0]?.shadowRoot;
    expect(root?.querySelector('code')?.textContent).toBe('case-2');
    root?.querySelector<HTMLButtonElement>('button.decline')?.click();
    expect(second).toHaveBeenCalledWith('declined');
    expect(first).not.toHaveBeenCalled();
    expect(document.activeElement?.id).toBe('opener');
  });

  it('focus goes back to where the visitor was when the dialog opened, not when it was asked for', async () => {
    document.body.insertAdjacentHTML('beforeend', '<input id="search">');
    mod.createConsentDialog().show(request, vi.fn());
    // The visitor moves on while the dialog's code loads.
    document.querySelector<HTMLInputElement>('#search')?.focus();
    await dialogShown();
    hosts()[0]?.shadowRoot?.querySelector<HTMLButtonElement>('button.decline')?.click();
    expect(document.activeElement?.id).toBe('search');
  });

  it('the agent hears "displayed" when the dialog is on screen, not when it was asked for', async () => {
    const clock = new SimulatedClock();
    const service = createMockService({ clock });
    const visitor = createVisitor({
      transport: service.transport,
      clock,
      ui: mod.createConsentDialog({ locale: 'en' }),
    });
    visitor.init({ groupId: 'acme', visitorId: 'alice-42' });
    visitor.connect();
    clock.increment(0);
    service.current?.push({ type: 'showTerms', id: 1, sessionKey: 'case-1' });
    expect(visitor.getSnapshot().terms).toBe('shown');
    expect(hosts()).toHaveLength(0);
    expect(termsSignals(service.current?.sent)).toEqual([]);
    await dialogShown();
    expect(termsSignals(service.current?.sent)).toEqual(['displayed']);
    hosts()[0]?.shadowRoot?.querySelector<HTMLButtonElement>('button.decline')?.click();
    expect(termsSignals(service.current?.sent)).toEqual(['displayed', 'declined']);
  });

  it('after the first load, show opens the dialog synchronously again', async () => {
    const ui = mod.createConsentDialog();
    await ui.preload();
    const hide = ui.show(request, () => {});
    expect(hosts()).toHaveLength(1);
    hide?.();
    expect(hosts()).toHaveLength(0);
  });
});

describe('createConsentDialog when its code cannot be loaded', () => {
  beforeEach(async () => {
    vi.resetModules();
    vi.doMock('../src/consentDialogView.js', () => {
      throw new Error('chunk failed: net::ERR_INTERNET_DISCONNECTED');
    });
    mod = await import('../src/createConsentDialog.js');
  });

  it('show reports it through fail, saying why', async () => {
    const fail = vi.fn();
    const respond = vi.fn();
    mod.createConsentDialog().show(request, respond, fail);
    await vi.waitFor(() => expect(fail).toHaveBeenCalledTimes(1));
    expect(fail.mock.calls[0]?.[0]).toMatch(
      // vitest wraps the factory's error in its own words.
      /^createConsentDialog: the dialog could not be loaded: .*error when mocking a module/,
    );
    expect(respond).not.toHaveBeenCalled();
    await expect(mod.createConsentDialog().preload()).rejects.toThrow(/could not be loaded/);
  });

  it('core hands the request to the app as showTerms instead of losing it', async () => {
    const clock = new SimulatedClock();
    const service = createMockService({ clock });
    const visitor = createVisitor({
      transport: service.transport,
      clock,
      ui: mod.createConsentDialog(),
    });
    const shown: unknown[] = [];
    visitor.on('showTerms', (event) => shown.push(event));
    visitor.init({ groupId: 'acme', visitorId: 'alice-42' });
    visitor.connect();
    clock.increment(0);
    service.current?.push({ type: 'showTerms', id: 1, sessionKey: 'case-1', termsUrl: '/t' });
    expect(visitor.getSnapshot().terms).toBe('shown');
    await vi.waitFor(() => expect(shown).toHaveLength(1));
    expect(shown[0]).toEqual(expect.objectContaining({ sessionKey: 'case-1', termsUrl: '/t' }));
    // The dialog never appeared, so the agent was never told it was displayed.
    expect(termsSignals(service.current?.sent)).toEqual([]);
    // The app shows and answers it as a custom UI would.
    expect(visitor.termsDisplayed()).toBe(true);
    expect(visitor.acceptTerms()).toBe(true);
    expect(visitor.getSnapshot().terms).not.toBe('shown');
    expect(termsSignals(service.current?.sent)).toEqual(['displayed', 'accepted']);
  });
});
