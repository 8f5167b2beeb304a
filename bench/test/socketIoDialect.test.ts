import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { loadDialects } from '../src/clients/loadDialects.js';
import { listenSocket, openSocket } from '../src/clients/openSocket.js';
import { createSocketIoRelay, type SocketIoRelay } from '../src/servers/createSocketIoRelay.js';

// The load clients' `socketio` dialect (Engine.IO 4 / Socket.IO 5 framing written by hand over
// raw `ws`) against the real Socket.IO 4 server of the benchmark's relay: if the framing were
// wrong, the benchmark would measure errors, not Socket.IO.
const d = loadDialects.socketio;
const HEARTBEAT = { intervalMs: 40, timeoutMs: 60 };
let relay: SocketIoRelay;
let base: string;
const open: WebSocket[] = [];

beforeAll(async () => {
  relay = await createSocketIoRelay({ port: 0, heartbeat: HEARTBEAT });
  base = `ws://127.0.0.1:${relay.port}/`;
});

afterAll(async () => {
  for (const ws of open) ws.terminate();
  await relay.close();
});

/** Connects with the dialect's handshake and collects every data frame it then receives. */
async function connect(kind: 'visitor' | 'agent', id = 'v1') {
  const ws =
    kind === 'agent'
      ? await openSocket(d.agentUrl(base), d.agentHandshake(undefined), 5_000)
      : await openSocket(d.visitorUrl(base, id), d.visitorHandshake(id), 5_000);
  open.push(ws);
  const frames: string[] = [];
  const waiters: (() => void)[] = [];
  listenSocket(ws, d, (text) => {
    frames.push(text);
    for (const w of waiters.splice(0)) w();
  });
  /** The next frame that `match` accepts, received from now on or already. */
  const next = async (match: (text: string) => boolean): Promise<string> => {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const i = frames.findIndex(match);
      if (i >= 0) return frames.splice(i, 1)[0] as string;
      if (Date.now() > deadline) throw new Error(`no matching frame; got ${frames.join(' | ')}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  };
  return { ws, frames, next };
}

describe('the socketio load dialect against a real Socket.IO 4 server', () => {
  it('connects to the main namespace with auth, and is refused without it', async () => {
    const { ws } = await connect('visitor', 'v-connect');
    expect(relay.connections()).toBeGreaterThanOrEqual(1);
    expect(ws.readyState).toBe(ws.OPEN);
    // The relay's middleware refuses an empty id with a CONNECT_ERROR (44{…}).
    await expect(openSocket(d.visitorUrl(base, ''), d.visitorHandshake(''), 5_000)).rejects.toThrow(
      /refused: 44\{"message":"auth.id must be a non-empty string"/,
    );
  });

  it('relays a signal to the visitor’s room and the visitor’s ack back as `delivered`', async () => {
    const visitor = await connect('visitor', 'v-signal');
    const agent = await connect('agent');
    agent.ws.send(d.signal(7, 'v-signal'));

    const frame = await visitor.next((t) => d.readSignal(t) !== undefined);
    // An event with an acknowledgement id: 42<id>["signal",{…}].
    expect(frame).toMatch(/^42\d+\["signal",\{"type":"signal","id":7,/);
    const signal = d.readSignal(frame);
    expect(signal?.n).toBe(7);
    expect(signal?.reply).toBe(`43${/^42(\d+)/.exec(frame)?.[1]}[]`);
    visitor.ws.send(signal?.reply ?? '');

    const answer = await agent.next((t) => d.readAnswer(t) !== undefined);
    expect(answer).toBe('437[{"type":"delivered"}]');
    expect(d.readAnswer(answer)).toEqual({ id: 7, failed: false });
  });

  it('answers `failed` (offline) for a visitor nobody is connected as', async () => {
    const agent = await connect('agent');
    agent.ws.send(d.signal(8, 'nobody'));
    const answer = await agent.next((t) => d.readAnswer(t) !== undefined);
    expect(d.readAnswer(answer)).toEqual({ id: 8, failed: true, code: 'offline' });
  });

  it('relays presence to the agents with the visitor’s id', async () => {
    const visitor = await connect('visitor', 'v-presence');
    const agent = await connect('agent');
    visitor.ws.send(d.presence('{"url":"/cart","c_n":"3"}'));
    const event = await agent.next((t) => d.isPresence(t));
    expect(event).toBe(
      '42["presence",{"visitorId":"v-presence","data":{"url":"/cart","c_n":"3"}}]',
    );
    expect(d.presenceData(event)).toEqual({ url: '/cart', c_n: '3' });
  });

  it('answers the server’s pings, so the server keeps the socket; a silent one is dropped', async () => {
    const { ws, frames } = await connect('visitor', 'v-ping');
    const pings: string[] = [];
    const pongs: string[] = [];
    ws.on('message', (data) => {
      if (data.toString() === '2') pings.push('2');
    });
    const send = ws.send.bind(ws);
    ws.send = ((data: string, ...rest: never[]) => {
      if (data === '3') pongs.push(data);
      return send(data, ...rest);
    }) as typeof ws.send;

    // A socket that never answers, with the same handshake.
    const silent = await openSocket(
      d.visitorUrl(base, 'v-silent'),
      d.visitorHandshake('v-silent'),
      5_000,
    );
    open.push(silent);
    const silentClosed = new Promise<number>((resolve) => silent.on('close', resolve));

    await new Promise((resolve) =>
      setTimeout(resolve, (HEARTBEAT.intervalMs + HEARTBEAT.timeoutMs) * 5),
    );
    expect(pings.length).toBeGreaterThanOrEqual(3);
    expect(pongs.length).toBe(pings.length);
    expect(ws.readyState).toBe(ws.OPEN);
    // Pings never reach the scenario's handlers.
    expect(frames).not.toContain('2');
    await expect(silentClosed).resolves.toBeGreaterThan(0);
  });
});
