import { findProduct } from './catalog.js';
import { type KeyValueStorage, persistentStorage, readJson, writeJson } from './storage.js';

/** The storage key of the cart: product ID → quantity. */
export const CART_KEY = 'beckon-demo:cart';
/** Fired on `window` when this tab changed the cart (other tabs get a `storage` event). */
const CART_EVENT = 'beckon-demo:cart';
const MAX_QUANTITY = 99;

/** Product ID → quantity, only known products and quantities from 1 to 99. */
export type Cart = Readonly<Record<string, number>>;

/**
 * The cart as stored, cleaned: unknown products and odd quantities are dropped, so a
 * hand-edited or stale entry never breaks a page.
 *
 * @example
 * readCart(); // { 'trail-pack': 2 }
 */
export function readCart(storage: KeyValueStorage = persistentStorage()): Cart {
  const raw = readJson(storage, CART_KEY);
  const cart: Record<string, number> = {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return cart;
  for (const [id, quantity] of Object.entries(raw)) {
    if (!findProduct(id)) continue;
    if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1) continue;
    cart[id] = Math.min(quantity, MAX_QUANTITY);
  }
  return cart;
}

/**
 * How many items the cart holds in all (what `c_cart` tells the agent).
 *
 * @example
 * cartCount({ 'trail-pack': 2, 'alpine-mug': 1 }); // 3
 */
export function cartCount(cart: Cart = readCart()): number {
  return Object.values(cart).reduce((sum, quantity) => sum + quantity, 0);
}

function announce(): void {
  const win = (globalThis as { window?: Window }).window;
  win?.dispatchEvent(new Event(CART_EVENT));
}

/**
 * Sets a product's quantity (0 removes it) and tells this tab's listeners.
 *
 * @example
 * setQuantity('alpine-mug', 0); // removed
 */
export function setQuantity(
  id: string,
  quantity: number,
  storage: KeyValueStorage = persistentStorage(),
): Cart {
  const cart: Record<string, number> = { ...readCart(storage) };
  if (!findProduct(id)) return cart;
  const clamped = Math.max(0, Math.min(MAX_QUANTITY, Math.floor(quantity)));
  if (clamped === 0) delete cart[id];
  else cart[id] = clamped;
  writeJson(storage, CART_KEY, cart);
  announce();
  return cart;
}

/**
 * Adds one of a product to the cart.
 *
 * @example
 * addToCart('trail-pack');
 */
export function addToCart(id: string, storage: KeyValueStorage = persistentStorage()): Cart {
  return setQuantity(id, (readCart(storage)[id] ?? 0) + 1, storage);
}

/**
 * Calls `listener` whenever the cart changes, in this tab or another one; returns the
 * function that stops it.
 *
 * @example
 * const stop = onCartChange(() => badge.textContent = String(cartCount()));
 */
export function onCartChange(listener: () => void, win: Window = window): () => void {
  const onStorage = (event: StorageEvent) => {
    if (event.key === CART_KEY || event.key === null) listener();
  };
  win.addEventListener(CART_EVENT, listener);
  win.addEventListener('storage', onStorage);
  return () => {
    win.removeEventListener(CART_EVENT, listener);
    win.removeEventListener('storage', onStorage);
  };
}
