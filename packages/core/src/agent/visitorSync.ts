/**
 * Filling the agent's live view of a whole group from a paginated listing while live events
 * keep arriving. The service sends each page and the events in the order it saw them (it
 * holds an agent's events back while it reads a page), so applying both in arrival order,
 * visitor by visitor, ends on the current state: a page entry replaces what the view had,
 * an event updates whatever is there. What the listing cannot say by itself is who left
 * while the agent was away: at the end, a visitor neither listed nor heard from since the
 * listing began is dropped.
 */
import type { AgentLiveEvent, VisitorSummary } from '../wire/protocol.js';
import { applyVisitorEvent, sameSummary, summaryAfter, type VisitorMap } from './visitorMap.js';

/**
 * Page entries are folded into the view in batches at least this large (or at the end): one
 * new view per batch, rather than per page, for the UI to render.
 */
const MIN_COMMIT = 200;

/**
 * A listing in progress. The buffer and the set grow page by page and are changed in
 * place: copying them per page would make a listing of n visitors cost n² / page.
 */
export interface VisitorSync {
  /** Page entries not yet in the view, kept current by the events that concern them. */
  readonly buffer: Map<string, VisitorSummary>;
  /** Visitors listed or heard from since the listing began. */
  readonly seen: Set<string>;
  /** Entries committed to the view so far; the next commit waits for as many. */
  committed: number;
  /** The page request in flight, if any. */
  pageId: number | undefined;
  /** Where the next page starts: the last page's `next`. */
  after: string | undefined;
  /** Failed attempts at the current page. */
  failures: number;
  /** The app's `watch()` calls (their tickets) that resolve once the view is complete. */
  readonly waiters: number[];
}

/**
 * A new listing, owed to `waiters`.
 *
 * @example
 * const sync = startSync([ticket]);
 */
export function startSync(waiters: number[] = []): VisitorSync {
  return {
    buffer: new Map(),
    seen: new Set(),
    committed: 0,
    pageId: undefined,
    after: undefined,
    failures: 0,
    waiters,
  };
}

// Moves the buffer into the view; entries equal to the view's keep their identity.
function commit(current: VisitorMap, sync: VisitorSync): VisitorMap {
  if (sync.buffer.size === 0) return current;
  const changed: [string, VisitorSummary][] = [];
  for (const [id, summary] of sync.buffer) {
    const prev = current.get(id);
    if (!prev || !sameSummary(prev, summary)) changed.push([id, summary]);
  }
  sync.committed += sync.buffer.size;
  sync.buffer.clear();
  return current.update(changed);
}

/**
 * Takes one page of the listing (only the visitors `keep` accepts). The view changes only
 * when enough entries have gathered, so a listing of thousands of small pages does not
 * copy the view thousands of times.
 *
 * @example
 * visitors = syncPage(visitors, sync, reply.visitors, () => true);
 */
export function syncPage(
  current: VisitorMap,
  sync: VisitorSync,
  page: readonly VisitorSummary[],
  keep: (visitorId: string) => boolean,
): VisitorMap {
  for (const summary of page) {
    if (!keep(summary.visitorId)) continue;
    sync.buffer.set(summary.visitorId, summary);
    sync.seen.add(summary.visitorId);
  }
  return sync.buffer.size >= Math.max(MIN_COMMIT, sync.committed) ? commit(current, sync) : current;
}

/**
 * Folds a live event in while a listing runs: into the buffered entry when the visitor's
 * page has come and is not in the view yet, else into the view.
 *
 * @example
 * visitors = syncEvent(visitors, sync, event);
 */
export function syncEvent(
  current: VisitorMap,
  sync: VisitorSync,
  event: AgentLiveEvent,
): VisitorMap {
  const { visitorId } = event;
  sync.seen.add(visitorId);
  const buffered = sync.buffer.get(visitorId);
  if (buffered === undefined) return applyVisitorEvent(current, event);
  const updated = summaryAfter(buffered, event);
  if (updated) {
    sync.buffer.set(visitorId, updated);
    return current;
  }
  // Gone: from the buffer, and from the view if it had the visitor from before.
  sync.buffer.delete(visitorId);
  return applyVisitorEvent(current, event);
}

/**
 * Ends a listing that reached its last page: the rest of the buffer goes into the view,
 * and visitors neither listed nor heard from meanwhile (they left while the agent was
 * disconnected) leave it.
 *
 * @example
 * visitors = finishSync(visitors, sync);
 */
export function finishSync(current: VisitorMap, sync: VisitorSync): VisitorMap {
  const next = commit(current, sync);
  const gone: [string, undefined][] = [];
  for (const id of next.keys()) if (!sync.seen.has(id)) gone.push([id, undefined]);
  return next.update(gone);
}

/** What to do after a listing page came back. */
export type SyncStep =
  /** Ask for the page after `sync.after`. */
  | { type: 'next' }
  /** The view is complete: the listing is over. */
  | { type: 'done' }
  /** Ask for the same page again after `delayMs`. */
  | { type: 'retry'; delayMs: number }
  /** Too many failures: the listing is over, incomplete. */
  | { type: 'giveUp' };

/**
 * Takes a page reply of the listing: folds it into the view and says whether another
 * page follows or the view is complete (then finished with {@link finishSync}).
 *
 * @example
 * const { visitors, step } = takePage(context.visitors, sync, reply.visitors, reply.next, keep);
 */
export function takePage(
  current: VisitorMap,
  sync: VisitorSync,
  page: readonly VisitorSummary[],
  next: string | undefined,
  keep: (visitorId: string) => boolean,
): { visitors: VisitorMap; step: SyncStep } {
  sync.pageId = undefined;
  sync.failures = 0;
  const visitors = syncPage(current, sync, page, keep);
  if (next === undefined) return { visitors: finishSync(visitors, sync), step: { type: 'done' } };
  sync.after = next;
  return { visitors, step: { type: 'next' } };
}

/**
 * A page failed: rate limits are waited out (`retryAfter`) and asked again, a timeout or an
 * internal error a few times with a growing pause; anything else ends the listing.
 *
 * @example
 * const step = pageFailed(sync, { code: 'rateLimited', retryAfter: 250 }, 3);
 */
export function pageFailed(
  sync: VisitorSync,
  failure: { code: string; retryAfter?: number | undefined },
  maxFailures: number,
): SyncStep {
  sync.pageId = undefined;
  if (failure.code === 'rateLimited') {
    return { type: 'retry', delayMs: Math.max(1, failure.retryAfter ?? 1_000) };
  }
  sync.failures += 1;
  // Only a service that may answer next time is asked again.
  const transient = failure.code === 'timeout' || failure.code === 'internal';
  if (!transient || sync.failures > maxFailures) return { type: 'giveUp' };
  return { type: 'retry', delayMs: 500 * sync.failures };
}
