import { startDemoPage } from '../beckon.js';
import { PRODUCTS } from '../catalog.js';
import { productCard } from '../shopViews.js';

const started = startDemoPage({ page: 'products' });
const refresh = () => void started.then((page) => page.refreshPresence());
document.getElementById('product-grid')?.append(...PRODUCTS.map((p) => productCard(p, refresh)));
