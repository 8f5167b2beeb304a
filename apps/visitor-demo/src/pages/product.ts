import { findProduct, formatPrice } from '../catalog.js';
import { h } from '../dom.js';
import { addToCartButton, productTile } from '../shopViews.js';
import { startDemoPage } from '../startDemoPage.js';

// The title first: it is what the agent sees next to the URL.
const product = findProduct(new URLSearchParams(location.search).get('id'));
document.title = `${product?.name ?? 'Product not found'} · Beckon Outfitters`;

const started = startDemoPage({ page: 'product' });
const refresh = () => void started.then((page) => page.refreshPresence());
const main = document.getElementById('product');
if (product) {
  main?.replaceChildren(
    h('div', { class: 'product-detail' }, [
      productTile(product, 'large'),
      h('div', { class: 'product-detail__info' }, [
        h('p', { class: 'eyebrow' }, [h('a', { href: 'products.html' }, ['← All products'])]),
        h('h1', { 'data-testid': 'product-name' }, [product.name]),
        h('p', { class: 'price price--large' }, [formatPrice(product.price)]),
        h('p', { class: 'lead' }, [product.description]),
        h('div', { class: 'actions' }, [
          addToCartButton(product, refresh),
          h('a', { class: 'button button--ghost', href: 'cart.html' }, ['Go to cart']),
        ]),
      ]),
    ]),
  );
} else {
  main?.replaceChildren(
    h('div', { class: 'empty' }, [
      h('h1', {}, ['Product not found']),
      h('p', {}, ['That product is not in our range (any more).']),
      h('a', { class: 'button', href: 'products.html' }, ['Browse all products']),
    ]),
  );
}
