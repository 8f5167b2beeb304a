/** The header every demo page shares: navigation, the visitor ID form, the session banner. */

import { cartCount, onCartChange } from './cart.js';
import { h } from './dom.js';
import { visitorIdProblem } from './visitorId.js';

/** The demo's pages, as named in `nav-<page>` test IDs. */
export type PageName = 'home' | 'products' | 'product' | 'cart' | 'help';

const NAV: readonly { page: Exclude<PageName, 'product'>; href: string; label: string }[] = [
  { page: 'home', href: './', label: 'Home' },
  { page: 'products', href: 'products.html', label: 'Products' },
  { page: 'cart', href: 'cart.html', label: 'Cart' },
  { page: 'help', href: 'help.html', label: 'Help' },
];

function logo(doc: Document): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = doc.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 32 32');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', 'brand__logo');
  const sky = doc.createElementNS(ns, 'rect');
  for (const [k, v] of Object.entries({ width: '32', height: '32', rx: '8', fill: '#0f766e' })) {
    sky.setAttribute(k, v);
  }
  const peaks = doc.createElementNS(ns, 'path');
  peaks.setAttribute('d', 'M4 25 L12.5 11 L17 18 L20 13.5 L28 25 Z');
  peaks.setAttribute('fill', '#ecfdf5');
  const sun = doc.createElementNS(ns, 'circle');
  for (const [k, v] of Object.entries({ cx: '23', cy: '8.5', r: '2.5', fill: '#fcd34d' })) {
    sun.setAttribute(k, v);
  }
  svg.append(sky, peaks, sun);
  return svg;
}

/** The shared header, with the parts later code fills in. */
export interface Chrome {
  /** Where the "notify me when support calls" switch goes. */
  readonly push: HTMLElement;
  /** Where the status pill goes. */
  readonly status: HTMLElement;
  setVisitorId(id: string): void;
  destroy(): void;
}

/**
 * Renders the header into `#site-header` (created if missing): brand, navigation with the
 * cart count, "Signed in as … (change)" and an empty status slot.
 *
 * @example
 * const chrome = mountChrome({ page: 'cart', visitorId: 'alice', onChangeVisitorId: switchTo });
 */
export function mountChrome(options: {
  page: PageName;
  visitorId: string;
  /** Called with a valid new ID from the change form; it has not been saved yet. */
  onChangeVisitorId: (id: string) => void;
  document?: Document;
}): Chrome {
  const doc = options.document ?? document;
  const win = doc.defaultView ?? window;
  const e = <K extends keyof HTMLElementTagNameMap>(
    tag: K,
    attrs: Parameters<typeof h>[1] = {},
    children: Parameters<typeof h>[2] = [],
  ) => h(tag, attrs, children, doc);

  let header = doc.getElementById('site-header');
  if (!header) {
    header = e('header', { id: 'site-header' });
    doc.body.prepend(header);
  }
  header.classList.add('site-header');
  header.replaceChildren();

  const cartBadge = e('span', { class: 'badge', 'data-testid': 'cart-count' }, ['0']);
  const nav = e(
    'nav',
    { class: 'site-nav', 'aria-label': 'Main' },
    NAV.map(({ page, href, label }) =>
      e(
        'a',
        {
          href,
          'data-testid': `nav-${page}`,
          'aria-current':
            page === options.page || (page === 'products' && options.page === 'product')
              ? 'page'
              : undefined,
        },
        page === 'cart' ? [label, ' ', cartBadge] : [label],
      ),
    ),
  );
  const showCount = () => {
    const count = cartCount();
    cartBadge.textContent = String(count);
    cartBadge.dataset.count = String(count);
  };
  showCount();
  const offCart = onCartChange(showCount, win);

  // --- Signed in as … (change) ------------------------------------------------------------
  const idText = e('strong', { 'data-testid': 'visitor-id' }, [options.visitorId]);
  const change = e(
    'button',
    { type: 'button', class: 'link-button', 'data-testid': 'change-visitor' },
    ['change'],
  );
  const shown = e('span', { class: 'account__shown' }, [
    e('span', { class: 'account__label' }, ['Signed in as ']),
    idText,
    ' (',
    change,
    ')',
  ]);
  const inputId = 'visitor-id-input';
  const input = e('input', {
    id: inputId,
    name: 'visitorId',
    type: 'text',
    autocomplete: 'off',
    spellcheck: 'false',
    maxlength: 62,
    required: true,
    'aria-describedby': 'visitor-id-help',
    'data-testid': 'visitor-id-input',
  });
  const error = e('span', { class: 'account__error', role: 'alert', id: 'visitor-id-help' });
  const cancel = e('button', { type: 'button', class: 'button button--ghost button--small' }, [
    'Cancel',
  ]);
  const form = e(
    'form',
    { class: 'account__form', hidden: true, 'aria-label': 'Change visitor ID' },
    [
      e('label', { for: inputId }, ['Visitor ID']),
      input,
      e(
        'button',
        { type: 'submit', class: 'button button--small', 'data-testid': 'visitor-id-save' },
        ['Save'],
      ),
      cancel,
      error,
    ],
  );
  const editing = (on: boolean) => {
    form.hidden = !on;
    shown.hidden = on;
    error.textContent = '';
    input.removeAttribute('aria-invalid');
    if (on) {
      input.value = idText.textContent ?? '';
      input.focus();
      input.select();
    } else {
      change.focus();
    }
  };
  change.addEventListener('click', () => editing(true));
  cancel.addEventListener('click', () => editing(false));
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') editing(false);
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = input.value.trim();
    const problem = visitorIdProblem(next);
    if (problem !== undefined) {
      error.textContent = `The visitor ID ${problem}.`;
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    editing(false);
    if (next !== idText.textContent) options.onChangeVisitorId(next);
  });
  const account = e('div', { class: 'account' }, [shown, form]);

  const status = e('div', { class: 'status-slot' });
  const pushSlot = e('div', { class: 'push-slot', 'data-testid': 'push-slot' });
  const brand = e('a', { class: 'brand', href: './' }, [
    logo(doc),
    e('span', {}, ['Beckon ', e('span', { class: 'brand__accent' }, ['Outfitters'])]),
  ]);
  header.append(
    e('div', { class: 'site-header__main' }, [e('div', { class: 'container row' }, [brand, nav])]),
    e('div', { class: 'site-header__sub' }, [
      e('div', { class: 'container row' }, [account, pushSlot, status]),
    ]),
  );

  return {
    status,
    push: pushSlot,
    setVisitorId(id) {
      idText.textContent = id;
    },
    destroy() {
      offCart();
      header.replaceChildren();
    },
  };
}
