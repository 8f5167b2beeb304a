import type { Command } from './commands.js';

/**
 * Runs the randomised model test failed on, as fast-check shrank them, kept so each is
 * replayed against every target on every test run. Add the `commands run` of a failure here
 * (with a line on what it found) once it is fixed. "Mutation" entries are what the test
 * shrank a deliberately broken service to: they pin down rules a random run meets rarely.
 */
export const REGRESSIONS: { found: string; commands: Command[] }[] = [
  {
    found: 'agents kept a focused connection for a visitor whose last one had dropped',
    commands: [
      { type: 'connect', visitor: 0, visible: false, acks: 'ack' },
      { type: 'drop', visitor: 0, tab: 0 },
    ],
  },
  {
    found: "the agent's view showed an away visitor as present",
    commands: [
      { type: 'connect', visitor: 0, visible: false, acks: 'ack' },
      { type: 'visibility', visitor: 0, tab: 0, visible: false },
    ],
  },
  {
    found: 'mutation: focus passed to the oldest of the tabs left, not the most recently active',
    commands: [
      { type: 'connect', visitor: 1, visible: false, acks: 'ack' },
      { type: 'connect', visitor: 1, visible: false, acks: 'ack' },
      { type: 'connect', visitor: 1, visible: false, acks: 'ack' },
      { type: 'close', visitor: 1, tab: 2 },
      { type: 'connect', visitor: 0, visible: false, acks: 'ack' },
    ],
  },
  {
    found:
      'harness: the epoch of a request re-sent after its tab dropped was checked before it was learned',
    commands: [
      { type: 'connect', visitor: 1, visible: false, acks: 'ack' },
      { type: 'connect', visitor: 1, visible: false, acks: 'mute' },
      { type: 'request', agent: 0, visitor: 1, kind: 'showTerms' },
      { type: 'drop', visitor: 1, tab: 1 },
      { type: 'connect', visitor: 0, visible: false, acks: 'ack' },
    ],
  },
];
