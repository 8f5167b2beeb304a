/**
 * Test pages written only against Glance's web Presence API (the names its public
 * documentation gives), served by the test's web server. Each records what its handlers
 * receive in `window.log`.
 */

const esc = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;');

/** A visitor page that drives presence through the API (`data-presence="api"`). */
export function visitorPage(server: string, visitorId: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Acme checkout</title>
<meta id="glance-cobrowse" data-groupid="12345">
<script src="/glance-presence-visitor.js" data-presence="api" data-locale="en"
        data-presenceserver="${esc(server)}"></script>
</head>
<body>
<h1>Checkout</h1>
<script>
  window.log = [];
  var visitor = new GLANCE.Presence.Visitor({ groupid: 12345, visitorid: ${JSON.stringify(visitorId)} });
  visitor.onerror = function (e) { log.push({ on: 'error', e: e }); };
  visitor.onsignal = function (msg) { log.push({ on: 'signal', msg: msg }); };
  visitor.presence({
    data: { mydata: 'abc', myotherdata: 99999 },
    onsuccess: function () { log.push({ on: 'presence success' }); },
  });
  visitor.connect();
</script>
</body></html>`;
}

/** A page that only includes the script tag: the original's default presence behavior. */
export function plainVisitorPage(server: string, visitorId: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Plain page</title></head>
<body><h1>Just the tag</h1>
<script src="/glance-presence-visitor.js" data-groupid="12345" data-visitorid="${esc(visitorId)}"
        data-presenceserver="${esc(server)}"></script>
</body></html>`;
}

/**
 * An agent page (a CRM widget): authorizes through the app's token URL, then watches one
 * visitor. `window.call(name, params)` runs one of the agent object's requests and resolves
 * with `{ success }` or `{ fail }`.
 */
export function agentPage(
  server: string,
  visitorId: string,
  tokenUrl = '/agent-token',
  token = '',
): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>CRM</title>
<script src="/glance-presence-agent.js" data-groupid="12345" data-presenceserver="${esc(server)}"
        data-tokenurl="${esc(tokenUrl)}"${token ? ` data-authtoken="${esc(token)}"` : ''}></script>
</head>
<body><h1>Visitor ${esc(visitorId)}</h1>
<script>
  window.log = [];
  var agent = new GLANCE.Presence.Agent({ visitorid: ${JSON.stringify(visitorId)} });
  ['onvisitorconn', 'onpresence', 'onterms', 'onvisitorsessionstart', 'onvisitorsessionend',
   'onvisitorerror', 'onvisibility', 'onerror', 'oncart'].forEach(function (name) {
    agent[name] = function (e) { log.push({ on: name, e: e }); };
  });
  window.call = function (name, params) {
    return new Promise(function (resolve) {
      agent[name](Object.assign({}, params, {
        onsuccess: function (result) { resolve({ success: result === undefined ? null : result }); },
        onfail: function (code) { resolve({ fail: code }); },
      }));
    });
  };
  window.authorized = new Promise(function (resolve) {
    if (${JSON.stringify(token)}) { agent.connect(); resolve('preset'); return; }
    GLANCE.Authorization.authorize({
      service: 'presence',
      credentials: { partneruserid: 'agent-7' },
      duration: 60,
      onsuccess: function () { agent.connect(); resolve('ok'); },
      onfail: function (reason) { resolve('failed: ' + reason); },
    });
  });
</script>
</body></html>`;
}
