/**
 * The servers scenarios 1–3 run against: Beckon, its Socket.IO 4 peer, and the bare `ws`
 * relay (`baseline`, the limit). Results files from before the Socket.IO peer have only
 * `beckon` and `baseline` runs.
 */
export type ServerKind = 'beckon' | 'socketio' | 'baseline';

/** All three, in the order the report shows them. */
export const SERVER_KINDS: readonly ServerKind[] = ['beckon', 'socketio', 'baseline'];

/** How the report names each. */
export const SERVER_LABELS: Readonly<Record<ServerKind, string>> = {
  beckon: 'Beckon',
  socketio: 'Socket.IO',
  baseline: 'Bare relay',
};
