/**
 * Equal when `Object.is` says so, or when both are arrays or plain objects whose own
 * entries are `Object.is`-equal one level deep. Selectors that build a fresh object or
 * array from the same values then keep the previous one, and nothing re-renders.
 *
 * @example
 * shallowEqual({ a: 1, b: 'x' }, { a: 1, b: 'x' }); // true
 * shallowEqual([1, 2], [1, 2]); // true
 * shallowEqual({ a: {} }, { a: {} }); // false: one level only
 */
export function shallowEqual<T>(a: T, b: T): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const protoA = Object.getPrototypeOf(a);
  if (protoA !== Object.getPrototypeOf(b)) return false;
  if (protoA !== Object.prototype && protoA !== Array.prototype && protoA !== null) return false;
  const keysA = Object.keys(a);
  if (keysA.length !== Object.keys(b).length) return false;
  for (const key of keysA) {
    if (!Object.hasOwn(b, key)) return false;
    if (!Object.is((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) {
      return false;
    }
  }
  return true;
}
