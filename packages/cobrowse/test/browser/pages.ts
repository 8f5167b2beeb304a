/** The pages of the co-browse browser tests, served by `startStaticServer`. */

/** A page with every kind of field the privacy rules treat differently. */
export const VISITOR_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Account settings</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 24px; background: #f8fafc; color: #0f172a; }
  label { display: block; margin: 12px 0 4px; font-weight: 600; }
  input, textarea { font: inherit; padding: 6px 8px; width: 320px; }
  .card { background: #fff; border: 1px solid #cbd5e1; border-radius: 8px; padding: 16px; margin-top: 16px; width: 420px; }
  h1 { color: #0f766e; }
</style></head>
<body>
<h1 id="title">Account settings</h1>
<label for="search">Search the help centre (shared with the agent)</label>
<input id="search" data-beckon-unmask placeholder="Search">
<label for="name">Full name (masked)</label>
<input id="name">
<label for="pw">Password (never shared)</label>
<input id="pw" type="password">
<label for="note">Note (masked)</label>
<textarea id="note"></textarea>
<div class="card" data-beckon-private id="account"><strong>Bank account</strong><p>IBAN DE89 3704 0044 0532 0130 00</p></div>
<div class="card" contenteditable id="editor">Draft: </div>
<input type="hidden" name="csrf" value="HIDDEN-CSRF-TOKEN-77">
<script type="module" src="/visitor.js"></script>
</body></html>`;

/** The agent's page: a fixed-size box the view is fitted into. */
export const VIEWER_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Viewer</title>
<style>body { margin: 0; background: #e2e8f0; } #view { width: 800px; height: 500px; margin: 20px; background: #fff; }</style>
</head><body><div id="view"></div><script type="module" src="/viewer.js"></script></body></html>`;
