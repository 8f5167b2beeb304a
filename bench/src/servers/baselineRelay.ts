/**
 * The baseline: the least a relay can do with plain `ws`, no protocol at all. Clients
 * connect with `?id=<id>` (`&role=agent` for the agent). An agent frame is
 * `<visitorId>\n<payload>`: the payload goes to that visitor as is. Any visitor frame goes
 * to the agent as is. It parses nothing and validates nothing, so it is the ceiling Beckon's
 * figures are held against.
 */
import { createServer } from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';
import { benchConfig, hostServer } from './hostServer.js';

const config = benchConfig<{ port?: number }>();
const visitors = new Map<string, WebSocket>();
let agent: WebSocket | undefined;

const http = createServer((_, res) => {
  res.writeHead(404);
  res.end();
});
// The same frame cap and no compression, as the Beckon server.
const wss = new WebSocketServer({ server: http, maxPayload: 65_536, perMessageDeflate: false });

wss.on('connection', (ws, req) => {
  const query = new URL(req.url ?? '/', 'http://relay').searchParams;
  const id = query.get('id') ?? '';
  ws.on('error', () => ws.terminate());
  if (query.get('role') === 'agent') {
    agent = ws;
    ws.on('message', (data) => {
      const text = data.toString();
      const nl = text.indexOf('\n');
      visitors.get(text.slice(0, nl))?.send(text.slice(nl + 1));
    });
    ws.on('close', () => {
      if (agent === ws) agent = undefined;
    });
    return;
  }
  visitors.set(id, ws);
  ws.on('message', (data) => agent?.send(data.toString()));
  ws.on('close', () => {
    if (visitors.get(id) === ws) visitors.delete(id);
  });
});

await new Promise<void>((resolve) => http.listen(config.port ?? 0, '127.0.0.1', resolve));
const address = http.address();

hostServer({
  port: typeof address === 'object' && address ? address.port : 0,
  connections: () => wss.clients.size,
  drain: async () => {
    for (const ws of wss.clients) ws.close(1001, 'going away');
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const ws of wss.clients) ws.terminate();
    http.close();
  },
});
