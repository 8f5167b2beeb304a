import { assign } from 'xstate';
import { visitorActions } from '../visitorActions.js';
import type { VisitorStateConfig } from '../visitorMachine.js';

/** The visibility region's one action. */
export const visibilityActions = visitorActions({
  storeVisibility: assign(({ event }) =>
    event.type === 'VISIBILITY' ? { visible: event.visible as boolean } : {},
  ),
});

/** Whether the app says the page is visible, whatever the connection does meanwhile. */
export const visibilityRegion = {
  initial: 'visible',
  states: {
    // Only for a visitor created hidden; afterwards VISIBILITY moves between the two.
    visible: { always: { guard: ({ context }) => !context.visible, target: 'hidden' } },
    hidden: {},
  },
  on: {
    VISIBILITY: [
      { guard: 'becomesVisible', target: '.visible', actions: 'storeVisibility' },
      { guard: 'becomesHidden', target: '.hidden', actions: 'storeVisibility' },
    ],
  },
} as const satisfies VisitorStateConfig;
