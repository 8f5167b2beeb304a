/**
 * The child side of the bench's process protocol. The orchestrator forks every server and
 * load process with an IPC channel and sends `{ id, cmd, args }`; the child answers
 * `{ id, ok: true, result }` or `{ id, ok: false, error }`. Unsolicited `{ event }` messages
 * announce readiness. A child whose parent goes away exits, so no run leaves orphans.
 */

/** A command handler: takes the command's arguments, returns a JSON-serialisable result. */
export type Handler = (args: Record<string, unknown>) => unknown;

/**
 * Answers the orchestrator's commands with `handlers`; exits when the IPC channel closes.
 *
 * @example
 * serveRpc({ stats: () => process.memoryUsage() });
 * announce('ready', { port: 8080 });
 */
export function serveRpc(handlers: Record<string, Handler>): void {
  if (!process.send) throw new Error('bench child processes must be forked with an IPC channel');
  process.on('disconnect', () => process.exit(0));
  process.on('message', (raw: unknown) => {
    const msg = raw as { id?: unknown; cmd?: unknown; args?: unknown };
    if (typeof msg?.id !== 'number' || typeof msg.cmd !== 'string') return;
    const id = msg.id;
    const handler = handlers[msg.cmd];
    const reply = (body: Record<string, unknown>) => {
      if (process.connected) process.send?.({ id, ...body });
    };
    if (!handler) {
      reply({ ok: false, error: `unknown command ${msg.cmd}` });
      return;
    }
    Promise.resolve()
      .then(() => handler((msg.args ?? {}) as Record<string, unknown>))
      .then(
        (result) => reply({ ok: true, result }),
        (error: unknown) =>
          reply({ ok: false, error: error instanceof Error ? error.message : String(error) }),
      );
  });
}

/**
 * Sends an unsolicited event to the orchestrator.
 *
 * @example
 * announce('ready', { port: server.port });
 */
export function announce(event: string, data: Record<string, unknown> = {}): void {
  if (process.connected) process.send?.({ event, ...data });
}

/**
 * Resolves after `ms` milliseconds.
 *
 * @example
 * await sleep(100);
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
