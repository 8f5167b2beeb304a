// @vitest-environment happy-dom
import type { Agent } from '@beckon/core/agent';
import { act, render, renderHook } from '@testing-library/react';
import { memo, type ReactNode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  BeckonProvider,
  useAgent,
  useAgentState,
  useVisitorPresence,
  useVisitors,
} from '../src/index.js';
import { agentSetup, modes, summary, type Wrapper } from './utils.js';

afterEach(() => {
  vi.restoreAllMocks();
});

const provider =
  (Mode: Wrapper, agent: Agent) =>
  ({ children }: { children: ReactNode }) => (
    <Mode>
      <BeckonProvider agent={agent}>{children}</BeckonProvider>
    </Mode>
  );

const ids = (list: readonly { visitorId: string }[] | undefined) => list?.map((v) => v.visitorId);

// Renders one visitor's line; `memo`, so only its own store updates re-render it.
const Alice = memo(function Alice({ renders }: { renders: { count: number } }) {
  renders.count += 1;
  const alice = useVisitorPresence('alice');
  return <p>{alice ? `${alice.visibility} ${alice.presence.url}` : 'offline'}</p>;
});

function Console() {
  useVisitors();
  useVisitorPresence('alice');
  useAgentState((s) => s.status);
  return null;
}

describe.each(modes)('%s', (_, Mode) => {
  it('useAgent returns the provider’s agent, and rendering connects nothing', () => {
    const h = agentSetup();
    const { result, unmount } = renderHook(() => useAgent(), {
      wrapper: provider(Mode, h.agent),
    });
    expect(result.current).toBe(h.agent);
    unmount();
    expect(h.agent.getSnapshot().status).toBe('idle');
  });

  it('useAgentState follows the agent, a selector re-rendering only for its slice', () => {
    const h = agentSetup();
    let renders = 0;
    const { result } = renderHook(
      () => {
        renders += 1;
        return { status: useAgentState((s) => s.status), whole: useAgentState() };
      },
      { wrapper: provider(Mode, h.agent) },
    );
    expect(result.current.status).toBe('idle');
    act(() => h.online());
    expect(result.current.status).toBe('connected');
    expect(result.current.whole).toBe(h.agent.getSnapshot());
    const before = renders;
    act(() => h.push({ type: 'terms', visitorId: 'x', at: 1, status: 'displayed' })); // no state change
    expect(renders).toBe(before);
  });

  it('useVisitors lists watched visitors, most recently active first, stable while unchanged', async () => {
    const h = agentSetup();
    const { result, rerender } = renderHook(() => ({ a: useVisitors(), b: useVisitors() }), {
      wrapper: provider(Mode, h.agent),
    });
    expect(result.current.a).toEqual([]);
    act(() => h.online());
    await act(() =>
      h.watchGroup([
        summary('alice', { lastActiveAt: 1_000 }),
        summary('bob', { lastActiveAt: 2_000 }),
        summary('carol', { lastActiveAt: 1_000 }),
      ]),
    );
    expect(ids(result.current.a)).toEqual(['bob', 'alice', 'carol']);
    const list = result.current.a;
    expect(result.current.b).toBe(list); // one array for every component
    rerender();
    expect(result.current.a).toBe(list);
    // Events that change no summary keep the array.
    act(() => h.push({ type: 'terms', visitorId: 'alice', at: 2_500, status: 'displayed' }));
    expect(result.current.a).toBe(list);

    act(() => h.push({ type: 'presence', visitorId: 'carol', at: 3_000, data: { url: '/cart' } }));
    expect(ids(result.current.a)).toEqual(['carol', 'bob', 'alice']);
    expect(result.current.a[0]?.presence).toEqual({ url: '/cart' });
    expect(result.current.a[1]).toBe(list[0]); // bob's entry kept its identity
    act(() => h.push({ type: 'visitorDisconnected', visitorId: 'bob', at: 3_100 }));
    expect(ids(result.current.a)).toEqual(['carol', 'alice']);
  });

  it('useVisitorPresence follows one visitor and re-renders only for it', async () => {
    const h = agentSetup();
    const renders = { count: 0 };
    const view = render(<Alice renders={renders} />, { wrapper: provider(Mode, h.agent) });
    expect(view.container.textContent).toBe('offline');
    act(() => h.online());
    await act(() => h.watchGroup([summary('alice'), summary('bob')]));
    expect(view.container.textContent).toBe('visible /');
    const before = renders.count;
    act(() => h.push({ type: 'presence', visitorId: 'bob', at: 2_000, data: { url: '/b' } }));
    expect(renders.count).toBe(before);
    act(() => h.push({ type: 'visibility', visitorId: 'alice', at: 2_100, visibility: 'hidden' }));
    expect(view.container.textContent).toBe('hidden /');
    act(() => h.push({ type: 'visitorDisconnected', visitorId: 'alice', at: 2_200 }));
    expect(view.container.textContent).toBe('offline');
  });

  it('useVisitorPresence with a non-string ID throws a TypeError', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const h = agentSetup();
    expect(() =>
      renderHook(() => useVisitorPresence(42 as unknown as string), {
        wrapper: provider(Mode, h.agent),
      }),
    ).toThrow(TypeError);
  });

  it('subscribes once per hook whatever the mode, and unmounting leaves no listener', () => {
    const h = agentSetup();
    const view = render(<Console />, { wrapper: provider(Mode, h.agent) });
    expect(h.listeners.live).toBe(3);
    view.unmount();
    expect(h.listeners.live).toBe(0);
    expect(h.agent.getSnapshot().status).toBe('idle');
  });
});
