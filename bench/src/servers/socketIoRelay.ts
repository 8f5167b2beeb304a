/**
 * The Socket.IO 4 peer, as a process: the same relay as the bare one (a room per visitor,
 * acknowledgements for signals) written the way a Socket.IO app would write it
 * (`createSocketIoRelay.ts`), next to Beckon and the bare relay in every scenario.
 */

import { createSocketIoRelay } from './createSocketIoRelay.js';
import { benchConfig, hostServer } from './hostServer.js';

const config = benchConfig<{ port?: number }>();
const relay = await createSocketIoRelay({ port: config.port ?? 0 });

hostServer({
  port: relay.port,
  connections: relay.connections,
  drain: async () => {
    relay.io.disconnectSockets(true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await relay.close();
  },
});
