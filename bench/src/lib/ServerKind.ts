/** The two servers every scenario runs against: Beckon, and the bare `ws` relay. */
export type ServerKind = 'beckon' | 'baseline';

/** Both, in the order a run alternates them. */
export const SERVER_KINDS: readonly ServerKind[] = ['beckon', 'baseline'];
