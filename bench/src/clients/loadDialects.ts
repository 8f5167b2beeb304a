import { BENCH_GROUP } from '../lib/benchGroup.js';
import type { ServerKind } from '../lib/ServerKind.js';

/**
 * How a raw socket becomes connected: `first` is sent as soon as it opens; then every frame
 * goes to `onFrame` until it says `true` (connected), a string (send it, wait for more) or an
 * `Error` (refused). Without `onFrame` the socket is connected when the upgrade completes.
 */
export interface Handshake {
  first?: string;
  onFrame?: (text: string) => true | string | Error;
}

/** The agent's view of one answered signal. */
export interface SignalAnswer {
  /** The signal's index `n`, as the agent sent it. */
  id: number;
  failed: boolean;
  code?: string;
}

/**
 * What differs between the servers, for the load clients: the same frames, written and read
 * in each server's framing, so every server pays the same client cost. Readers return
 * `undefined` for a frame that is not theirs.
 */
export interface LoadDialect {
  visitorUrl(base: string, id: string): string;
  visitorHandshake(id: string): Handshake;
  agentUrl(base: string): string;
  agentHandshake(agentToken: string | undefined): Handshake;
  /** Transport-level frames after connecting: the answer to send ('' for none), or `undefined` for a frame to pass on. */
  control?: (text: string) => string | undefined;
  /** What the agent sends and when it starts to get presence, if it has to ask. */
  watch?: { frame: string; isDone(text: string): boolean };
  /** The agent's signal number `n` to `visitorId`. */
  signal(n: number, visitorId: string): string;
  /** Visitor side: a signal's `n` and the acknowledgement to send back. */
  readSignal(text: string): { n: number; reply: string } | undefined;
  /** Agent side: the answer to signal `n`. */
  readAnswer(text: string): SignalAnswer | undefined;
  /** A visitor's presence frame carrying `data` (a JSON object's text). */
  presence(data: string): string;
  /** Agent side, cheap: is this a presence event? */
  isPresence(text: string): boolean;
  /** Agent side: a presence event's data. */
  presenceData(text: string): Record<string, string>;
}

const signalJson = (n: number) =>
  `{"type":"signal","id":${n},"name":"c_bench","properties":{"n":"${n}"}}`;

type Signal = { id: number; properties: { n: string } };
type Answer = { type: string; id?: number; code?: string };

/** Beckon's protocol (docs/protocol.md): `hello`/`welcome`, `signal` → `ack` → `delivered`. */
const beckon: LoadDialect = {
  visitorUrl: (base) => base,
  visitorHandshake: (id) => ({
    first: JSON.stringify({
      type: 'hello',
      v: 1,
      role: 'visitor',
      groupId: BENCH_GROUP,
      visitorId: id,
      visible: true,
    }),
    onFrame: welcome,
  }),
  agentUrl: (base) => base,
  agentHandshake: (token) => ({
    first: JSON.stringify({ type: 'hello', v: 1, role: 'agent', groupId: BENCH_GROUP, token }),
    onFrame: welcome,
  }),
  watch: {
    frame: '{"type":"watch","id":1}',
    isDone: (text) => text.startsWith('{"type":"ok","id":1'),
  },
  signal: (n, visitorId) =>
    `{"type":"signal","id":${n},"visitorId":"${visitorId}","name":"c_bench","properties":{"n":"${n}"}}`,
  readSignal: (text) => {
    if (!text.startsWith('{"type":"signal"')) return undefined;
    const m = JSON.parse(text) as Signal;
    // The service numbers the request itself; the visitor acknowledges that number.
    return { n: Number(m.properties.n), reply: `{"type":"ack","id":${m.id}}` };
  },
  readAnswer: (text) => {
    const m = JSON.parse(text) as Answer;
    if (typeof m.id !== 'number' || (m.type !== 'delivered' && m.type !== 'failed')) return;
    return { id: m.id, failed: m.type === 'failed', ...(m.code !== undefined && { code: m.code }) };
  },
  presence: (data) => `{"type":"presence","data":${data}}`,
  isPresence: (text) => text.startsWith('{"type":"presence"'),
  presenceData: (text) => (JSON.parse(text) as { data: Record<string, string> }).data,
};

function welcome(text: string): true | Error {
  return text.startsWith('{"type":"welcome"') ? true : new Error(`refused: ${text.slice(0, 160)}`);
}

/** The bare relay: `?id=` in the URL, `<visitorId>\n<payload>` from the agent, frames as is. */
const baseline: LoadDialect = {
  visitorUrl: (base, id) => `${base}?id=${id}`,
  visitorHandshake: () => ({}),
  agentUrl: (base) => `${base}?id=agent&role=agent`,
  agentHandshake: () => ({}),
  signal: (n, visitorId) => `${visitorId}\n${signalJson(n)}`,
  readSignal: (text) => {
    if (!text.startsWith('{"type":"signal"')) return undefined;
    const n = Number((JSON.parse(text) as Signal).properties.n);
    // Nothing numbers the request on the way: the ack carries the agent's own.
    return { n, reply: `{"type":"ack","id":${n}}` };
  },
  readAnswer: (text) => {
    const m = JSON.parse(text) as Answer;
    return m.type === 'ack' && typeof m.id === 'number' ? { id: m.id, failed: false } : undefined;
  },
  presence: beckon.presence,
  isPresence: beckon.isPresence,
  presenceData: beckon.presenceData,
};

/**
 * Socket.IO 5 over Engine.IO 4, WebSocket transport only: the server opens with `0{…}`, the
 * client connects to the main namespace with `40{auth}` and is connected on `40{"sid":…}`
 * (`44{…}` refuses); events are `42[name, …args]`, with an acknowledgement id `42<id>[…]`
 * answered by `43<id>[…]`; the server pings with `2`, answered `3`.
 */
const socketio: LoadDialect = {
  visitorUrl: engineIoUrl,
  visitorHandshake: (id) => socketIoConnect({ id }),
  agentUrl: engineIoUrl,
  agentHandshake: () => socketIoConnect({ id: 'agent', role: 'agent' }),
  control: (text) => (text === '2' ? '3' : text.charCodeAt(0) === 52 /* 4 */ ? undefined : ''),
  // The agent's ack id is the signal's number: Socket.IO leaves ack ids to the client.
  signal: (n, visitorId) => `42${n}["signal","${visitorId}",${signalJson(n)}]`,
  readSignal: (text) => {
    if (!text.startsWith('42')) return undefined;
    const open = text.indexOf('[', 2);
    const [name, m] = JSON.parse(text.slice(open)) as [string, Signal];
    if (name !== 'signal') return undefined;
    return { n: Number(m.properties.n), reply: `43${text.slice(2, open)}[]` };
  },
  readAnswer: (text) => {
    if (!text.startsWith('43')) return undefined;
    const open = text.indexOf('[', 2);
    const [a] = JSON.parse(text.slice(open)) as [Answer];
    return {
      id: Number(text.slice(2, open)),
      failed: a.type !== 'delivered',
      ...(a.code !== undefined && { code: a.code }),
    };
  },
  presence: (data) => `42["presence",${data}]`,
  isPresence: (text) => text.startsWith('42["presence"'),
  presenceData: (text) =>
    (JSON.parse(text.slice(2)) as [string, { data: Record<string, string> }])[1].data,
};

function engineIoUrl(base: string): string {
  return `${base}socket.io/?EIO=4&transport=websocket`;
}

function socketIoConnect(auth: Record<string, string>): Handshake {
  return {
    onFrame: (text) => {
      if (text.startsWith('0{')) return `40${JSON.stringify(auth)}`;
      if (text.startsWith('40')) return true;
      return new Error(`refused: ${text.slice(0, 160)}`);
    },
  };
}

/**
 * The load clients' dialect for each server.
 *
 * @example
 * const d = loadDialects.socketio;
 * ws.send(d.signal(7, 'v42')); // 427["signal","v42",{"type":"signal","id":7,…}]
 */
export const loadDialects: Readonly<Record<ServerKind, LoadDialect>> = {
  beckon,
  socketio,
  baseline,
};
