import { type Cart, onCartChange, readCart, setQuantity } from '../cart.js';
import { findProduct, formatPrice } from '../catalog.js';
import { h } from '../dom.js';
import { productTile } from '../shopViews.js';
import { startDemoPage } from '../startDemoPage.js';

const started = startDemoPage({ page: 'cart' });
const refresh = () => void started.then((page) => page.refreshPresence());
const root = document.getElementById('cart')!;

function change(id: string, quantity: number) {
  setQuantity(id, quantity);
  refresh();
}

function render(cart: Cart) {
  const lines = Object.entries(cart).flatMap(([id, quantity]) => {
    const product = findProduct(id);
    return product ? [{ product, quantity }] : [];
  });
  if (lines.length === 0) {
    root.replaceChildren(
      h('div', { class: 'empty', 'data-testid': 'cart-empty' }, [
        h('p', {}, ['Your cart is empty.']),
        h('a', { class: 'button', href: 'products.html' }, ['Browse products']),
      ]),
    );
    return;
  }
  const total = lines.reduce((sum, { product, quantity }) => sum + product.price * quantity, 0);
  root.replaceChildren(
    h(
      'ul',
      { class: 'cart-lines' },
      lines.map(({ product, quantity }) =>
        h('li', { class: 'cart-line', 'data-testid': 'cart-line', 'data-product-id': product.id }, [
          productTile(product),
          h('div', { class: 'cart-line__name' }, [
            h('a', { href: `product.html?id=${encodeURIComponent(product.id)}` }, [product.name]),
            h('span', { class: 'muted' }, [formatPrice(product.price)]),
          ]),
          h(
            'div',
            { class: 'stepper', role: 'group', 'aria-label': `Quantity of ${product.name}` },
            [
              button('−', `One fewer ${product.name}`, () => change(product.id, quantity - 1)),
              h('output', { 'data-testid': 'cart-quantity' }, [String(quantity)]),
              button('+', `One more ${product.name}`, () => change(product.id, quantity + 1)),
            ],
          ),
          h('span', { class: 'price' }, [formatPrice(product.price * quantity)]),
          button('Remove', `Remove ${product.name}`, () => change(product.id, 0), 'link-button'),
        ]),
      ),
    ),
    h('div', { class: 'cart-total' }, [
      h('span', {}, ['Total']),
      h('strong', { 'data-testid': 'cart-total' }, [formatPrice(total)]),
    ]),
    h('div', { class: 'actions actions--end' }, [
      h(
        'button',
        { type: 'button', class: 'button', disabled: true, title: 'This is a demo shop' },
        ['Checkout (demo)'],
      ),
    ]),
  );
}

function button(
  text: string,
  label: string,
  onClick: () => void,
  className = 'button button--ghost button--small',
) {
  const node = h('button', { type: 'button', class: className, 'aria-label': label }, [text]);
  node.addEventListener('click', onClick);
  return node;
}

// Re-rendering replaces the buttons: put keyboard focus back on the same control.
function rerender() {
  const label = (document.activeElement as HTMLElement | null)?.getAttribute('aria-label');
  render(readCart());
  if (!label) return;
  const again = Array.from(root.querySelectorAll<HTMLElement>('[aria-label]')).find(
    (node) => node.getAttribute('aria-label') === label,
  );
  (again ?? root.querySelector<HTMLElement>('a, button'))?.focus();
}

render(readCart());
onCartChange(rerender);
