import { createServer } from 'node:net';
import type { TransportCloseInfo, TransportHandlers } from '@beckon/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer, type WebSocket as WsSocket } from 'ws';
import { type WebSocketConstructor, type WebSocketLike, webSocketTransport } from '../src/index.js';

// Both implementations must fit the option's type; a compile error here is a failing test.
const _dom: WebSocketConstructor = globalThis.WebSocket;
const _ws: WebSocketConstructor = WebSocket;
void _dom;
void _ws;

const NO_IMPLEMENTATION = 'no WebSocket implementation: pass { WebSocket } (e.g. from "ws")';

type Event =
  | { type: 'open' }
  | { type: 'message'; data: string }
  | { type: 'close'; info: TransportCloseInfo };

/** Handlers that record every call, plus promises for the first open and the close. */
function recorder() {
  const events: Event[] = [];
  let resolveOpen!: () => void;
  let resolveClose!: (info: TransportCloseInfo) => void;
  const opened = new Promise<void>((r) => {
    resolveOpen = r;
  });
  const closed = new Promise<TransportCloseInfo>((r) => {
    resolveClose = r;
  });
  const handlers: TransportHandlers = {
    open() {
      events.push({ type: 'open' });
      resolveOpen();
    },
    message(data) {
      events.push({ type: 'message', data });
    },
    close(info) {
      events.push({ type: 'close', info });
      resolveClose(info);
    },
  };
  const count = (type: Event['type']) => events.filter((e) => e.type === type).length;
  return { events, handlers, opened, closed, count };
}

/** Lets stray socket events (which must be ignored) arrive before asserting on their absence. */
const settle = () => new Promise((r) => setTimeout(r, 30));

let server: WebSocketServer;
let url: string;
let serverSockets: WsSocket[];

beforeEach(async () => {
  serverSockets = [];
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server.on('connection', (socket) => serverSockets.push(socket));
  await new Promise<void>((r) => server.once('listening', () => r()));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  url = `ws://127.0.0.1:${address.port}/presence`;
});

afterEach(async () => {
  for (const socket of server.clients) socket.terminate();
  await new Promise<void>((r) => server.close(() => r()));
});

/** The next connection the server accepts. */
const nextServerSocket = () =>
  new Promise<WsSocket>((r) => server.once('connection', (socket) => r(socket)));

/** Resolves with what the server socket saw when the client closed it. */
const serverClose = (socket: WsSocket) =>
  new Promise<{ code: number; reason: string }>((r) =>
    socket.once('close', (code, reason) => r({ code, reason: reason.toString() })),
  );

describe('webSocketTransport over ws', () => {
  it('opens, mirrors readyState, and sends text frames the server receives', async () => {
    const rec = recorder();
    const accepted = nextServerSocket();
    const conn = webSocketTransport({ url, WebSocket })(rec.handlers);
    expect(conn.readyState).toBe('connecting');
    await rec.opened;
    expect(conn.readyState).toBe('open');
    const socket = await accepted;
    const received = new Promise<{ data: string; isBinary: boolean }>((r) =>
      socket.once('message', (data, isBinary) => r({ data: data.toString(), isBinary })),
    );
    expect(conn.send('{"type":"ping"}')).toBe(true);
    expect(await received).toEqual({ data: '{"type":"ping"}', isBinary: false });
    expect(rec.count('open')).toBe(1);
  });

  it('delivers text frames from the server to message', async () => {
    const rec = recorder();
    const accepted = nextServerSocket();
    webSocketTransport({ url, WebSocket })(rec.handlers);
    await rec.opened;
    const socket = await accepted;
    socket.send('{"type":"pong"}');
    socket.send('héllo ✓');
    socket.close(1000, 'done');
    await rec.closed;
    expect(rec.events).toEqual([
      { type: 'open' },
      { type: 'message', data: '{"type":"pong"}' },
      { type: 'message', data: 'héllo ✓' },
      { type: 'close', info: { code: 1000, reason: 'done' } },
    ]);
  });

  it("reports the service's close code and reason once", async () => {
    const rec = recorder();
    const accepted = nextServerSocket();
    const conn = webSocketTransport({ url, WebSocket })(rec.handlers);
    await rec.opened;
    (await accepted).close(4004, 'x');
    expect(await rec.closed).toEqual({ code: 4004, reason: 'x' });
    expect(conn.readyState).toBe('closed');
    await settle();
    expect(rec.count('close')).toBe(1);
  });

  it('passes a retry delay in the reason through (4100)', async () => {
    const rec = recorder();
    const accepted = nextServerSocket();
    webSocketTransport({ url, WebSocket })(rec.handlers);
    await rec.opened;
    (await accepted).close(4100, '2500');
    expect(await rec.closed).toEqual({ code: 4100, reason: '2500' });
  });

  it('reports 1006 with a reason when the server drops the connection', async () => {
    const rec = recorder();
    const accepted = nextServerSocket();
    webSocketTransport({ url, WebSocket })(rec.handlers);
    await rec.opened;
    (await accepted).terminate();
    const info = await rec.closed;
    expect(info.code).toBe(1006);
    expect(info.reason).not.toBe('');
    await settle();
    expect(rec.count('close')).toBe(1);
  });

  it('reports 1006 once, never open, when nothing listens on the port', async () => {
    const port = await new Promise<number>((resolve, reject) => {
      const probe = createServer();
      probe.on('error', reject);
      probe.listen(0, '127.0.0.1', () => {
        const address = probe.address();
        if (address === null || typeof address === 'string') return reject(new Error('no port'));
        probe.close(() => resolve(address.port));
      });
    });
    const rec = recorder();
    const conn = webSocketTransport({ url: `ws://127.0.0.1:${port}/`, WebSocket })(rec.handlers);
    const info = await rec.closed;
    expect(info.code).toBe(1006);
    expect(info.reason).toContain(`could not connect to ws://127.0.0.1:${port}/`);
    expect(info.reason).toMatch(/ECONNREFUSED/);
    expect(conn.readyState).toBe('closed');
    await settle();
    expect(rec.events).toEqual([{ type: 'close', info }]);
  });

  it('explains a refused handshake (e.g. an HTTP error) in the reason', async () => {
    const rec = recorder();
    const refusing = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      verifyClient: (_info, done) => done(false, 403),
    });
    await new Promise<void>((r) => refusing.once('listening', () => r()));
    const address = refusing.address();
    if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
    try {
      webSocketTransport({ url: `ws://127.0.0.1:${address.port}/`, WebSocket })(rec.handlers);
      const info = await rec.closed;
      expect(info.code).toBe(1006);
      expect(info.reason).toMatch(/403/);
      expect(rec.count('open')).toBe(0);
    } finally {
      await new Promise<void>((r) => refusing.close(() => r()));
    }
  });

  it('closes a connecting socket without throwing, ending in one close', async () => {
    const rec = recorder();
    const conn = webSocketTransport({ url, WebSocket })(rec.handlers);
    expect(conn.readyState).toBe('connecting');
    expect(() => conn.close(1000, 'bye')).not.toThrow();
    expect(await rec.closed).toEqual({ code: 1006, reason: 'closed before the connection opened' });
    expect(conn.readyState).toBe('closed');
    expect(() => conn.close()).not.toThrow();
    await settle();
    expect(rec.events).toEqual([
      { type: 'close', info: { code: 1006, reason: 'closed before the connection opened' } },
    ]);
  });

  it('copes with implementations that throw when closing a connecting socket', async () => {
    class Throwing extends WebSocket {
      override close(code?: number, reason?: string) {
        if (this.readyState === WebSocket.CONNECTING) throw new Error('still connecting');
        super.close(code, reason);
      }
    }
    const rec = recorder();
    const accepted = nextServerSocket();
    const conn = webSocketTransport({ url, WebSocket: Throwing })(rec.handlers);
    expect(() => conn.close()).not.toThrow();
    expect(await rec.closed).toEqual({ code: 1006, reason: 'closed before the connection opened' });
    // The socket opens regardless; the transport must shut it without telling core.
    const socket = await accepted;
    await serverClose(socket);
    await settle();
    expect(rec.events).toEqual([
      { type: 'close', info: { code: 1006, reason: 'closed before the connection opened' } },
    ]);
  });

  it.each([
    [999, 1000],
    [1006, 1000],
    [1001, 1000],
    [2999, 1000],
    [5000, 1000],
    [3000.5, 1000],
    [Number.NaN, 1000],
    [1000, 1000],
    [3000, 3000],
    [4999, 4999],
  ])('maps close code %s from core to %s on the wire', async (given, sent) => {
    const rec = recorder();
    const accepted = nextServerSocket();
    const conn = webSocketTransport({ url, WebSocket })(rec.handlers);
    await rec.opened;
    const seen = serverClose(await accepted);
    expect(() => conn.close(given, 'bye')).not.toThrow();
    expect(conn.readyState).toBe('closing');
    expect(await seen).toEqual({ code: sent, reason: 'bye' });
    expect(await rec.closed).toEqual({ code: sent, reason: 'bye' });
  });

  it('closes with 1000 and no reason when core gives none', async () => {
    const rec = recorder();
    const accepted = nextServerSocket();
    const conn = webSocketTransport({ url, WebSocket })(rec.handlers);
    await rec.opened;
    const seen = serverClose(await accepted);
    conn.close();
    expect(await seen).toEqual({ code: 1000, reason: '' });
  });

  it('cuts reasons to the 123 UTF-8 bytes a close frame allows', async () => {
    const rec = recorder();
    const accepted = nextServerSocket();
    const conn = webSocketTransport({ url, WebSocket })(rec.handlers);
    await rec.opened;
    const seen = serverClose(await accepted);
    conn.close(4000, `a${'é'.repeat(200)}`);
    const { code, reason } = await seen;
    expect(code).toBe(4000);
    expect(Buffer.byteLength(reason)).toBeLessThanOrEqual(123);
    expect(reason).toBe(`a${'é'.repeat(61)}`);
  });

  it('returns false from send unless open, sending nothing', async () => {
    const rec = recorder();
    const accepted = nextServerSocket();
    const conn = webSocketTransport({ url, WebSocket })(rec.handlers);
    expect(conn.send('early')).toBe(false);
    await rec.opened;
    const socket = await accepted;
    const received: string[] = [];
    socket.on('message', (data) => received.push(data.toString()));
    conn.close(1000);
    expect(conn.send('while closing')).toBe(false);
    await rec.closed;
    expect(conn.send('late')).toBe(false);
    await settle();
    expect(received).toEqual([]);
  });

  it('closes with 1006 when the socket itself fails to send, and never reports twice', async () => {
    class BrokenSend extends WebSocket {
      override send(): void {
        throw new Error('boom');
      }
    }
    const rec = recorder();
    const accepted = nextServerSocket();
    const conn = webSocketTransport({ url, WebSocket: BrokenSend })(rec.handlers);
    await rec.opened;
    const socket = await accepted;
    const seen = serverClose(socket);
    expect(conn.send('x')).toBe(false);
    expect(await rec.closed).toEqual({ code: 1006, reason: 'send failed: boom' });
    expect(conn.readyState).toBe('closed');
    // The real socket closes after the transport reported it; that must not reach core.
    socket.send('after close');
    await seen;
    await settle();
    expect(rec.count('close')).toBe(1);
    expect(rec.count('message')).toBe(0);
  });

  it('ignores binary frames and counts them', async () => {
    const rec = recorder();
    const accepted = nextServerSocket();
    const conn = webSocketTransport({ url, WebSocket })(rec.handlers);
    await rec.opened;
    const socket = await accepted;
    socket.send(Buffer.from('{"type":"pong"}'));
    socket.send(new Uint8Array([1, 2, 3]));
    socket.send('text');
    socket.close(1000);
    await rec.closed;
    expect(rec.events.filter((e) => e.type === 'message')).toEqual([
      { type: 'message', data: 'text' },
    ]);
    expect(conn.ignoredBinaryFrames).toBe(2);
  });

  it('offers the given subprotocols', async () => {
    const rec = recorder();
    const accepted = nextServerSocket();
    webSocketTransport({ url, WebSocket, protocols: ['beckon.v1', 'beckon.v0'] })(rec.handlers);
    await rec.opened;
    expect((await accepted).protocol).toBe('beckon.v1');
  });

  it('accepts http(s) URLs and connects over ws(s)', async () => {
    const rec = recorder();
    const accepted = nextServerSocket();
    webSocketTransport({ url: new URL(url.replace('ws:', 'http:')), WebSocket })(rec.handlers);
    await rec.opened;
    await accepted;
    expect(rec.count('open')).toBe(1);
  });
});

describe('webSocketTransport with the global WebSocket', () => {
  const g = globalThis as { WebSocket?: unknown };
  let saved: { value: unknown } | undefined;
  beforeEach(() => {
    saved = 'WebSocket' in g ? { value: g.WebSocket } : undefined;
  });
  afterEach(() => {
    if (saved) g.WebSocket = saved.value;
    else delete g.WebSocket;
  });

  it('uses globalThis.WebSocket when none is injected', async () => {
    g.WebSocket = WebSocket;
    const rec = recorder();
    const accepted = nextServerSocket();
    const conn = webSocketTransport({ url })(rec.handlers);
    await rec.opened;
    const socket = await accepted;
    const received = new Promise<string>((r) => socket.once('message', (d) => r(d.toString())));
    expect(conn.send('hi')).toBe(true);
    expect(await received).toBe('hi');
  });

  it('reports a missing implementation as an asynchronous close, never a throw', async () => {
    delete g.WebSocket;
    const rec = recorder();
    const conn = webSocketTransport({ url })(rec.handlers);
    // Nothing may reach core while it is still inside its call to the transport.
    expect(rec.events).toEqual([]);
    expect(conn.readyState).toBe('closed');
    expect(conn.send('x')).toBe(false);
    expect(() => conn.close(1000)).not.toThrow();
    expect(await rec.closed).toEqual({ code: 1006, reason: NO_IMPLEMENTATION });
    await settle();
    expect(rec.events).toEqual([
      { type: 'close', info: { code: 1006, reason: NO_IMPLEMENTATION } },
    ]);
  });
});

describe('webSocketTransport with a scripted WebSocket', () => {
  /** A socket the test drives by hand, to emit events a real one would not. */
  class Scripted implements WebSocketLike {
    static last: Scripted | undefined;
    static throwOnConstruct: Error | undefined;
    static throwOnClose: Error | undefined;
    readyState = 0;
    onopen: ((event: never) => void) | null = null;
    onmessage: ((event: never) => void) | null = null;
    onerror: ((event: never) => void) | null = null;
    onclose: ((event: never) => void) | null = null;
    constructor(readonly url: string) {
      if (Scripted.throwOnConstruct) throw Scripted.throwOnConstruct;
      Scripted.last = this;
    }
    send() {}
    close() {
      if (Scripted.throwOnClose) throw Scripted.throwOnClose;
    }
    emit(type: 'open' | 'message' | 'error' | 'close', event: object = {}) {
      const handler = this[`on${type}`] as ((event: object) => void) | null;
      handler?.(event);
    }
  }
  beforeEach(() => {
    Scripted.last = undefined;
    Scripted.throwOnConstruct = undefined;
    Scripted.throwOnClose = undefined;
  });

  it('reports 1006 when an open socket refuses to close, and nothing after', () => {
    Scripted.throwOnClose = new Error('nope');
    const rec = recorder();
    const conn = webSocketTransport({ url, WebSocket: Scripted })(rec.handlers);
    const socket = Scripted.last!;
    socket.readyState = 1;
    socket.emit('open');
    expect(() => conn.close(1000, 'bye')).not.toThrow();
    expect(conn.readyState).toBe('closed');
    socket.emit('message', { data: 'late' });
    socket.emit('close', { code: 1000, reason: 'bye' });
    expect(rec.events).toEqual([
      { type: 'open' },
      { type: 'close', info: { code: 1006, reason: 'close failed: nope' } },
    ]);
  });

  it('calls no handler after close, whatever the socket emits', () => {
    const rec = recorder();
    webSocketTransport({ url, WebSocket: Scripted })(rec.handlers);
    const socket = Scripted.last!;
    socket.readyState = 1;
    socket.emit('open');
    socket.emit('message', { data: 'one' });
    socket.readyState = 3;
    socket.emit('close', { code: 4001, reason: 'token' });
    socket.emit('open');
    socket.emit('message', { data: 'two' });
    socket.emit('error', { message: 'late' });
    socket.emit('close', { code: 1006, reason: '' });
    expect(rec.events).toEqual([
      { type: 'open' },
      { type: 'message', data: 'one' },
      { type: 'close', info: { code: 4001, reason: 'token' } },
    ]);
  });

  it('reports an error after opening as 1006 with its message', () => {
    const rec = recorder();
    webSocketTransport({ url, WebSocket: Scripted })(rec.handlers);
    const socket = Scripted.last!;
    socket.emit('open');
    socket.emit('error', { message: 'Invalid WebSocket frame' });
    socket.emit('close', { code: 1002, reason: '' });
    expect(rec.events.at(-1)).toEqual({
      type: 'close',
      info: { code: 1006, reason: 'Invalid WebSocket frame' },
    });
  });

  it('gives a reason for a browser-style error without details', () => {
    const rec = recorder();
    webSocketTransport({ url, WebSocket: Scripted })(rec.handlers);
    const socket = Scripted.last!;
    socket.emit('error');
    socket.emit('close', { code: 1006, reason: '' });
    expect(rec.events).toEqual([
      {
        type: 'close',
        info: { code: 1006, reason: `could not connect to ${url}: WebSocket error` },
      },
    ]);
  });

  it('reports a throwing constructor as an asynchronous 1006 close', async () => {
    Scripted.throwOnConstruct = new Error('The port is blocked');
    const rec = recorder();
    const conn = webSocketTransport({ url: `${url}?token=secret`, WebSocket: Scripted })(
      rec.handlers,
    );
    expect(rec.events).toEqual([]);
    expect(conn.readyState).toBe('closed');
    const info = await rec.closed;
    expect(info).toEqual({
      code: 1006,
      reason: `could not connect to ${url}: The port is blocked`,
    });
    expect(info.reason).not.toContain('secret');
  });

  it('connects each attempt to a fresh socket at the normalized URL', () => {
    const transport = webSocketTransport({
      url: 'https://presence.example.com',
      WebSocket: Scripted,
    });
    transport(recorder().handlers);
    const first = Scripted.last;
    transport(recorder().handlers);
    expect(Scripted.last).not.toBe(first);
    expect(Scripted.last?.url).toBe('wss://presence.example.com/');
  });
});

describe('webSocketTransport options', () => {
  it.each([
    ['ftp://example.com/', /ws:, wss:, http: or https:/],
    ['not a url', /not a valid URL/],
    ['', /not a valid URL/],
    ['ws://example.com/#x', /fragment/],
  ])('rejects url %j', (bad, message) => {
    expect(() => webSocketTransport({ url: bad, WebSocket })).toThrow(TypeError);
    expect(() => webSocketTransport({ url: bad, WebSocket })).toThrow(message);
  });

  it('rejects a url that is not a string or URL', () => {
    const url = 42 as unknown as string;
    expect(() => webSocketTransport({ url })).toThrow(/url must be a string or a URL/);
  });

  it('rejects missing options', () => {
    const options = undefined as unknown as { url: string };
    expect(() => webSocketTransport(options)).toThrow(TypeError);
  });

  it('rejects a WebSocket option that is not a constructor', () => {
    const WebSocket = {} as unknown as WebSocketConstructor;
    expect(() => webSocketTransport({ url: 'wss://x/', WebSocket })).toThrow(
      /WebSocket must be a WebSocket constructor/,
    );
  });

  it.each([[''], ['has space'], [['ok', 'ok']], [[1 as unknown as string]]])(
    'rejects protocols %j',
    (protocols) => {
      expect(() => webSocketTransport({ url: 'wss://x/', protocols })).toThrow(TypeError);
    },
  );

  it('converts http to ws and https to wss', () => {
    for (const [given, used] of [
      ['http://h:8080/p?q=1', 'ws://h:8080/p?q=1'],
      ['https://h/p', 'wss://h/p'],
      ['WSS://H/', 'wss://h/'],
    ] as const) {
      let seen = '';
      const Capture = class {
        readyState = 0;
        onopen = null;
        onmessage = null;
        onerror = null;
        onclose = null;
        constructor(u: string) {
          seen = u;
        }
        send() {}
        close() {}
      };
      webSocketTransport({ url: given, WebSocket: Capture })(recorder().handlers);
      expect(seen).toBe(used);
    }
  });
});
