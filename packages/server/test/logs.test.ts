import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { connectAgent, connectVisitor, startServer } from './utils.js';

/** A pino logger at `level` that keeps every line it writes. */
function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

const LEVEL = { debug: 20, info: 30 } as const;

describe('logs an operator can live with', () => {
  it('logs each connection at debug, and a summary of counts at info', async () => {
    const { logger, lines } = capture('debug');
    const server = await startServer({ logger, logSummaryMs: 100 });
    const agent = await connectAgent(server);
    const visitors = await Promise.all(['a', 'b', 'c'].map((id) => connectVisitor(server, id)));
    visitors[0]?.send('not json');
    await visitors[0]?.take('error');
    for (const v of visitors) v.ws.close();
    await agent.take('visitorDisconnected', () => true, 2_000);
    await expect
      .poll(() =>
        lines.some((l) => l.msg === 'activity' && (l.since as { welcomed?: unknown }).welcomed),
      )
      .toBe(true);

    const perConnection = ['visitor connected', 'agent connected', 'visitor connection closed'];
    for (const msg of perConnection) {
      const logged = lines.filter((l) => l.msg === msg);
      expect(logged.length, msg).toBeGreaterThan(0);
      expect(
        logged.every((l) => l.level === LEVEL.debug),
        msg,
      ).toBe(true);
    }
    // The counts add up over the summaries, whatever period each event fell in.
    await expect
      .poll(() => {
        const total: Record<string, Record<string, number>> = {};
        for (const l of lines.filter((x) => x.msg === 'activity')) {
          expect(l.level).toBe(LEVEL.info);
          for (const [what, counts] of Object.entries(l.since as Record<string, unknown>)) {
            if (typeof counts !== 'object' || counts === null) continue;
            total[what] ??= {};
            for (const [k, n] of Object.entries(counts as Record<string, number>)) {
              total[what][k] = (total[what][k] ?? 0) + n;
            }
          }
        }
        return { welcomed: total.welcomed, rejections: total.rejections };
      })
      .toEqual({ welcomed: { agent: 1, visitor: 3 }, rejections: { malformed: 1 } });
    // Each line also says who is connected now.
    await expect
      .poll(() => lines.filter((l) => l.msg === 'activity').at(-1)?.connections)
      .toMatchObject({ agent: 1, visitor: 0 });
    // Nothing per connection at info: a busy service writes one line per period.
    const info = lines.filter((l) => (l.level as number) >= LEVEL.info).map((l) => l.msg);
    expect(new Set(info)).toEqual(new Set(['presence service listening', 'activity']));
  });

  it('stays quiet while nothing happens and nobody is connected', async () => {
    const { logger, lines } = capture('info');
    await startServer({ logger, logSummaryMs: 30 });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(lines.filter((l) => l.msg === 'activity')).toEqual([]);
  });
});
