/** HTML pages for the browser tests, served by `startStaticServer`. */

/** The script-tag build, as served to pages. */
export const BUNDLE_PATH = '/beckon.js';

/**
 * An app page that sets Beckon up by hand from the script-tag build's global: visitor ID
 * from `?vid=`, the default dialog in English, the page wired (`window.wiring`, with the
 * cart count `#items` as `c_cart`). It records the visitor's events in
 * `window.visitorEvents`, the presence it sent in `window.presenceCalls` and its connection
 * ID in `window.connectionId`.
 *
 * @example
 * site.route('/app.html', appPage(backend.server.url));
 */
export function appPage(serverUrl: string, head = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Acme shop</title>
${head}
</head>
<body>
<h1>Acme shop</h1>
<p>Your cart has <span id="items">3</span> items.</p>
<label>Name <input id="name"></label>
<button id="help" type="button">Help</button>
<script src="${BUNDLE_PATH}"></script>
<script>
  const vid = new URLSearchParams(location.search).get('vid');
  const visitor = Beckon.createVisitor({
    transport: Beckon.webSocketTransport({ url: ${JSON.stringify(serverUrl)} }),
    ui: Beckon.createConsentDialog({ locale: 'en' }),
  });
  window.visitor = visitor;
  window.visitorEvents = [];
  for (const type of ['connected', 'blur', 'focus', 'termsAccepted', 'termsDeclined', 'sessionStart', 'sendFail']) {
    visitor.on(type, (event) => window.visitorEvents.push(event));
  }
  visitor.on('connected', ({ connectionId }) => { window.connectionId = connectionId; });
  window.presenceCalls = [];
  const send = visitor.presence;
  visitor.presence = (data) => {
    window.presenceCalls.push(data);
    return send(data);
  };
  window.wiring = Beckon.wirePage(visitor, {
    throttleMs: 100,
    extra: () => ({ c_cart: document.getElementById('items').textContent }),
  });
  visitor.init({ groupId: 'demo', visitorId: vid });
  visitor.connect();
</script>
</body>
</html>`;
}

/** A plain HTML page that only includes the script tag, configured by data attributes. */
export function scriptTagPage(attributes: Record<string, string>): string {
  const attrs = Object.entries(attributes)
    .map(([name, value]) => `${name}="${value.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"`)
    .join(' ');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Plain page</title></head>
<body>
<h1>A plain page</h1>
<a href="#top" id="first">First link</a>
<script src="${BUNDLE_PATH}" ${attrs}></script>
</body>
</html>`;
}

export const TERMS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Terms</title></head>
<body><h1>Terms and conditions</h1><p>Be nice.</p></body></html>`;

/** Where the push tests serve Beckon's worker code (the app's service worker). */
export const SERVICE_WORKER_PATH = '/sw.js';

/**
 * An app page with Web Push: the visitor ID from `?vid=`, else the one this browser used
 * before (`localStorage`, as a logged-in app knows its user), `webPush` with the worker at
 * {@link SERVICE_WORKER_PATH}, the default dialog, `connect({ pushNotifications: true })`.
 * Its visitor's events are in `window.visitorEvents`.
 *
 * @example
 * site.route('/shop.html', pushPage(backend.server.url));
 */
export function pushPage(serverUrl: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Acme shop</title></head>
<body>
<h1>Acme shop</h1>
<button id="notify" type="button">Notify me when support calls</button>
<script src="${BUNDLE_PATH}"></script>
<script>
  const vid = new URLSearchParams(location.search).get('vid') ?? localStorage.getItem('vid');
  localStorage.setItem('vid', vid);
  const push = Beckon.webPush({ serviceWorker: ${JSON.stringify(SERVICE_WORKER_PATH)} });
  const visitor = Beckon.createVisitor({
    transport: Beckon.webSocketTransport({ url: ${JSON.stringify(serverUrl)} }),
    ui: Beckon.createConsentDialog({ locale: 'en' }),
    push,
  });
  window.visitor = visitor;
  window.visitorEvents = [];
  for (const type of ['connected', 'pushEnabled', 'pushUnavailable', 'sendFail', 'signal', 'sessionStart']) {
    visitor.on(type, (event) => window.visitorEvents.push(event));
  }
  visitor.on('connected', ({ connectionId }) => { window.connectionId = connectionId; });
  document.getElementById('notify').addEventListener('click', () => visitor.enablePush());
  Beckon.wirePage(visitor, { throttleMs: 100 });
  visitor.init({ groupId: 'demo', visitorId: vid });
  visitor.connect({ pushNotifications: true });
</script>
</body>
</html>`;
}
