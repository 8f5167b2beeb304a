import fc from 'fast-check';

/** How a tab answers `showTerms` and `signal`: acknowledge, acknowledge as busy, or never. */
export type Acks = 'ack' | 'busy' | 'mute';

/**
 * One step of a randomised run, as plain data so a failing run can be kept as a regression
 * test. Visitors and agents are named by index into fixed sets; `tab: n` is the n-th open
 * tab of the visitor, oldest first (modulo how many it has; a no-op when it has none).
 */
export type Command =
  /** A new tab (connection) of a visitor opens and says hello. */
  | { type: 'connect'; visitor: number; visible: boolean; acks: Acks }
  | { type: 'presence'; visitor: number; tab: number; page: number }
  | { type: 'visibility'; visitor: number; tab: number; visible: boolean }
  /** A custom `c_` signal to agents: activity, like presence. */
  | { type: 'signal'; visitor: number; tab: number }
  | { type: 'session'; visitor: number; tab: number; start: boolean }
  /** The tab closes cleanly. */
  | { type: 'close'; visitor: number; tab: number }
  /** The tab's link dies (no close frame). */
  | { type: 'drop'; visitor: number; tab: number }
  /** An agent sends `showTerms` or `signal` to a visitor. */
  | { type: 'request'; agent: number; visitor: number; kind: 'showTerms' | 'signal' }
  /** An agent's link dies; it reconnects by itself and lists the group again. */
  | { type: 'agentDrop'; agent: number }
  /** Time passes on the service's clock. */
  | { type: 'tick'; ms: number }
  /** The service restarts with nothing remembered: drained (4100) or killed. */
  | { type: 'restart'; mode: 'drain' | 'kill' };

export const VISITORS = 3;
export const AGENTS = 2;

// Multiples of 10 ms, while the service's timers are not: two timers never fall due at the
// same instant, so the order they fire in never decides an outcome.
export const TIMINGS = { graceMs: 307, awayAfterMs: 1_013, ackTimeoutMs: 701 } as const;
const TICKS = [10, 100, 250, 400] as const;

const index = (n: number) => fc.integer({ min: 0, max: n - 1 });
const tab = fc.nat({ max: 3 });
const visitor = index(VISITORS);

/**
 * Random steps, weighted towards what visitors do most.
 *
 * @example
 * fc.assert(fc.asyncProperty(commands(40), (cmds) => run(cmds)));
 */
export function commands(maxLength: number): fc.Arbitrary<Command[]> {
  const command: fc.Arbitrary<Command> = fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({
        type: fc.constant('connect' as const),
        visitor,
        visible: fc.boolean(),
        acks: fc.constantFrom<Acks>('ack', 'ack', 'busy', 'mute'),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        type: fc.constant('presence' as const),
        visitor,
        tab,
        page: fc.nat({ max: 9 }),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        type: fc.constant('visibility' as const),
        visitor,
        tab,
        visible: fc.boolean(),
      }),
    },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('signal' as const), visitor, tab }) },
    {
      weight: 1,
      arbitrary: fc.record({
        type: fc.constant('session' as const),
        visitor,
        tab,
        start: fc.boolean(),
      }),
    },
    { weight: 2, arbitrary: fc.record({ type: fc.constant('close' as const), visitor, tab }) },
    { weight: 2, arbitrary: fc.record({ type: fc.constant('drop' as const), visitor, tab }) },
    {
      weight: 4,
      arbitrary: fc.record({
        type: fc.constant('request' as const),
        agent: index(AGENTS),
        visitor,
        kind: fc.constantFrom('showTerms' as const, 'signal' as const),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ type: fc.constant('agentDrop' as const), agent: index(AGENTS) }),
    },
    {
      weight: 3,
      arbitrary: fc.record({ type: fc.constant('tick' as const), ms: fc.constantFrom(...TICKS) }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        type: fc.constant('restart' as const),
        mode: fc.constantFrom('drain' as const, 'kill' as const),
      }),
    },
  );
  return fc.array(command, { minLength: 1, maxLength, size: 'max' });
}
