/**
 * Memory per idle `createVisitor`: what one more visitor costs a process that runs many
 * (load tests, server-side agents). Creates visitors in batches, each initialised and left
 * idle (not connected), and reports the heap they hold, per visitor, as the median of
 * several rounds. Run it with `pnpm --filter @beckon/bench memory:visitor`.
 */
import { createVisitor, type Transport, type Visitor } from '@beckon/core';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

// Never called while idle; a visitor that connects would get a connection that never opens.
const transport: Transport = () => ({
  send: () => false,
  close: () => {},
  readyState: 'connecting',
});

function heap(): number {
  for (let i = 0; i < 4; i++) gc?.();
  return process.memoryUsage().heapUsed;
}

const count = Number(process.argv[2] ?? 2_000);
const rounds = Number(process.argv[3] ?? 5);
const perVisitor: number[] = [];
for (let round = 0; round < rounds; round++) {
  const before = heap();
  const visitors: Visitor[] = [];
  for (let i = 0; i < count; i++) {
    const visitor = createVisitor({ transport });
    visitor.init({ groupId: 'acme', visitorId: `v${round}-${i}` });
    visitors.push(visitor);
  }
  perVisitor.push((heap() - before) / count);
  for (const v of visitors) v.actor.stop();
  visitors.length = 0;
}
perVisitor.sort((a, b) => a - b);
const median = perVisitor[Math.floor(perVisitor.length / 2)] ?? 0;
console.log(
  `memory per idle createVisitor: ${(median / 1024).toFixed(1)} KiB (median of ${rounds} rounds of ${count}; rounds ${perVisitor.map((b) => (b / 1024).toFixed(1)).join(', ')} KiB)`,
);
