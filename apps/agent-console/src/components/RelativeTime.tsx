import { formatClockTime, formatRelativeTime } from '../format.js';
import { useNow } from '../useNow.js';

/**
 * "12 s ago", counting on by itself; the exact time in a tooltip.
 *
 * @example
 * <RelativeTime at={visitor.lastActiveAt} />
 */
export function RelativeTime({ at }: { at: number }) {
  const now = useNow();
  return (
    <time dateTime={new Date(at).toISOString()} title={formatClockTime(at)}>
      {formatRelativeTime(at, now)}
    </time>
  );
}
