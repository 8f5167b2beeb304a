// @vitest-environment happy-dom

import type { Transport } from '@beckon/core';
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { StrictMode } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../src/components/App.js';
import { createSession, type SessionOptions } from '../src/createSession.js';
import type { RuntimeConfig } from '../src/loadRuntimeConfig.js';
import { GROUP_ID, startBackend, type TestBackend } from './utils/backend.js';

let cleanups: (() => unknown)[] = [];
afterEach(async () => {
  cleanup();
  for (const fn of cleanups.reverse()) await fn();
  cleanups = [];
});

const WAIT = { timeout: 3000 };

async function backend(options?: Parameters<typeof startBackend>[0]): Promise<TestBackend> {
  const b = await startBackend(options);
  cleanups.push(() => b.close());
  return b;
}

const configFor = (token?: string): RuntimeConfig => ({
  serverUrl: 'ws://127.0.0.1:8080/',
  groupId: GROUP_ID,
  ...(token ? { agentToken: token } : {}),
  source: token ? 'file' : 'defaults',
});

/** Renders the console signed in (as with a prefilled token), in StrictMode. */
function renderSignedIn(b: TestBackend) {
  const options: SessionOptions = { transport: b.transport };
  const session = createSession(
    { serverUrl: 'ws://127.0.0.1:8080/', groupId: GROUP_ID, token: b.token },
    options,
  );
  cleanups.push(() => session.close());
  render(
    <StrictMode>
      <App config={configFor(b.token)} initialSession={session} sessionOptions={options} />
    </StrictMode>,
  );
  return session;
}

const status = () => screen.getByTestId('agent-status').textContent;
const row = (visitorId: string) =>
  document.querySelector<HTMLElement>(
    `[data-testid="visitor-row"][data-visitor-id="${visitorId}"]`,
  );
const rowIds = () =>
  screen.queryAllByTestId('visitor-row').map((r) => r.getAttribute('data-visitor-id'));

describe('signing in', () => {
  it('asks for a token when none is configured, then connects with the pasted one', async () => {
    const b = await backend();
    render(<App config={configFor()} sessionOptions={{ transport: b.transport }} />);
    expect(screen.queryByTestId('agent-status')).toBeNull();
    fireEvent.change(screen.getByTestId('token-input'), { target: { value: b.token } });
    fireEvent.click(screen.getByTestId('sign-in'));
    await waitFor(() => expect(status()).toBe('connected'), WAIT);
    await screen.findByTestId('list-empty', {}, WAIT);
    expect(screen.getByTestId('list-empty').textContent).toContain('http://127.0.0.1:5174/');
    // Signing out returns to the form and closes the agent's connection.
    fireEvent.click(screen.getByTestId('sign-out'));
    expect(screen.getByTestId('token-input')).toBeTruthy();
    await waitFor(() => expect(b.hub.connectionCounts().agent).toBe(0), WAIT);
  });

  it('shows a clear error for a bad group ID or server URL, and creates no agent', async () => {
    const b = await backend();
    render(<App config={configFor()} />);
    fireEvent.change(screen.getByTestId('token-input'), { target: { value: 'some-token' } });
    fireEvent.change(screen.getByTestId('group-input'), { target: { value: 'bad group!' } });
    fireEvent.click(screen.getByTestId('sign-in'));
    expect(screen.getByTestId('sign-in-error').textContent).toMatch(/^Group ID/);
    fireEvent.change(screen.getByTestId('group-input'), { target: { value: 'demo' } });
    fireEvent.change(screen.getByTestId('server-input'), { target: { value: 'ftp://nope' } });
    fireEvent.click(screen.getByTestId('sign-in'));
    expect(screen.getByTestId('sign-in-error').textContent).toMatch(/^Server URL/);
    expect(screen.queryByTestId('agent-status')).toBeNull();
    expect(b.hub.connectionCounts().handshake + b.hub.connectionCounts().agent).toBe(0);
  });

  it('says an invalid token was refused, and signs in again with a new one', async () => {
    const b = await backend();
    const options: SessionOptions = { transport: b.transport };
    const bad = createSession(
      { serverUrl: 'ws://x/', groupId: GROUP_ID, token: 'not-a-jwt' },
      options,
    );
    cleanups.push(() => bad.close());
    render(<App config={configFor('not-a-jwt')} initialSession={bad} sessionOptions={options} />);
    await waitFor(() => expect(status()).toBe('refused'), WAIT);
    expect(screen.getByTestId('refused-reason').textContent).toMatch(/invalid or has expired/);
    fireEvent.change(screen.getByTestId('token-input'), { target: { value: b.token } });
    fireEvent.click(screen.getByTestId('sign-in'));
    await waitFor(() => expect(status()).toBe('connected'), WAIT);
    expect(bad.agent.getSnapshot().status).toBe('disconnected'); // the old session was closed
  });
});

describe('a service that cannot be reached', () => {
  it('keeps retrying, says so, and shows the list as still connecting', async () => {
    const unreachable: Transport = (handlers) => {
      setTimeout(() => handlers.close({ code: 1006, reason: 'connection refused' }), 0);
      return { readyState: 'connecting', send: () => false, close() {} };
    };
    const session = createSession(
      { serverUrl: 'ws://127.0.0.1:1/', groupId: GROUP_ID, token: 'jwt' },
      { transport: unreachable },
    );
    cleanups.push(() => session.close());
    render(<App config={configFor('jwt')} initialSession={session} />);
    await waitFor(() => expect(status()).toBe('reconnecting'), WAIT);
    const banner = screen.getByTestId('connection-banner');
    expect(banner.textContent).toContain('Cannot reach the presence service (connection refused)');
    expect(banner.textContent).not.toContain('last known state');
    expect(screen.getByTestId('list-loading').textContent).toContain('Connecting');
  });
});

describe('the visitor list', () => {
  it('lists present visitors live, with url, visibility, instances and focus', async () => {
    const b = await backend();
    const alice = await b.visitor('alice');
    renderSignedIn(b);
    await waitFor(() => expect(rowIds()).toEqual(['alice']), WAIT);
    alice.send({ type: 'presence', data: { url: '/cart', c_tier: 'gold' } });
    const bob = await b.visitor('bob', { visible: false });
    await waitFor(() => expect(rowIds().sort()).toEqual(['alice', 'bob']), WAIT);
    await waitFor(() => {
      const a = within(row('alice') as HTMLElement);
      expect(a.getByTestId('visitor-url').textContent).toBe('/cart');
      expect(row('alice')?.textContent).toContain('tier gold');
    }, WAIT);
    expect(within(row('bob') as HTMLElement).getByTestId('visitor-visibility').textContent).toBe(
      'hidden',
    );

    const second = await b.visitor('alice');
    await waitFor(() => {
      const a = within(row('alice') as HTMLElement);
      expect(a.getByTestId('visitor-instances').textContent).toBe('2');
      expect(a.getByTestId('visitor-focus').textContent).toBe(
        `focus ${second.connectionId.slice(0, 8)}`,
      );
    }, WAIT);

    bob.send({ type: 'visibility', visible: true });
    await waitFor(
      () =>
        expect(
          within(row('bob') as HTMLElement).getByTestId('visitor-visibility').textContent,
        ).toBe('visible'),
      WAIT,
    );
    bob.close();
    await waitFor(() => expect(rowIds()).toEqual(['alice']), WAIT);
  });

  it('searches by ID, url and custom fields, and filters by visibility', async () => {
    const b = await backend();
    const alice = await b.visitor('alice');
    alice.send({ type: 'presence', data: { url: '/cart', c_plan: 'enterprise' } });
    const bob = await b.visitor('bob', { visible: false });
    bob.send({ type: 'presence', data: { url: '/checkout' } });
    renderSignedIn(b);
    await waitFor(() => expect(rowIds().sort()).toEqual(['alice', 'bob']), WAIT);
    await waitFor(() => expect(document.body.textContent).toContain('/checkout'), WAIT);
    const search = screen.getByTestId('visitor-search');
    fireEvent.change(search, { target: { value: 'enterprise' } });
    expect(rowIds()).toEqual(['alice']);
    fireEvent.change(search, { target: { value: 'checkout' } });
    expect(rowIds()).toEqual(['bob']);
    fireEvent.change(search, { target: { value: 'zzz' } });
    expect(rowIds()).toEqual([]);
    expect(screen.getByTestId('list-no-match')).toBeTruthy();
    fireEvent.change(search, { target: { value: '' } });
    fireEvent.change(screen.getByTestId('visibility-filter'), { target: { value: 'hidden' } });
    expect(rowIds()).toEqual(['bob']);
    fireEvent.change(screen.getByTestId('visibility-filter'), { target: { value: 'visible' } });
    expect(rowIds()).toEqual(['alice']);
    expect(screen.getByTestId('visitor-count').textContent).toBe('1 of 2 visitors');
  });

  it('shows reconnecting with the attempt, keeps the list, and recovers by itself', async () => {
    const b = await backend();
    await b.visitor('alice');
    renderSignedIn(b);
    await waitFor(() => expect(rowIds()).toEqual(['alice']), WAIT);
    act(() => b.transport.dropAll('network down'));
    await waitFor(() => expect(status()).toBe('reconnecting'), WAIT);
    const banner = screen.getByTestId('connection-banner');
    expect(banner.getAttribute('data-status')).toBe('reconnecting');
    expect(banner.textContent).toContain('network down');
    expect(banner.textContent).toMatch(/attempt 1/);
    expect(rowIds()).toEqual(['alice']); // last known state, not an empty list
    await waitFor(() => expect(status()).toBe('connected'), { timeout: 5000 });
    expect(screen.queryByTestId('connection-banner')).toBeNull();
    await b.visitor('bob');
    await waitFor(() => expect(rowIds().sort()).toEqual(['alice', 'bob']), WAIT);
  });
});

describe('the visitor detail', () => {
  it('shows the timeline and the One-Click Connect delivery, through to session start', async () => {
    const b = await backend();
    await b.visitor('bob');
    const alice = await b.visitor('alice');
    renderSignedIn(b);
    await waitFor(() => expect(row('alice')).toBeTruthy(), WAIT);
    fireEvent.click(row('alice') as HTMLElement);
    const detail = screen.getByTestId('visitor-detail');
    expect(detail.getAttribute('data-visitor-id')).toBe('alice');
    expect(within(detail).getByTestId('timeline-empty')).toBeTruthy();

    fireEvent.click(screen.getByTestId('one-click-connect'));
    expect(screen.getByTestId('delivery-status').getAttribute('data-state')).toBe('sending');
    expect((screen.getByTestId('one-click-connect') as HTMLButtonElement).disabled).toBe(true);
    await waitFor(
      () =>
        expect(screen.getByTestId('delivery-status').getAttribute('data-state')).toBe('delivered'),
      WAIT,
    );
    expect(screen.getByTestId('delivery-status').textContent).toContain(
      alice.connectionId.slice(0, 8),
    );
    expect(screen.getByTestId('delivery-status').textContent).toContain(
      'Waiting for the visitor’s answer.',
    );

    alice.send({ type: 'signal', name: 'terms', properties: { status: 'displayed' } });
    alice.send({ type: 'signal', name: 'terms', properties: { status: 'accepted' } });
    alice.send({ type: 'sessionStart', sessionKey: 'alice', presenceStart: true });
    await waitFor(
      () => expect(detail.querySelector('[data-kind="sessionStart"]')).toBeTruthy(),
      WAIT,
    );
    const entries = within(detail).getAllByTestId('timeline-entry');
    // Newest first.
    expect(
      entries.map((e) => [e.getAttribute('data-kind'), e.getAttribute('data-status')]),
    ).toEqual([
      ['sessionStart', null],
      ['terms', 'accepted'],
      ['terms', 'displayed'],
    ]);
    expect(detail.textContent).toContain('in session · alice');
    // The delivery status follows the visitor's answer.
    expect(screen.getByTestId('delivery-status').textContent).toContain(
      'The visitor accepted; the session started.',
    );
    // Bob's timeline is his own.
    fireEvent.click(row('bob') as HTMLElement);
    expect(screen.getByTestId('visitor-detail').getAttribute('data-visitor-id')).toBe('bob');
    expect(screen.queryAllByTestId('timeline-entry')).toHaveLength(0);
    expect(screen.queryByTestId('delivery-status')).toBeNull();
  });

  it('keeps a visitor who left open with its timeline, and reports not present', async () => {
    const b = await backend();
    const alice = await b.visitor('alice');
    renderSignedIn(b);
    await waitFor(() => expect(row('alice')).toBeTruthy(), WAIT);
    fireEvent.click(row('alice') as HTMLElement);
    alice.close();
    await waitFor(() => expect(screen.getByTestId('visitor-gone')).toBeTruthy(), WAIT);
    expect(
      screen.getAllByTestId('timeline-entry').map((e) => e.getAttribute('data-kind')),
    ).toContain('disconnected');
    fireEvent.click(screen.getByTestId('one-click-connect'));
    await waitFor(
      () =>
        expect(screen.getByTestId('delivery-status').getAttribute('data-state')).toBe(
          'visitorNotPresent',
        ),
      WAIT,
    );
  });

  it('reports a visitor app that does not acknowledge as timed out, and a busy one as busy', async () => {
    const b = await backend();
    await b.visitor('slow', { ack: false });
    await b.visitor('sharing', { ack: 'busy' });
    renderSignedIn(b);
    await waitFor(() => expect(rowIds().length).toBe(2), WAIT);
    fireEvent.click(row('slow') as HTMLElement);
    fireEvent.click(screen.getByTestId('one-click-connect'));
    await waitFor(
      () =>
        expect(screen.getByTestId('delivery-status').getAttribute('data-state')).toBe('timeout'),
      WAIT,
    );
    fireEvent.click(row('sharing') as HTMLElement);
    fireEvent.click(screen.getByTestId('one-click-connect'));
    await waitFor(
      () => expect(screen.getByTestId('delivery-status').getAttribute('data-state')).toBe('busy'),
      WAIT,
    );
  });
});
