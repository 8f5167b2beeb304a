import type { VisitorState } from '@beckon/core';
import { useContextVisitor } from './beckonContext.js';
import { shallowEqual } from './shallowEqual.js';
import { useSelectedSnapshot } from './useSelectedSnapshot.js';

const whole = <T>(state: T) => state;

/**
 * The visitor's state (`visitor.getSnapshot()`), or a slice of it, kept current with
 * `useSyncExternalStore`. The component re-renders only when the selected value changes:
 * by `isEqual`, which defaults to a shallow comparison, so a selector may return a fresh
 * object or array of the fields it needs.
 *
 * @example
 * function Status() {
 *   const { connection, focused } = useVisitorState((s) => ({
 *     connection: s.connection,
 *     focused: s.focused,
 *   }));
 *   return <span>{connection}{focused ? '' : ' (another tab has focus)'}</span>;
 * }
 */
export function useVisitorState(): VisitorState;
export function useVisitorState<T>(
  selector: (state: VisitorState) => T,
  isEqual?: (a: T, b: T) => boolean,
): T;
export function useVisitorState<T>(
  selector?: (state: VisitorState) => T,
  isEqual: (a: T, b: T) => boolean = shallowEqual,
): T | VisitorState {
  const visitor = useContextVisitor('useVisitorState()');
  return useSelectedSnapshot(
    visitor,
    (selector ?? whole) as (state: VisitorState) => T,
    selector ? isEqual : Object.is,
  );
}
