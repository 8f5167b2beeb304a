import type { VisitorSummary } from '@beckon/core/agent';

// One sorted list per visitor map: the agent makes a new map only when an entry changed,
// so every component (and every remount) gets the same array while nothing did.
const sortedLists = new WeakMap<ReadonlyMap<string, VisitorSummary>, readonly VisitorSummary[]>();
// The last map sorted, to sort the next one from it: a live event changes one entry of a
// group of thousands, and moving that one costs far less than sorting them all again.
let last: { map: ReadonlyMap<string, VisitorSummary>; list: readonly VisitorSummary[] } | undefined;
/** Changed entries beyond which sorting afresh is cheaper than moving them one by one. */
const MOVE_AT_MOST = 32;

// Most recently active first, ties by visitor ID.
const before = (a: VisitorSummary, b: VisitorSummary) =>
  b.lastActiveAt - a.lastActiveAt ||
  (a.visitorId < b.visitorId ? -1 : a.visitorId > b.visitorId ? 1 : 0);

// Where `v` goes in `list` (sorted), by binary search.
function slot(list: readonly VisitorSummary[], v: VisitorSummary): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(list[mid] as VisitorSummary, v) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// The new map's list from the last one's, or undefined when too much changed.
function resort(map: ReadonlyMap<string, VisitorSummary>): VisitorSummary[] | undefined {
  if (!last) return undefined;
  const previous = last.map;
  const changed: VisitorSummary[] = [];
  for (const [id, v] of map) {
    if (previous.get(id) === v) continue;
    changed.push(v);
    if (changed.length > MOVE_AT_MOST) return undefined;
  }
  // Every entry of the new map is accounted for: the rest of the difference left.
  const removed =
    previous.size - (map.size - changed.filter((v) => !previous.has(v.visitorId)).length);
  if (removed + changed.length > MOVE_AT_MOST) return undefined;
  const stale = new Set(changed.map((v) => v.visitorId));
  const list = last.list.filter((v) => !stale.has(v.visitorId) && map.get(v.visitorId) === v);
  for (const v of changed) list.splice(slot(list, v), 0, v);
  return list;
}

/**
 * The visitors of an agent's live map, most recently active first (ties by visitor ID), as
 * one frozen array per map: the same array for the same map, whoever asks. A map that
 * differs from the last one sorted by a few entries is sorted from it by moving just those,
 * so a live event in a group of 20,000 does not sort 20,000 again.
 *
 * @example
 * const list = sortVisitors(agent.getSnapshot().visitors);
 */
export function sortVisitors(map: ReadonlyMap<string, VisitorSummary>): readonly VisitorSummary[] {
  let list = sortedLists.get(map);
  if (!list) {
    list = Object.freeze(resort(map) ?? [...map.values()].sort(before));
    sortedLists.set(map, list);
  }
  last = { map, list };
  return list;
}
