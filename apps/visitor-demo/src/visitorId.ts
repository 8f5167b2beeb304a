import { checkId } from '@beckon/core/protocol';
import { type KeyValueStorage, persistentStorage } from './storage.js';

/** The `localStorage` key of the visitor ID: shared by all tabs, for the focus demo. */
export const VISITOR_ID_KEY = 'beckon-demo:visitor-id';
/** The visitor ID until the tester picks another. */
export const DEFAULT_VISITOR_ID = 'demo-visitor';

/**
 * Why a visitor ID cannot be used (the protocol's ID rule), or `undefined` when it can.
 *
 * @example
 * visitorIdProblem('alice-42'); // undefined
 * visitorIdProblem('a b');      // 'may only contain letters, digits, "_", "~" and "-"'
 */
export function visitorIdProblem(id: unknown): string | undefined {
  return checkId('visitorId', id)?.reason;
}

/**
 * The visitor ID picked in this browser, or {@link DEFAULT_VISITOR_ID} when none (or an
 * invalid one) is stored.
 *
 * @example
 * readVisitorId(); // 'demo-visitor'
 */
export function readVisitorId(storage: KeyValueStorage = persistentStorage()): string {
  let stored: string | null = null;
  try {
    stored = storage.getItem(VISITOR_ID_KEY);
  } catch {
    // Unreadable storage: the default, as on a first visit.
  }
  return stored !== null && visitorIdProblem(stored) === undefined ? stored : DEFAULT_VISITOR_ID;
}

/**
 * Stores a visitor ID for every tab of the demo, after trimming it; an invalid one is
 * refused with the reason and nothing is stored.
 *
 * @example
 * saveVisitorId(' alice ');  // { ok: true, visitorId: 'alice' }
 * saveVisitorId('a b');      // { ok: false, reason: '…' }
 */
export function saveVisitorId(
  id: string,
  storage: KeyValueStorage = persistentStorage(),
): { ok: true; visitorId: string } | { ok: false; reason: string } {
  const visitorId = typeof id === 'string' ? id.trim() : id;
  const problem = visitorIdProblem(visitorId);
  if (problem !== undefined) return { ok: false, reason: `The visitor ID ${problem}.` };
  try {
    storage.setItem(VISITOR_ID_KEY, visitorId);
  } catch {
    // Storage refused: still use it on this page, other tabs just will not follow.
  }
  return { ok: true, visitorId };
}
