/** The slice of the Web Storage API the demo uses. */
export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

function memoryStorage(): KeyValueStorage {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => {
      items.set(key, String(value));
    },
    removeItem: (key) => {
      items.delete(key);
    },
  };
}

let localFallback: KeyValueStorage | undefined;
let sessionFallback: KeyValueStorage | undefined;

// Storage can be missing (no window) or throw on access (blocked cookies, some private
// modes); the demo then keeps its state for this page only instead of failing to start.
function pick(kind: 'localStorage' | 'sessionStorage'): KeyValueStorage | undefined {
  try {
    const storage = (globalThis as { [key: string]: unknown })[kind] as Storage | undefined;
    if (!storage) return undefined;
    const probe = '__beckon-demo-probe__';
    storage.setItem(probe, probe);
    storage.removeItem(probe);
    return storage;
  } catch {
    return undefined;
  }
}

/**
 * `localStorage`, or an in-memory stand-in where it is unavailable: shared by every tab of
 * the demo, which is how two tabs get the same visitor ID and cart.
 *
 * @example
 * persistentStorage().setItem('k', 'v');
 */
export function persistentStorage(): KeyValueStorage {
  const real = pick('localStorage');
  if (real) return real;
  localFallback ??= memoryStorage();
  return localFallback;
}

/**
 * `sessionStorage` (this tab only), or an in-memory stand-in where it is unavailable.
 *
 * @example
 * tabStorage().getItem('k');
 */
export function tabStorage(): KeyValueStorage {
  const real = pick('sessionStorage');
  if (real) return real;
  sessionFallback ??= memoryStorage();
  return sessionFallback;
}

/**
 * Reads JSON from storage; `undefined` when missing, unreadable or not JSON.
 *
 * @example
 * readJson(tabStorage(), 'beckon-demo:session');
 */
export function readJson(storage: KeyValueStorage, key: string): unknown {
  try {
    const raw = storage.getItem(key);
    return raw === null ? undefined : JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/**
 * Writes (or, with `undefined`, removes) a JSON value; `false` when storage refused it.
 *
 * @example
 * writeJson(tabStorage(), 'beckon-demo:session', { sessionKey: 'alice' });
 */
export function writeJson(storage: KeyValueStorage, key: string, value: unknown): boolean {
  try {
    if (value === undefined) storage.removeItem(key);
    else storage.setItem(key, JSON.stringify(value));
    return true;
  } catch {
    return false;
  }
}
