import { type RawData, WebSocket } from 'ws';
import type { Handshake, LoadDialect } from './loadDialects.js';

/**
 * Opens one raw `ws` socket and runs a dialect's handshake on it; resolves once connected in
 * the dialect's sense, rejects on refusal, close, error or `timeoutMs`.
 *
 * @example
 * const ws = await openSocket(d.visitorUrl(url, 'v1'), d.visitorHandshake('v1'), 5_000);
 */
export function openSocket(
  url: string,
  handshake: Handshake,
  timeoutMs: number,
): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    let settled = false;
    const onFrame = (data: RawData) => {
      const step = handshake.onFrame?.(data.toString());
      if (step === true) finish();
      else if (step instanceof Error) finish(step);
      else if (step !== undefined) ws.send(step);
    };
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.off('message', onFrame);
      if (error) {
        ws.terminate();
        reject(error);
      } else resolve(ws);
    };
    const timer = setTimeout(() => finish(new Error('connect timed out')), timeoutMs);
    // Stays installed: a later error must not become an uncaught exception.
    ws.on('error', (error) => finish(error));
    ws.on('close', (code) => finish(new Error(`closed with ${code} while connecting`)));
    // Before `open`: a server that speaks first (Engine.IO) must not be missed.
    if (handshake.onFrame) ws.on('message', onFrame);
    ws.on('open', () => {
      if (handshake.first !== undefined) ws.send(handshake.first);
      if (!handshake.onFrame) finish();
    });
  });
}

/**
 * Hands every data frame of a connected socket to `deliver`, and answers the dialect's
 * transport frames (Engine.IO's pings) itself.
 *
 * @example
 * listenSocket(ws, loadDialects.socketio, (text) => console.log(text));
 */
export function listenSocket(
  ws: WebSocket,
  dialect: LoadDialect,
  deliver: (text: string) => void,
): void {
  const { control } = dialect;
  ws.on(
    'message',
    control
      ? (data: RawData) => {
          const text = data.toString();
          const answer = control(text);
          if (answer === undefined) deliver(text);
          else if (answer !== '') ws.send(answer);
        }
      : (data: RawData) => deliver(data.toString()),
  );
}
