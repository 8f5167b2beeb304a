import fc from 'fast-check';
import { describe, it } from 'vitest';
import { commands } from './model/commands.js';
import { REGRESSIONS } from './model/regressions.js';
import { runModel } from './model/runModel.js';
import { inProcessTarget, socketTarget, type Target } from './model/targets.js';

// Bounded for the test command; BECKON_MODEL_RUNS=500 (say) runs it for longer.
const RUNS = Number(process.env.BECKON_MODEL_RUNS ?? 0) || undefined;
const TARGETS: [() => Target, number][] = [
  [inProcessTarget, RUNS ?? 50],
  [socketTarget, RUNS ? Math.ceil(RUNS / 2) : 20],
];

describe('the service against a reference model, under random commands', () => {
  for (const [makeTarget, numRuns] of TARGETS) {
    const name = makeTarget().name;
    it(`${name}: ${numRuns} random runs of up to 40 steps`, async () => {
      await fc.assert(
        fc.asyncProperty(commands(40), (cmds) => runModel(makeTarget(), cmds)),
        {
          numRuns,
          ...(process.env.BECKON_MODEL_SEED && { seed: Number(process.env.BECKON_MODEL_SEED) }),
        },
      );
    }, 600_000);

    for (const [i, regression] of REGRESSIONS.entries()) {
      it(`${name}: regression ${i + 1} (${regression.found})`, () =>
        runModel(makeTarget(), regression.commands));
    }
  }
});
