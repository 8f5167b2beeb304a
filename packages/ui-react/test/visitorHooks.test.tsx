// @vitest-environment happy-dom
import type { ConsentPrompt, Visitor } from '@beckon/core';
import { act, render, renderHook } from '@testing-library/react';
import { type ReactNode, version } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  BeckonProvider,
  ConsentDialog,
  useAgent,
  useConsentRequest,
  useVisitor,
  useVisitorState,
} from '../src/index.js';
import { modes, visitorSetup, type Wrapper } from './utils.js';

afterEach(() => {
  vi.restoreAllMocks();
});

it(`runs under React ${process.env.BECKON_REACT_MAJOR}`, () => {
  // Guards the React 18 config: if its aliases broke, this run would test React 19 again.
  expect(version.split('.')[0]).toBe(process.env.BECKON_REACT_MAJOR);
});

const provider =
  (Mode: Wrapper, visitor: Visitor, consent?: ConsentPrompt) =>
  ({ children }: { children: ReactNode }) => (
    <Mode>
      <BeckonProvider visitor={visitor} consent={consent}>
        {children}
      </BeckonProvider>
    </Mode>
  );

function Everything() {
  useVisitorState();
  useVisitorState((s) => s.terms);
  useConsentRequest();
  return <ConsentDialog />;
}

describe.each(modes)('%s', (_, Mode) => {
  it('useVisitor returns the provider’s visitor, and rendering connects nothing', () => {
    const { visitor, service } = visitorSetup();
    const { result, unmount } = renderHook(() => useVisitor(), {
      wrapper: provider(Mode, visitor),
    });
    expect(result.current).toBe(visitor);
    unmount();
    expect(service.connections).toHaveLength(0);
    expect(visitor.getSnapshot().connection).toBe('uninitialized');
  });

  it('hooks outside a provider, or without what they need, throw a clear Error', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {}); // React reports the throw too
    const { visitor } = visitorSetup();
    expect(() => renderHook(() => useVisitor(), { wrapper: Mode })).toThrow(
      'useVisitor() must be used inside a <BeckonProvider>',
    );
    expect(() => renderHook(() => useVisitorState(), { wrapper: Mode })).toThrow(
      'useVisitorState() must be used inside a <BeckonProvider>',
    );
    expect(() => renderHook(() => useConsentRequest(), { wrapper: Mode })).toThrow(
      'useConsentRequest() must be used inside a <BeckonProvider>',
    );
    expect(() => renderHook(() => useAgent(), { wrapper: provider(Mode, visitor) })).toThrow(
      'useAgent() needs an agent: render <BeckonProvider agent={agent}>',
    );
    const agentOnly = ({ children }: { children: ReactNode }) => (
      <Mode>
        <BeckonProvider>{children}</BeckonProvider>
      </Mode>
    );
    expect(() => renderHook(() => useVisitor(), { wrapper: agentOnly })).toThrow(
      'useVisitor() needs a visitor: render <BeckonProvider visitor={visitor}>',
    );
  });

  it('a provider given something that is not a visitor throws a TypeError', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const notAVisitor = { connect() {} } as unknown as Visitor;
    expect(() =>
      render(
        <Mode>
          <BeckonProvider visitor={notAVisitor} />
        </Mode>,
      ),
    ).toThrow(TypeError);
  });

  it('useVisitorState follows the visitor’s snapshot', () => {
    const h = visitorSetup();
    const { result } = renderHook(() => useVisitorState(), { wrapper: provider(Mode, h.visitor) });
    expect(result.current).toBe(h.visitor.getSnapshot());
    expect(result.current.connection).toBe('uninitialized');
    act(() => h.connect());
    expect(result.current).toBe(h.visitor.getSnapshot());
    expect(result.current).toMatchObject({ connection: 'connected', focused: true });
    act(() => h.service.current?.drop());
    expect(result.current.connection).toBe('reconnecting');
  });

  it('a selector re-renders only when its slice changes, even returning a fresh object', () => {
    const h = visitorSetup();
    let renders = 0;
    const { result, rerender } = renderHook(
      () => {
        renders += 1;
        return useVisitorState((s) => ({ visible: s.visible, defaultUI: s.defaultUI }));
      },
      { wrapper: provider(Mode, h.visitor) },
    );
    const first = result.current;
    expect(first).toEqual({ visible: true, defaultUI: true });
    const before = renders;
    act(() => h.connect()); // connection and focus change; the slice does not
    expect(result.current).toBe(first);
    expect(renders).toBe(before);
    rerender(); // a new inline selector keeps the equal value
    expect(result.current).toBe(first);
    act(() => h.visitor.signalVisibility(false));
    expect(result.current).toEqual({ visible: false, defaultUI: true });
    expect(renders).toBeGreaterThan(before + 1);
  });

  it('a custom isEqual decides what counts as a change', () => {
    const h = visitorSetup();
    const { result } = renderHook(
      // Only whether it is online matters to this component.
      () =>
        useVisitorState(
          (s) => s.connection,
          (a, b) => (a === 'connected') === (b === 'connected'),
        ),
      { wrapper: provider(Mode, h.visitor) },
    );
    expect(result.current).toBe('uninitialized');
    act(() => h.visitor.init({ groupId: 'acme', visitorId: 'alice' }));
    expect(result.current).toBe('uninitialized'); // still offline: the old value stays
    act(() => {
      h.visitor.connect();
      h.settle();
    });
    expect(result.current).toBe('connected');
  });

  it('subscribes once per store whatever the mode, and unmounting leaves no listener', () => {
    const h = visitorSetup();
    const { unmount } = render(<Everything />, { wrapper: provider(Mode, h.visitor, h.consent) });
    // Two useVisitorState subscriptions, and one shared custom-consent store (`showTerms`
    // plus state) however many components ask for the request.
    expect(h.listeners.live).toBe(4);
    expect(h.promptListeners.live).toBe(2);
    unmount();
    expect(h.listeners.live).toBe(0);
    expect(h.promptListeners.live).toBe(0);
    expect(h.service.connections).toHaveLength(0);
  });
});
