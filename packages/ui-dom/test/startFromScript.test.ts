// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createConsentDialog, wirePage } from '../src/index.js';
import { startFromScript } from '../src/startFromScript.js';

function script(attributes: Record<string, string>) {
  const el = document.createElement('script');
  for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
  return el;
}

const valid = {
  'data-group-id': 'demo',
  'data-visitor-id': 'alice-42',
  'data-server': 'ws://127.0.0.1:9/',
};

const started: { disconnect(): void }[] = [];
function start(attributes: Record<string, string>) {
  const reportError = vi.fn<(message: string) => void>();
  const api = startFromScript(script(attributes), { reportError, window });
  if (api.visitor) started.push(api.visitor);
  return { api, reportError };
}

afterEach(() => {
  for (const visitor of started.splice(0)) visitor.disconnect();
});

describe('startFromScript', () => {
  it('without data attributes only exposes the API', () => {
    const { api, reportError } = start({});
    expect(api.visitor).toBeUndefined();
    expect(api.createConsentDialog).toBe(createConsentDialog);
    expect(api.wirePage).toBe(wirePage);
    expect(typeof api.createVisitor).toBe('function');
    expect(typeof api.webSocketTransport).toBe('function');
    expect(reportError).not.toHaveBeenCalled();
    expect(startFromScript(null, { reportError }).visitor).toBeUndefined();
  });

  it('with valid attributes creates, initialises and connects the visitor', () => {
    const { api, reportError } = start({ ...valid, 'data-locale': 'de', 'data-token': 't0k' });
    expect(reportError).not.toHaveBeenCalled();
    const state = api.visitor?.getSnapshot();
    expect(state).toMatchObject({
      groupId: 'demo',
      visitorId: 'alice-42',
      connection: 'connecting',
      defaultUI: true,
    });
  });

  it("a relative data-server is the page's own origin", () => {
    const { api, reportError } = start({ ...valid, 'data-server': '/presence' });
    expect(reportError).not.toHaveBeenCalled();
    expect(api.visitor?.getSnapshot().connection).toBe('connecting');
  });

  it('data-default-ui="false" leaves consent to the app', () => {
    const { api } = start({ ...valid, 'data-default-ui': 'false' });
    expect(api.visitor?.getSnapshot().defaultUI).toBe(false);
  });

  it.each([
    [{ 'data-group-id': 'demo' }, ['data-visitor-id', 'data-server']],
    [{ ...valid, 'data-group-id': 'no spaces' }, ['data-group-id']],
    [{ ...valid, 'data-visitor-id': '' }, ['data-visitor-id']],
    [{ ...valid, 'data-visitor-id': 'x'.repeat(200) }, ['data-visitor-id']],
    [{ ...valid, 'data-server': 'ftp://example.com/' }, ['data-server']],
    [{ ...valid, 'data-server': 'http://[bad/' }, ['data-server']],
    [{ ...valid, 'data-server': 'wss://example.com/#fragment' }, ['data-server']],
    [{ ...valid, 'data-token': ' ' }, ['data-token']],
    [{ ...valid, 'data-locale': 'not_a locale!' }, ['data-locale']],
    [{ ...valid, 'data-locale': '' }, ['data-locale']],
    [{ ...valid, 'data-default-ui': 'no' }, ['data-default-ui']],
  ])('%j reports the bad attribute and starts nothing', (attributes, names) => {
    const { api, reportError } = start(attributes);
    expect(api.visitor).toBeUndefined();
    const messages = reportError.mock.calls.map(([m]) => m);
    expect(messages).toHaveLength(names.length);
    names.forEach((name, i) => {
      expect(messages[i]).toMatch(/^Beckon: /);
      expect(messages[i]).toContain(name);
    });
  });

  it('reports through console.error by default and never throws', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(() =>
      startFromScript(script({ ...valid, 'data-server': 'http://[bad/' })),
    ).not.toThrow();
    expect(error).toHaveBeenCalledWith(expect.stringContaining('data-server'));
    error.mockRestore();
  });
});
