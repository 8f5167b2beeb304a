/**
 * "just now", "42 s ago", "5 min ago", "3 h ago", "2 d ago" — how long ago `at` was, at
 * `now` (both ms since the Unix epoch). A time slightly in the future (clock skew between
 * the service and this machine) reads "just now".
 *
 * @example
 * formatRelativeTime(Date.now() - 90_000, Date.now()); // "1 min ago"
 */
export function formatRelativeTime(at: number, now: number): string {
  if (!Number.isFinite(at) || !Number.isFinite(now)) return '—';
  const seconds = Math.floor((now - at) / 1000);
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

/**
 * The wall-clock time of `at` (ms since the Unix epoch) as `HH:MM:SS`, in local time.
 *
 * @example
 * formatClockTime(Date.now()); // "14:03:27"
 */
export function formatClockTime(at: number): string {
  const d = new Date(at);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/**
 * A connection ID short enough to show, and still telling a visitor's few instances apart:
 * the first 8 characters of a UUID (one process); for a cluster's `<process>.<n>`, the
 * start of the process's ID and the whole connection number, since one process's
 * connections share the start.
 *
 * @example
 * shortId('3f2a9c1e-8b7d-4c1a-9e2f-0a1b2c3d4e5f'); // "3f2a9c1e"
 * shortId('k3j9x0a2m1q7.1f');                       // "k3j9….1f"
 */
export function shortId(id: string): string {
  const dot = id.indexOf('.');
  if (dot > 4) return `${id.slice(0, 4)}…${id.slice(dot)}`;
  return id.length > 8 ? id.slice(0, 8) : id;
}
