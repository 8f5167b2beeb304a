import { addToCart } from './cart.js';
import { formatPrice, type Product } from './catalog.js';
import { h } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';

/**
 * A product's picture: a tinted tile with mountains (there are no real photos in the demo).
 *
 * @example
 * card.append(productTile(product));
 */
export function productTile(product: Product, size: 'small' | 'large' = 'small'): HTMLElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 120 80');
  svg.setAttribute('aria-hidden', 'true');
  const shapes: [string, Record<string, string>][] = [
    ['circle', { cx: '92', cy: '22', r: '9', fill: `hsl(${product.hue} 80% 97%)` }],
    ['path', { d: 'M0 80 L34 34 L52 56 L70 28 L120 80 Z', fill: `hsl(${product.hue} 45% 42%)` }],
    ['path', { d: 'M0 80 L22 60 L40 72 L64 50 L96 80 Z', fill: `hsl(${product.hue} 50% 30%)` }],
  ];
  for (const [tag, attrs] of shapes) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    svg.append(node);
  }
  const tile = h('div', { class: `tile tile--${size}` }, [svg]);
  tile.style.setProperty('--hue', String(product.hue));
  return tile;
}

/**
 * An "Add to cart" button: adds one, says so for a moment, then calls `onAdded` (the page
 * sends its presence, so the agent sees the new `c_cart`).
 *
 * @example
 * addToCartButton(product, () => page.refreshPresence());
 */
export function addToCartButton(product: Product, onAdded: () => void): HTMLButtonElement {
  const label = 'Add to cart';
  const button = h(
    'button',
    {
      type: 'button',
      class: 'button',
      'data-testid': 'add-to-cart',
      'data-product-id': product.id,
      'aria-label': `Add ${product.name} to cart`,
    },
    [label],
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  button.addEventListener('click', () => {
    addToCart(product.id);
    button.textContent = 'Added ✓';
    clearTimeout(timer);
    timer = setTimeout(() => {
      button.textContent = label;
    }, 1500);
    onAdded();
  });
  return button;
}

/**
 * A product in a grid: picture, name (linking to its page), blurb, price and add-to-cart.
 *
 * @example
 * grid.append(...PRODUCTS.map((p) => productCard(p, refresh)));
 */
export function productCard(product: Product, onAdded: () => void): HTMLElement {
  const href = `product.html?id=${encodeURIComponent(product.id)}`;
  return h('article', { class: 'card product-card', 'data-product-id': product.id }, [
    h('a', { href, class: 'product-card__image', tabindex: '-1', 'aria-hidden': 'true' }, [
      productTile(product),
    ]),
    h('div', { class: 'product-card__body' }, [
      h('h3', { class: 'product-card__name' }, [
        h('a', { href, 'data-testid': `product-link-${product.id}` }, [product.name]),
      ]),
      h('p', { class: 'muted' }, [product.blurb]),
      h('div', { class: 'product-card__footer' }, [
        h('span', { class: 'price' }, [formatPrice(product.price)]),
        addToCartButton(product, onAdded),
      ]),
    ]),
  ]);
}
