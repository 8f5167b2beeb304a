import { PRODUCTS } from '../catalog.js';
import { productCard } from '../shopViews.js';
import { startDemoPage } from '../startDemoPage.js';

const started = startDemoPage({ page: 'products' });
const refresh = () => void started.then((page) => page.refreshPresence());
const grid = document.getElementById('product-grid');
const cards = PRODUCTS.map((p) => ({ product: p, card: productCard(p, refresh) }));
grid?.append(...cards.map(({ card }) => card));

// The search box filters the grid as the visitor types.
const search = document.getElementById('product-search') as HTMLInputElement | null;
search?.addEventListener('input', () => {
  const words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
  for (const { product, card } of cards) {
    const text = `${product.name} ${product.blurb}`.toLowerCase();
    card.hidden = !words.every((word) => text.includes(word));
  }
});
