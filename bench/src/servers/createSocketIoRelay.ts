import { createServer } from 'node:http';
import { Server, type Socket } from 'socket.io';

/** The room every agent joins: presence goes to it. */
const AGENTS = 'agents';
/** As long as Beckon waits for a visitor's `ack` before it answers `failed` (its default). */
const ACK_TIMEOUT_MS = 10_000;

/** What an agent learns about one signal, in its acknowledgement. */
export type SignalAnswer = { type: 'delivered' } | { type: 'failed'; code: 'offline' | 'timeout' };

export interface SocketIoRelayOptions {
  /** 0 (default) for a free port. */
  port?: number;
  /**
   * Engine.IO's heartbeat: a ping every `intervalMs`, the socket closed when its pong is
   * `timeoutMs` late. Socket.IO's defaults (25 s, 20 s) unless a test wants to see one.
   */
  heartbeat?: { intervalMs: number; timeoutMs: number };
}

export interface SocketIoRelay {
  port: number;
  io: Server;
  /** Open Engine.IO connections. */
  connections(): number;
  /** Disconnects everyone and closes the HTTP server. */
  close(): Promise<void>;
}

/**
 * The Socket.IO 4 peer of the bare relay, written as a Socket.IO app would be: a client
 * connects with `auth: { id }` (`role: 'agent'` for the agent) over the WebSocket transport
 * only, with the same 64 KiB frame cap and no compression as the other two servers. Each
 * visitor joins a room named after its id. An agent emits `signal(visitorId, payload, ack)`:
 * the payload goes to that room with an acknowledgement, and the agent's `ack` gets
 * `{ type: 'delivered' }` once the visitor acknowledged, or `failed` (`offline`: nobody in the
 * room; `timeout`: no answer in 10 s). A visitor's `presence(data)` goes to every agent as
 * `presence({ visitorId, data })`.
 *
 * @example
 * const relay = await createSocketIoRelay({ port: 0 });
 * console.log(`ws://127.0.0.1:${relay.port}/socket.io/?EIO=4&transport=websocket`);
 * await relay.close();
 */
export async function createSocketIoRelay(
  options: SocketIoRelayOptions = {},
): Promise<SocketIoRelay> {
  const http = createServer((_, res) => {
    res.writeHead(404);
    res.end();
  });
  const io = new Server(http, {
    transports: ['websocket'],
    perMessageDeflate: false,
    httpCompression: false,
    maxHttpBufferSize: 65_536,
    serveClient: false,
    ...(options.heartbeat && {
      pingInterval: options.heartbeat.intervalMs,
      pingTimeout: options.heartbeat.timeoutMs,
    }),
  });

  io.use((socket, next) => {
    const { id } = socket.handshake.auth as { id?: unknown };
    if (typeof id === 'string' && id !== '') next();
    else next(new Error('auth.id must be a non-empty string'));
  });

  io.on('connection', (socket: Socket) => {
    const { id, role } = socket.handshake.auth as { id: string; role?: unknown };
    if (role === 'agent') {
      void socket.join(AGENTS);
      socket.on('signal', (visitorId: unknown, payload: unknown, ack: unknown) => {
        if (typeof ack !== 'function') return;
        const answer = ack as (a: SignalAnswer) => void;
        if (typeof visitorId !== 'string') {
          answer({ type: 'failed', code: 'offline' });
          return;
        }
        io.to(visitorId)
          .timeout(ACK_TIMEOUT_MS)
          .emit('signal', payload, (error: Error | null, replies: unknown[]) => {
            if (error) answer({ type: 'failed', code: 'timeout' });
            else if (replies.length === 0) answer({ type: 'failed', code: 'offline' });
            else answer({ type: 'delivered' });
          });
      });
      return;
    }
    void socket.join(id);
    socket.on('presence', (data: unknown) => {
      io.to(AGENTS).emit('presence', { visitorId: id, data });
    });
  });

  await new Promise<void>((resolve) => http.listen(options.port ?? 0, '127.0.0.1', resolve));
  const address = http.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    io,
    connections: () => io.engine.clientsCount,
    close: () => new Promise<void>((resolve) => io.close(() => resolve())),
  };
}
