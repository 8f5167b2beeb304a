// @vitest-environment happy-dom
import { createVisitor, type VisitorState } from '@beckon/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createMockService } from '../../transport-mock/src/index.js';
import { type WirableVisitor, wirePage } from '../src/index.js';

type Listener = (event: unknown) => void;

/** The parts of a visitor wirePage calls, with state the test sets by hand. */
function stubVisitor(initial: Partial<VisitorState> = {}) {
  const state = {
    connection: 'connected',
    focused: true,
    visible: true,
    ...initial,
  } as VisitorState;
  const listeners = new Map<string, Set<Listener>>();
  const visitor = {
    state,
    presence: vi.fn<(data: Record<string, string>) => void>(),
    signalVisibility: vi.fn((visible: boolean) => {
      state.visible = visible;
    }),
    getSnapshot: () => ({ ...state }),
    on: vi.fn((type: string, listener: Listener) => {
      const set = listeners.get(type) ?? new Set();
      set.add(listener);
      listeners.set(type, set);
      return () => set.delete(listener);
    }),
    emit(type: string, event: unknown = {}) {
      for (const l of listeners.get(type) ?? []) l(event);
    },
    listenerCount: () => [...listeners.values()].reduce((n, s) => n + s.size, 0),
  };
  return visitor as typeof visitor & WirableVisitor;
}

let visibility: DocumentVisibilityState;
function setVisibility(value: DocumentVisibilityState) {
  visibility = value;
  document.dispatchEvent(new Event('visibilitychange'));
}

const unwires: (() => void)[] = [];
function wire(visitor: WirableVisitor, options: Parameters<typeof wirePage>[1] = {}) {
  const unwire = wirePage(visitor, options);
  unwires.push(unwire);
  return unwire;
}

beforeEach(() => {
  visibility = 'visible';
  Object.defineProperty(document, 'visibilityState', {
    configurable: true,
    get: () => visibility,
  });
  history.replaceState(null, '', '/start');
  document.title = 'Start';
});
afterEach(() => {
  for (const unwire of unwires.splice(0)) unwire();
  vi.useRealTimers();
  vi.restoreAllMocks();
  delete (document as { visibilityState?: unknown }).visibilityState;
});

describe('visibility', () => {
  it('signals visibilitychange, only when it changed', () => {
    const visitor = stubVisitor();
    wire(visitor, { navigation: false });
    expect(visitor.signalVisibility).not.toHaveBeenCalled();
    setVisibility('hidden');
    setVisibility('hidden');
    setVisibility('visible');
    expect(visitor.signalVisibility.mock.calls).toEqual([[false], [true]]);
  });

  it('pagehide is hidden; pageshow is whatever the document says', () => {
    const visitor = stubVisitor();
    wire(visitor, { navigation: false });
    window.dispatchEvent(new Event('pagehide'));
    window.dispatchEvent(new Event('pageshow'));
    expect(visitor.signalVisibility.mock.calls).toEqual([[false], [true]]);
  });

  it('a page hidden when wired says so at once', () => {
    visibility = 'hidden';
    const visitor = stubVisitor();
    wire(visitor, { navigation: false });
    expect(visitor.signalVisibility.mock.calls).toEqual([[false]]);
  });

  it('can be switched off', () => {
    const visitor = stubVisitor();
    wire(visitor, { visibility: false, navigation: false });
    setVisibility('hidden');
    window.dispatchEvent(new Event('pagehide'));
    expect(visitor.signalVisibility).not.toHaveBeenCalled();
  });
});

describe('navigation', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  it('sends url and title on connect', () => {
    const visitor = stubVisitor({ connection: 'connecting', focused: false });
    wire(visitor);
    vi.runAllTimers();
    expect(visitor.presence).not.toHaveBeenCalled();
    Object.assign(visitor.state, { connection: 'connected', focused: true });
    visitor.emit('connected', { connectionId: 'c1', focused: true, reconnected: false });
    vi.runAllTimers();
    expect(visitor.presence.mock.calls).toEqual([
      [{ url: 'http://localhost:3000/start', title: 'Start' }],
    ]);
  });

  it('sends at once when wired to a connected visitor, and again after a reconnect', () => {
    const visitor = stubVisitor();
    wire(visitor);
    vi.runAllTimers();
    visitor.emit('connected', { connectionId: 'c2', focused: true, reconnected: true });
    vi.advanceTimersByTime(1000);
    // The same page again: a reconnect always re-sends.
    expect(visitor.presence).toHaveBeenCalledTimes(2);
  });

  it('follows pushState, replaceState, popstate and hashchange', () => {
    const visitor = stubVisitor();
    wire(visitor, { throttleMs: 0 });
    vi.runAllTimers();
    history.pushState(null, '', '/a');
    vi.runAllTimers();
    history.replaceState(null, '', '/b');
    vi.runAllTimers();
    history.pushState(null, '', '/c');
    vi.runAllTimers();
    window.dispatchEvent(new PopStateEvent('popstate'));
    vi.runAllTimers();
    location.hash = '#x';
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    vi.runAllTimers();
    const urls = visitor.presence.mock.calls.map(([data]) => data.url);
    // popstate with the URL unchanged sends nothing new.
    expect(urls).toEqual([
      'http://localhost:3000/start',
      'http://localhost:3000/a',
      'http://localhost:3000/b',
      'http://localhost:3000/c',
      'http://localhost:3000/c#x',
    ]);
  });

  it('throttles, always keeping the last URL', () => {
    const visitor = stubVisitor();
    wire(visitor, { throttleMs: 1000 });
    vi.advanceTimersByTime(0);
    expect(visitor.presence).toHaveBeenCalledTimes(1);
    history.pushState(null, '', '/1');
    history.pushState(null, '', '/2');
    vi.advanceTimersByTime(500);
    history.pushState(null, '', '/3');
    document.title = 'Three';
    vi.advanceTimersByTime(499);
    expect(visitor.presence).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(visitor.presence).toHaveBeenCalledTimes(2);
    expect(visitor.presence.mock.calls[1]).toEqual([
      { url: 'http://localhost:3000/3', title: 'Three' },
    ]);
    vi.advanceTimersByTime(5000);
    expect(visitor.presence).toHaveBeenCalledTimes(2);
  });

  it('sends nothing while offline or blurred', () => {
    const visitor = stubVisitor({ connection: 'reconnecting', focused: false });
    wire(visitor, { throttleMs: 0 });
    history.pushState(null, '', '/offline');
    vi.runAllTimers();
    Object.assign(visitor.state, { connection: 'connected', focused: false });
    history.pushState(null, '', '/blurred');
    vi.runAllTimers();
    expect(visitor.presence).not.toHaveBeenCalled();
  });

  it('adds extra() fields and a custom url', () => {
    const visitor = stubVisitor();
    wire(visitor, {
      extra: () => ({ c_plan: 'pro' }),
      url: (location) => location.pathname,
    });
    vi.runAllTimers();
    expect(visitor.presence.mock.calls).toEqual([
      [{ c_plan: 'pro', url: '/start', title: 'Start' }],
    ]);
  });

  it('extra() throwing still sends url and title, and says why', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const visitor = stubVisitor();
    wire(visitor, {
      extra: () => {
        throw new Error('boom');
      },
    });
    vi.runAllTimers();
    expect(visitor.presence.mock.calls).toEqual([
      [{ url: 'http://localhost:3000/start', title: 'Start' }],
    ]);
    expect(error).toHaveBeenCalledWith(
      expect.stringContaining('options.extra threw'),
      expect.any(Error),
    );
  });

  it('leaves out an empty title and cuts values to the presence limit', () => {
    document.title = '';
    const visitor = stubVisitor();
    wire(visitor, { url: () => 'u'.repeat(5000) });
    vi.runAllTimers();
    const [data] = visitor.presence.mock.calls[0]!;
    expect(Object.keys(data)).toEqual(['url']);
    expect(data.url).toHaveLength(2000);
  });

  it('can be switched off', () => {
    const visitor = stubVisitor();
    const original = history.pushState;
    wire(visitor, { navigation: false });
    expect(history.pushState).toBe(original);
    history.pushState(null, '', '/x');
    visitor.emit('connected', {});
    vi.runAllTimers();
    expect(visitor.presence).not.toHaveBeenCalled();
  });
});

describe('refresh()', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  it('is a method of the returned unwire function', () => {
    const wiring = wire(stubVisitor());
    expect(typeof wiring).toBe('function');
    expect(typeof wiring.refresh).toBe('function');
  });

  it('sends changed extra() fields with url and title, through the navigation throttle', () => {
    let cart = 1;
    const visitor = stubVisitor();
    const wiring = wire(visitor, { throttleMs: 1000, extra: () => ({ c_cart: String(cart) }) });
    vi.advanceTimersByTime(0);
    expect(visitor.presence.mock.calls).toEqual([
      [{ c_cart: '1', url: 'http://localhost:3000/start', title: 'Start' }],
    ]);
    cart = 2;
    wiring.refresh();
    cart = 3;
    wiring.refresh();
    // Inside the window opened by the first update: held back, then the latest data once.
    vi.advanceTimersByTime(999);
    expect(visitor.presence).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(visitor.presence.mock.calls[1]).toEqual([
      { c_cart: '3', url: 'http://localhost:3000/start', title: 'Start' },
    ]);
    vi.advanceTimersByTime(5000);
    expect(visitor.presence).toHaveBeenCalledTimes(2);

    // Outside the window: a task later. Nothing changed: nothing sent.
    wiring.refresh();
    vi.advanceTimersByTime(0);
    expect(visitor.presence).toHaveBeenCalledTimes(2);
    cart = 0;
    document.title = 'Cart';
    wiring.refresh();
    vi.advanceTimersByTime(0);
    expect(visitor.presence.mock.calls[2]).toEqual([
      { c_cart: '0', url: 'http://localhost:3000/start', title: 'Cart' },
    ]);
  });

  it('collapses with a navigation in the same task into one update', () => {
    let plan = 'free';
    const visitor = stubVisitor();
    const wiring = wire(visitor, { throttleMs: 0, extra: () => ({ c_plan: plan }) });
    vi.runAllTimers();
    history.pushState(null, '', '/upgraded');
    plan = 'pro';
    wiring.refresh();
    vi.runAllTimers();
    expect(visitor.presence.mock.calls.slice(1)).toEqual([
      [{ c_plan: 'pro', url: 'http://localhost:3000/upgraded', title: 'Start' }],
    ]);
  });

  it('sends nothing from a blurred tab, so it never steals focus', () => {
    let cart = 1;
    const visitor = stubVisitor({ focused: false });
    const wiring = wire(visitor, { throttleMs: 0, extra: () => ({ c_cart: String(cart) }) });
    cart = 2;
    wiring.refresh();
    vi.runAllTimers();
    expect(visitor.presence).not.toHaveBeenCalled();
    // Blurred when the throttled send comes due counts too, not only when called.
    visitor.state.focused = true;
    wiring.refresh();
    visitor.state.focused = false;
    vi.runAllTimers();
    expect(visitor.presence).not.toHaveBeenCalled();
  });

  it('with navigation off, sends on demand, and a refresh missed offline on reconnect', () => {
    let cart = 1;
    const visitor = stubVisitor();
    const wiring = wire(visitor, {
      navigation: false,
      throttleMs: 0,
      extra: () => ({ c_cart: String(cart) }),
    });
    vi.runAllTimers();
    // The app owns presence: nothing is sent unasked.
    expect(visitor.presence).not.toHaveBeenCalled();
    wiring.refresh();
    vi.runAllTimers();
    expect(visitor.presence.mock.calls).toEqual([
      [{ c_cart: '1', url: 'http://localhost:3000/start', title: 'Start' }],
    ]);

    // A reconnect with nothing owed sends nothing …
    visitor.emit('connected', { connectionId: 'c2', focused: true, reconnected: true });
    vi.runAllTimers();
    expect(visitor.presence).toHaveBeenCalledTimes(1);
    // … but the new connection has no presence yet: the same data is not a duplicate.
    wiring.refresh();
    vi.runAllTimers();
    expect(visitor.presence).toHaveBeenCalledTimes(2);

    // Offline: the refresh is owed, and sent (as the page is then) once connected again.
    visitor.state.connection = 'reconnecting';
    cart = 5;
    wiring.refresh();
    vi.runAllTimers();
    expect(visitor.presence).toHaveBeenCalledTimes(2);
    visitor.state.connection = 'connected';
    cart = 6;
    visitor.emit('connected', { connectionId: 'c3', focused: true, reconnected: true });
    vi.runAllTimers();
    expect(visitor.presence.mock.calls.slice(2)).toEqual([
      [{ c_cart: '6', url: 'http://localhost:3000/start', title: 'Start' }],
    ]);
  });

  it('does nothing after unwiring', () => {
    const visitor = stubVisitor();
    const wiring = wire(visitor, { throttleMs: 0, extra: () => ({ c_x: String(Math.random()) }) });
    wiring();
    wiring.refresh();
    vi.runAllTimers();
    expect(visitor.presence).not.toHaveBeenCalled();
  });
});

describe('reclaiming focus', () => {
  it('an interaction while blurred sends presence, which takes focus back', () => {
    const visitor = stubVisitor({ focused: false });
    wire(visitor);
    document.body.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));
    expect(visitor.presence.mock.calls).toEqual([
      [{ url: 'http://localhost:3000/start', title: 'Start' }],
    ]);
  });

  it.each([
    ['keydown', () => new KeyboardEvent('keydown', { key: 'a', bubbles: true })],
    ['touchstart', () => new Event('touchstart', { bubbles: true })],
  ])('%s counts as an interaction', (_, make) => {
    const visitor = stubVisitor({ focused: false });
    wire(visitor);
    document.body.dispatchEvent(make());
    expect(visitor.presence).toHaveBeenCalledTimes(1);
  });

  it('sees interactions even when the app stops their propagation', () => {
    const visitor = stubVisitor({ focused: false });
    wire(visitor);
    const button = document.createElement('button');
    document.body.append(button);
    button.addEventListener('pointerdown', (e) => e.stopPropagation());
    button.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));
    expect(visitor.presence).toHaveBeenCalledTimes(1);
  });

  it('does nothing while focused or not connected', () => {
    const visitor = stubVisitor({ focused: true });
    wire(visitor);
    document.body.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));
    Object.assign(visitor.state, { connection: 'reconnecting', focused: false });
    document.body.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));
    expect(visitor.presence).not.toHaveBeenCalled();
  });

  it('with navigation off, reclaims with the visibility instead of overwriting presence', () => {
    const visitor = stubVisitor({ focused: false });
    wire(visitor, { navigation: false });
    document.body.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));
    expect(visitor.presence).not.toHaveBeenCalled();
    expect(visitor.signalVisibility.mock.calls).toEqual([[true]]);
  });

  it('can be switched off', () => {
    const visitor = stubVisitor({ focused: false });
    wire(visitor, { reclaimFocus: false });
    document.body.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));
    expect(visitor.presence).not.toHaveBeenCalled();
  });
});

describe('unwiring', () => {
  it('removes every listener, timer and history wrapper', () => {
    vi.useFakeTimers();
    const visitor = stubVisitor({ focused: false });
    const pushState = history.pushState;
    const replaceState = history.replaceState;
    const unwire = wire(visitor);
    expect(history.pushState).not.toBe(pushState);
    expect(visitor.listenerCount()).toBe(1);
    Object.assign(visitor.state, { focused: true });
    history.pushState(null, '', '/pending');
    unwire();
    unwire();
    expect(history.pushState).toBe(pushState);
    expect(history.replaceState).toBe(replaceState);
    expect(Object.hasOwn(history, 'pushState')).toBe(false);
    expect(visitor.listenerCount()).toBe(0);
    Object.assign(visitor.state, { focused: false });
    setVisibility('hidden');
    window.dispatchEvent(new Event('pagehide'));
    document.body.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));
    history.pushState(null, '', '/after');
    vi.runAllTimers();
    expect(visitor.presence).not.toHaveBeenCalled();
    expect(visitor.signalVisibility).not.toHaveBeenCalled();
  });

  it('leaves a wrapper installed after its own in place, inert', () => {
    vi.useFakeTimers();
    const visitor = stubVisitor();
    const original = history.pushState;
    const unwire = wire(visitor, { throttleMs: 0 });
    const ours = history.pushState;
    const theirs = function (this: History, ...args: Parameters<History['pushState']>) {
      return ours.apply(this, args);
    };
    history.pushState = theirs;
    unwire();
    expect(history.pushState).toBe(theirs);
    history.pushState(null, '', '/still-works');
    vi.runAllTimers();
    expect(location.pathname).toBe('/still-works');
    expect(visitor.presence).not.toHaveBeenCalled();
    history.pushState = original;
    delete (history as Partial<History>).pushState;
  });

  it('uses the Navigation API where there is one, leaving history alone', () => {
    vi.useFakeTimers();
    const navigation = new EventTarget();
    const win = Object.create(window, {
      navigation: { value: navigation },
      addEventListener: { value: window.addEventListener.bind(window) },
      removeEventListener: { value: window.removeEventListener.bind(window) },
    }) as Window;
    const pushState = history.pushState;
    const visitor = stubVisitor();
    const unwire = wire(visitor, { window: win, document, throttleMs: 0 });
    expect(history.pushState).toBe(pushState);
    vi.runAllTimers();
    history.pushState(null, '', '/via-navigation-api');
    navigation.dispatchEvent(new Event('currententrychange'));
    vi.runAllTimers();
    expect(visitor.presence.mock.calls.map(([d]) => d.url)).toEqual([
      'http://localhost:3000/start',
      'http://localhost:3000/via-navigation-api',
    ]);
    unwire();
    navigation.dispatchEvent(new Event('currententrychange'));
    vi.runAllTimers();
    expect(visitor.presence).toHaveBeenCalledTimes(2);
  });
});

describe('options', () => {
  it.each([
    [{ visibility: 'yes' }, /options\.visibility must be a boolean/],
    [{ throttleMs: -1 }, /options\.throttleMs must be a non-negative number/],
    [{ throttleMs: Number.NaN }, /options\.throttleMs/],
    [{ extra: {} }, /options\.extra must be a function/],
    [{ url: 'x' }, /options\.url must be a function/],
    [{ frequency: 1 }, /unknown option "frequency"/],
    [{ window: {} }, /no window to listen on/],
  ])('%j throws a TypeError naming it', (options, message) => {
    expect(() => wirePage(stubVisitor(), options as never)).toThrow(TypeError);
    expect(() => wirePage(stubVisitor(), options as never)).toThrow(message);
  });

  it('rejects something that is not a visitor', () => {
    expect(() => wirePage({} as WirableVisitor)).toThrow(/visitor\.presence must be a function/);
  });
});

describe('with a real visitor over the mock service', () => {
  it('visibility, navigation and focus reach the service', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const clock = new SimulatedClock();
    const service = createMockService({ clock });
    const make = () => {
      const v = createVisitor({ transport: service.transport, clock });
      v.init({ groupId: 'acme', visitorId: 'alice-42' });
      return v;
    };
    const visitor = make();
    wire(visitor, { throttleMs: 0 });
    visitor.connect();
    clock.increment(0);
    vi.runAllTimers();
    const first = service.current!;
    expect(first.sent.filter((m) => m.type === 'presence')).toEqual([
      { type: 'presence', data: { url: 'http://localhost:3000/start', title: 'Start' } },
    ]);
    setVisibility('hidden');
    expect(first.sent.at(-1)).toEqual({ type: 'visibility', visible: false });
    setVisibility('visible');

    // A second tab of the same visitor connects and takes focus.
    const other = make();
    other.connect();
    clock.increment(0);
    expect(visitor.getSnapshot().focused).toBe(false);
    history.pushState(null, '', '/background');
    vi.runAllTimers();
    expect(first.sent.at(-1)).toEqual({ type: 'visibility', visible: true });

    document.body.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));
    expect(first.sent.at(-1)).toEqual({
      type: 'presence',
      data: { url: 'http://localhost:3000/background', title: 'Start' },
    });
    expect(first.focused).toBe(true);
    expect(visitor.getSnapshot().focused).toBe(true);
    visitor.disconnect();
    other.disconnect();
  });

  it('refresh() updates the agent from the focused tab; a blurred tab keeps out of it', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const clock = new SimulatedClock();
    const service = createMockService({ clock });
    const make = () => {
      const v = createVisitor({ transport: service.transport, clock });
      v.init({ groupId: 'acme', visitorId: 'alice-42' });
      return v;
    };
    let cart = 0;
    const visitor = make();
    const wiring = wire(visitor, { throttleMs: 0, extra: () => ({ c_cart: String(cart) }) });
    visitor.connect();
    clock.increment(0);
    vi.runAllTimers();
    const first = service.current!;
    const presence = () => first.sent.filter((m) => m.type === 'presence');
    cart = 2;
    wiring.refresh();
    vi.runAllTimers();
    expect(presence().map((m) => m.type === 'presence' && m.data.c_cart)).toEqual(['0', '2']);

    // Another tab of the same visitor takes focus; this one's cart changes in the background.
    const other = make();
    other.connect();
    clock.increment(0);
    const second = service.current!;
    expect(second.focused).toBe(true);
    cart = 3;
    wiring.refresh();
    vi.runAllTimers();
    clock.increment(0);
    expect(presence()).toHaveLength(2);
    expect(first.focused).toBe(false);
    expect(second.focused).toBe(true);
    expect(visitor.getSnapshot().focused).toBe(false);
    visitor.disconnect();
    other.disconnect();
  });
});
