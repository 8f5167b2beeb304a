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

/** A search, prepared once: one case-insensitive pattern per word. */
function compile(query: string): RegExp[] {
  return query
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => new RegExp(word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i'));
}

// Each field is tested where it is, rather than joined and lowercased into a copy: with tens
// of thousands of visitors and kilobytes of presence data each, a keystroke then scans the
// data once and allocates nothing (about 100 ms for 20,000 visitors with 10,000 characters
// each; the input itself answers at once, the list follows as a deferred render).
function matchesAll(visitor: VisitorSummary, words: readonly RegExp[]): boolean {
  const { presence } = visitor;
  return words.every((word) => {
    if (word.test(visitor.visitorId)) return true;
    const url = presence.url;
    if (url !== undefined && word.test(url)) return true;
    for (const key in presence) {
      if (!key.startsWith('c_')) continue;
      if (word.test(key) || word.test(presence[key] as string)) return true;
    }
    return false;
  });
}

/**
 * Whether a visitor matches a search: every word of `query` (case-insensitive) must occur
 * in its visitor ID, its `url` or one of its custom `c_` fields (name or value).
 *
 * @example
 * matchesQuery(visitor, 'cart gold'); // url contains "cart" and c_tier is "gold"
 */
export function matchesQuery(visitor: VisitorSummary, query: string): boolean {
  return matchesAll(visitor, compile(query));
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
  const words = compile(query);
  if (words.length === 0 && visibility === 'all') return visitors;
  const kept = visitors.filter(
    (v) => (visibility === 'all' || v.visibility === visibility) && matchesAll(v, words),
  );
  return kept.length === visitors.length ? visitors : kept;
}

/** A search that remembers its last answer, so typing on narrows instead of starting over. */
export type VisitorSearch = (
  visitors: readonly VisitorSummary[],
  filter: { query: string; visibility: VisibilityFilter },
) => readonly VisitorSummary[];

/**
 * {@link searchVisitors} with a memory of one: when the query only grew (the visitor typed
 * on) over the same list and filter, every word of the old query is inside a word of the new
 * one, so only the old matches can match — they are all that is read. In a large group each
 * keystroke after the first reads what is still shown, not every visitor's data.
 *
 * @example
 * const search = createVisitorSearch();
 * search(visitors, { query: 'car', visibility: 'all' });
 * search(visitors, { query: 'cart', visibility: 'all' }); // reads only the matches of "car"
 */
export function createVisitorSearch(): VisitorSearch {
  let last:
    | {
        visitors: readonly VisitorSummary[];
        query: string;
        visibility: VisibilityFilter;
        shown: readonly VisitorSummary[];
      }
    | undefined;
  return (visitors, { query, visibility }) => {
    const narrows =
      last !== undefined &&
      last.visitors === visitors &&
      last.visibility === visibility &&
      query.startsWith(last.query);
    const from = narrows && last ? last.shown : visitors;
    let shown = searchVisitors(from, { query, visibility });
    // Nothing filtered from the old matches: keep the very array the list already has.
    if (narrows && last && shown === from) shown = last.shown;
    last = { visitors, query, visibility, shown };
    return shown;
  };
}
