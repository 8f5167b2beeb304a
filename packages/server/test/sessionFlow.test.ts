import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { METRIC_NAMES, type SessionPeer } from '../src/index.js';
import { ViewerFlow } from '../src/session/viewerFlow.js';
import { connectAgent, connectVisitor, type Frame, startServer, TestClient } from './utils.js';

const LIMITS = { highWaterBytes: 1_000, maxBufferedBytes: 4_000 };

describe('the flow rule for one viewer', () => {
  it('sends everything while the viewer keeps up', () => {
    const flow = new ViewerFlow(LIMITS);
    for (const kind of ['snapshot', 'delta', 'transient'] as const) {
      expect(flow.decide(kind, 0, 0).send).toBe(true);
    }
  });

  it('drops pointer moves, never changes, past the high-water mark', () => {
    const flow = new ViewerFlow(LIMITS);
    expect(flow.decide('transient', 0, 2_000)).toMatchObject({ send: false, dropped: true });
    expect(flow.decide('delta', 0, 2_000).send).toBe(true);
    expect(flow.decide('delta', 1, 3_000).send).toBe(true);
  });

  it('resyncs past the bound instead of queuing: skips until a snapshot once drained', () => {
    const flow = new ViewerFlow(LIMITS);
    expect(flow.decide('delta', 0, 5_000)).toMatchObject({ send: false, resync: true });
    expect(flow.decide('delta', 1, 5_000).send).toBe(false);
    expect(flow.decide('delta', 0, 100).send).toBe(false);
    // Still too full for the snapshot: it waits for the next one.
    expect(flow.decide('snapshot', 0, 2_000).send).toBe(false);
    expect(flow.shouldAsk(2_000)).toBe(false);
    expect(flow.shouldAsk(500)).toBe(true);
    flow.asked = true;
    expect(flow.shouldAsk(500)).toBe(false);
    expect(flow.decide('snapshot', 0, 500).send).toBe(true);
    expect(flow.decide('snapshot', 1, 500).send).toBe(true);
    expect(flow.decide('delta', 0, 500).send).toBe(true);
  });

  it('cuts a message being sent only far past the bound', () => {
    const flow = new ViewerFlow(LIMITS);
    expect(flow.decide('snapshot', 0, 0).send).toBe(true);
    expect(flow.decide('snapshot', 1, 7_000).send).toBe(true);
    expect(flow.decide('snapshot', 2, 9_000)).toMatchObject({ send: false, resync: true });
  });
});

/** A viewer whose queue the test fills: an in-process peer reporting `bufferedAmount`. */
function slowViewer() {
  const frames: Frame[] = [];
  let listener: (data: string) => void = () => {};
  let closed: { code: number; reason: string } | undefined;
  const peer: SessionPeer & { buffered: number } = {
    buffered: 0,
    get bufferedAmount() {
      return this.buffered;
    },
    send: (text) => frames.push(JSON.parse(text) as Frame),
    close: (code, reason) => {
      closed = { code, reason };
    },
    onMessage: (l) => {
      listener = l as (data: string) => void;
    },
    onClose: () => {},
  };
  return {
    peer,
    frames,
    say: (frame: Frame) => listener(JSON.stringify(frame)),
    closed: () => closed,
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('a viewer that cannot keep up', () => {
  it('loses pointer moves, keeps every change, and past the bound is resynced with a fresh snapshot', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk, _encoding, done) {
          for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
          done();
        },
      }),
    );
    const server = await startServer({
      logger,
      sessionBuffer: { highWaterBytes: 1_000, maxBufferedBytes: 4_000 },
    });
    const tab = await connectVisitor(server, 'alice');
    tab.send({ type: 'sessionStart', sessionKey: 'alice', presenceStart: true });
    tab.send({ type: 'sessionTicket', sessionKey: 'alice' });
    const host = await TestClient.open(server.sessionUrl);
    host.send({ type: 'hello', v: 1, ticket: (await tab.take('sessionTicket')).ticket });
    await host.take('welcome');

    const agent = await connectAgent(server);
    const reply = await agent.request({ type: 'joinSession', sessionKey: 'alice' });
    const viewer = slowViewer();
    server.hub.acceptSession(viewer.peer);
    viewer.say({ type: 'hello', v: 1, ticket: reply.ticket });
    await settle();
    expect(viewer.frames[0]).toMatchObject({ type: 'welcome', role: 'viewer', visitorId: 'alice' });
    await host.take('resync');

    let seq = 0;
    const send = (kind: string, data = 'x') =>
      host.send({ type: 'chunk', seq: seq++, part: 0, parts: 1, kind, data });
    const chunks = () => viewer.frames.filter((f) => f.type === 'chunk').map((f) => f.kind);

    send('snapshot');
    send('transient');
    await settle();
    expect(chunks()).toEqual(['snapshot', 'transient']);

    // Behind: pointer moves are dropped, changes still go out.
    viewer.peer.buffered = 2_000;
    send('transient');
    send('delta');
    await settle();
    expect(chunks()).toEqual(['snapshot', 'transient', 'delta']);
    expect(server.metrics.get(METRIC_NAMES.sessionDropped, { kind: 'transient' })).toBe(1);

    // Past the bound: nothing more is queued; the viewer is told to resync.
    viewer.peer.buffered = 10_000;
    send('delta');
    send('delta');
    await settle();
    expect(chunks()).toEqual(['snapshot', 'transient', 'delta']);
    expect(viewer.frames.at(-1)).toMatchObject({ type: 'resync' });

    // Drained: the host is asked for a snapshot, and the viewer starts again from it.
    viewer.peer.buffered = 0;
    expect(await host.take('resync')).toMatchObject({ reason: 'a viewer is behind' });
    send('delta');
    send('snapshot');
    send('delta');
    await settle();
    expect(chunks()).toEqual(['snapshot', 'transient', 'delta', 'snapshot', 'delta']);
    expect(server.metrics.get(METRIC_NAMES.sessionResyncs, { reason: 'behind' })).toBe(1);

    // The audit trail: who started, who joined, and how it ended.
    tab.send({ type: 'sessionEnd', reason: 'done' });
    await settle();
    expect(viewer.frames.at(-1)).toMatchObject({ type: 'ended', reason: 'done' });
    expect(viewer.closed()?.code).toBe(4010);
    expect((await host.closeInfo()).code).toBe(4010);
    const audit = lines.filter((l) => l.audit === 'session').map((l) => l.msg);
    expect(audit).toEqual(
      expect.arrayContaining([
        'session started',
        'session ticket issued to agent',
        'session host connected',
        'session joined',
        'session ended',
      ]),
    );
    expect(lines.find((l) => l.msg === 'session ended')).toMatchObject({
      group: 'shop',
      visitorId: 'alice',
      sessionKey: 'alice',
      reason: 'done',
      by: 'visitor',
    });
    expect(lines.find((l) => l.msg === 'session joined')).toMatchObject({ agentId: 'agent-1' });
  });

  it('ends the session for its viewers when the visitor is gone for good', async () => {
    const server = await startServer({ graceMs: 100 });
    const tab = await connectVisitor(server, 'alice');
    tab.send({ type: 'sessionStart', sessionKey: 'alice', presenceStart: true });
    const agent = await connectAgent(server);
    const reply = await agent.request({ type: 'joinSession', sessionKey: 'alice' });
    const viewer = await TestClient.open(server.sessionUrl);
    viewer.send({ type: 'hello', v: 1, ticket: reply.ticket });
    expect(await viewer.take('welcome')).toMatchObject({ hostConnected: false });
    tab.ws.close();
    expect(await viewer.take('ended')).toEqual({ type: 'ended', reason: 'the visitor left' });
    expect((await viewer.closeInfo()).code).toBe(4010);
  });
});
