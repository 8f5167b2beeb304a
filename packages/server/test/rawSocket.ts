import { connect, type Socket } from 'node:net';
import { afterEach } from 'vitest';

const open = new Set<Socket>();
afterEach(() => {
  for (const s of open) s.destroy();
  open.clear();
});

/** A TCP client that speaks only as much HTTP and WebSocket as a test needs, and can misbehave. */
export interface RawSocket {
  readonly socket: Socket;
  /** Everything received so far. */
  readonly received: () => Buffer;
  /** Resolves when the server closed or destroyed the connection, with the time it took. */
  readonly ended: Promise<number>;
  write(data: string | Buffer): void;
  /** Sends the upgrade request and resolves once the `101` response arrived. */
  upgrade(path?: string): Promise<void>;
  /** Sends one masked text frame, as a browser would. */
  sendText(text: string): void;
  /** Sends the first bytes of a frame announcing `length` bytes, then nothing more. */
  stallMidFrame(length?: number): void;
  /** Resolves with the code of the close frame the server sent, once one arrived. */
  closeFrame(timeoutMs?: number): Promise<number>;
  /** Resolves once `text` appears in what was received. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
}

function frame(payload: Buffer, length = payload.length): Buffer {
  const mask = Buffer.from([1, 2, 3, 4]);
  const header =
    length < 126
      ? Buffer.from([0x81, 0x80 | length])
      : Buffer.from([0x81, 0x80 | 126, length >> 8, length & 0xff]);
  const body = Buffer.from(payload.map((b, i) => b ^ (mask[i % 4] as number)));
  return Buffer.concat([header, mask, body]);
}

/** The complete frames in what a server sent (server frames are not masked). */
function serverFrames(data: Buffer): { opcode: number; payload: Buffer }[] {
  const out: { opcode: number; payload: Buffer }[] = [];
  let at = 0;
  while (at + 2 <= data.length) {
    const opcode = (data[at] as number) & 0x0f;
    let length = (data[at + 1] as number) & 0x7f;
    let start = at + 2;
    if (length === 126) {
      if (start + 2 > data.length) break;
      length = data.readUInt16BE(start);
      start += 2;
    } else if (length === 127) {
      if (start + 8 > data.length) break;
      length = Number(data.readBigUInt64BE(start));
      start += 8;
    }
    if (start + length > data.length) break;
    out.push({ opcode, payload: data.subarray(start, start + length) });
    at = start + length;
  }
  return out;
}

/**
 * Opens a TCP connection to the server's port.
 *
 * @example
 * const raw = await rawSocket(server.port);
 * await raw.upgrade();
 * raw.sendText(JSON.stringify({ type: 'ping' }));
 */
export function rawSocket(port: number): Promise<RawSocket> {
  const socket = connect(port, '127.0.0.1');
  open.add(socket);
  socket.on('error', () => {});
  let data = Buffer.alloc(0);
  const listeners = new Set<() => void>();
  socket.on('data', (chunk: Buffer) => {
    data = Buffer.concat([data, chunk]);
    for (const l of [...listeners]) l();
  });
  const startedAt = Date.now();
  const ended = new Promise<number>((resolve) => {
    socket.once('close', () => resolve(Date.now() - startedAt));
  });
  const until = (check: () => boolean, what: string, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const done = () => {
        if (!check()) return false;
        listeners.delete(onData);
        clearTimeout(timer);
        resolve();
        return true;
      };
      const onData = () => {
        done();
      };
      const timer = setTimeout(() => {
        listeners.delete(onData);
        reject(new Error(`no ${what} within ${timeoutMs} ms; got ${data.toString('latin1')}`));
      }, timeoutMs);
      if (!done()) listeners.add(onData);
    });

  const raw: RawSocket = {
    socket,
    received: () => data,
    ended,
    write: (chunk) => {
      socket.write(chunk);
    },
    async upgrade(path = '/') {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
      await until(() => data.includes('\r\n\r\n'), 'upgrade response', 3_000);
      if (!data.toString('latin1').startsWith('HTTP/1.1 101')) {
        throw new Error(`upgrade refused: ${data.toString('latin1')}`);
      }
      data = data.subarray(data.indexOf('\r\n\r\n') + 4);
    },
    sendText(text) {
      socket.write(frame(Buffer.from(text)));
    },
    stallMidFrame(length = 100) {
      socket.write(frame(Buffer.from('{"ty'), length).subarray(0, 10));
    },
    async closeFrame(timeoutMs = 3_000) {
      let code: number | undefined;
      await until(
        () => {
          code = serverFrames(data)
            .find((f) => f.opcode === 8)
            ?.payload.readUInt16BE(0);
          return code !== undefined;
        },
        'close frame',
        timeoutMs,
      );
      return code as number;
    },
    waitFor: (text, timeoutMs = 3_000) =>
      until(() => data.includes(text), JSON.stringify(text), timeoutMs),
  };
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(raw));
    socket.once('error', reject);
  });
}
