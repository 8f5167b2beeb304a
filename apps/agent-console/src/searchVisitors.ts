import type { VisitorSummary } from '@beckon/core/agent';

/** The visibility filter's choices: one state, or everything. */
export type VisibilityFilter = 'all' | 'visible' | 'hidden' | 'away';

export const VISIBILITY_FILTERS: readonly VisibilityFilter[] = ['all', 'visible', 'hidden', 'away'];

/**
 * A visitor's custom presence fields (`c_…`), in the order they were sent.
 *
 * @example
 * customFields({ url: '/cart', c_tier: 'gold' }); // [['c_tier', 'gold']]
 */
export function customFields(presence: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(presence).filter(([key]) => key.startsWith('c_'));
}

/**
 * Whether a visitor matches a search: every word of `query` (case-insensitive) must occur
 * in its visitor ID, its `url` or one of its custom `c_` fields (name or value).
 *
 * @example
 * matchesQuery(visitor, 'cart gold'); // url contains "cart" and c_tier is "gold"
 */
export function matchesQuery(visitor: VisitorSummary, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = [
    visitor.visitorId,
    visitor.presence.url ?? '',
    ...customFields(visitor.presence).flat(),
  ]
    .join('\n')
    .toLowerCase();
  return words.every((word) => haystack.includes(word));
}

/**
 * The visitors that match the search and the visibility filter, in the given order.
 * Returns the input array itself when nothing is filtered out, so memoised rows stay put.
 *
 * @example
 * searchVisitors(visitors, { query: 'alice', visibility: 'visible' });
 */
export function searchVisitors(
  visitors: readonly VisitorSummary[],
  { query, visibility }: { query: string; visibility: VisibilityFilter },
): readonly VisitorSummary[] {
  const kept = visitors.filter(
    (v) => (visibility === 'all' || v.visibility === visibility) && matchesQuery(v, query),
  );
  return kept.length === visitors.length ? visitors : kept;
}
