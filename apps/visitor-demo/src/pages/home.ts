import { PRODUCTS } from '../catalog.js';
import { productCard } from '../shopViews.js';
import { startDemoPage } from '../startDemoPage.js';

const started = startDemoPage({ page: 'home' });
const refresh = () => void started.then((page) => page.refreshPresence());
document
  .getElementById('featured')
  ?.append(...PRODUCTS.slice(0, 3).map((p) => productCard(p, refresh)));
