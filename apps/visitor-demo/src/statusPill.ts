import type { ConnectionStatus, Visitor, VisitorState } from '@beckon/core';
import { h } from './dom.js';

/** The pill's words for a connection that is not `connected`, shown after the state word. */
function detailOf(state: VisitorState, lastFailure: string | undefined): string {
  switch (state.connection) {
    case 'connecting':
      return state.attempt > 0 ? `attempt ${state.attempt + 1}` : '';
    case 'reconnecting':
      return [`attempt ${state.attempt}`, lastFailure].filter(Boolean).join(' · ');
    case 'disconnected':
    case 'notConfigured':
      return lastFailure ?? '';
    default:
      return '';
  }
}

function focusText(state: VisitorState): string {
  if (state.connection !== 'connected') return 'not connected';
  return state.focused ? 'this tab has focus' : 'another tab has focus';
}

/**
 * The status pill: the connection state word (`connected`, `reconnecting`,
 * `notConfigured`, …), whether this tab holds the visitor's focus, and the running session.
 * Returns the function that removes it.
 *
 * @example
 * const stop = mountStatusPill(chrome.status, visitor);
 */
export function mountStatusPill(container: HTMLElement, visitor: Visitor): () => void {
  const doc = container.ownerDocument;
  const e = <K extends keyof HTMLElementTagNameMap>(
    tag: K,
    attrs: Parameters<typeof h>[1] = {},
    children: Parameters<typeof h>[2] = [],
  ) => h(tag, attrs, children, doc);
  const connection = e('span', { class: 'status__connection', 'data-testid': 'connection-status' });
  const detail = e('span', { class: 'status__detail', 'data-testid': 'connection-detail' });
  const focus = e('span', { class: 'status__focus', 'data-testid': 'focus-status' });
  const session = e('span', { class: 'status__session', 'data-testid': 'session-status' });
  const pill = e(
    'div',
    { class: 'status', 'data-testid': 'status-pill', role: 'status', 'aria-live': 'polite' },
    [
      e('span', { class: 'status__dot', 'aria-hidden': 'true' }),
      connection,
      detail,
      focus,
      session,
    ],
  );
  container.replaceChildren(pill);

  let lastFailure: string | undefined;
  const render = (state: VisitorState) => {
    pill.dataset.connection = state.connection;
    connection.textContent = state.connection satisfies ConnectionStatus;
    const more = detailOf(state, lastFailure);
    detail.textContent = more;
    detail.hidden = more === '';
    focus.textContent = focusText(state);
    focus.dataset.focused = String(state.focused);
    const running = state.terms === 'session' && state.sessionKey !== undefined;
    session.hidden = !running;
    session.textContent = running ? `screen share session ${state.sessionKey} active` : '';
  };
  const offs = [
    visitor.on('connectFail', ({ reason, code }) => {
      lastFailure = reason ? `${reason} (${code})` : `closed (${code})`;
      render(visitor.getSnapshot());
    }),
    visitor.on('notConfigured', ({ reason }) => {
      lastFailure = reason || 'presence is not enabled for this group';
      render(visitor.getSnapshot());
    }),
    visitor.on('connected', () => {
      lastFailure = undefined;
    }),
    visitor.subscribe(render),
  ];
  render(visitor.getSnapshot());
  return () => {
    for (const off of offs) off();
    container.replaceChildren();
  };
}
