/**
 * The largest gain in connections over any one-second span of the samples, per second.
 *
 * @example
 * peakGain([{ at: 0, connections: 0 }, { at: 1_000, connections: 800 }]); // 800
 */
export function peakGain(samples: readonly { at: number; connections: number }[]): number {
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < samples.length; hi++) {
    const h = samples[hi] as { at: number; connections: number };
    while ((samples[lo]?.at ?? h.at) < h.at - 1_000) lo++;
    const l = samples[lo] as { at: number; connections: number };
    const span = Math.max(h.at - l.at, 200);
    best = Math.max(best, ((h.connections - l.connections) * 1_000) / span);
  }
  return Math.round(best);
}
