/** Percentiles of a set of samples, in the samples' unit (milliseconds for latencies). */
export interface Summary {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/**
 * Summarises the first `count` samples (nearest-rank percentiles). Sorts a copy, so the
 * caller's buffer is left as it is. An empty set gives zeros.
 *
 * @example
 * summarize(Float64Array.from([3, 1, 2]), 3); // { count: 3, p50: 2, p99: 3, … }
 */
export function summarize(samples: Float64Array, count = samples.length): Summary {
  if (count <= 0) return { count: 0, p50: 0, p99: 0, p999: 0, max: 0, mean: 0 };
  const sorted = samples.slice(0, count).sort();
  const at = (q: number) => sorted[Math.min(count - 1, Math.max(0, Math.ceil(q * count) - 1))] ?? 0;
  let sum = 0;
  for (let i = 0; i < count; i++) sum += sorted[i] ?? 0;
  return {
    count,
    p50: round3(at(0.5)),
    p99: round3(at(0.99)),
    p999: round3(at(0.999)),
    max: round3(sorted[count - 1] ?? 0),
    mean: round3(sum / count),
  };
}

/**
 * The median of a list (the mean of the middle two for an even count); `undefined` for none.
 *
 * @example
 * median([5, 1, 3]); // 3
 */
export function median(values: readonly number[]): number | undefined {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? v[mid] : ((v[mid - 1] ?? 0) + (v[mid] ?? 0)) / 2;
}
