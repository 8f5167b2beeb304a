// Renders docs/images/consent-dialog.png: the default consent dialog, open over a sample
// page, in the system Chromium. Run `node scripts/screenshot.mjs` after changing the look.
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { buildIife } from './build-iife.mjs';

const out = fileURLToPath(new URL('../../../docs/images/consent-dialog.png', import.meta.url));
const executablePath = process.env.BECKON_CHROMIUM ?? '/usr/bin/chromium';

const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Acme shop</title>
<style>
  body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: #1b1f24; background: #f6f8fa; }
  header { display: flex; align-items: center; gap: 2rem; padding: 1rem 2rem; background: #fff; border-bottom: 1px solid #d0d7de; }
  header b { font-size: 1.25rem; }
  main { display: grid; grid-template-columns: repeat(3, 1fr); gap: 1.5rem; padding: 2rem; }
  .card { background: #fff; border: 1px solid #d0d7de; border-radius: 12px; padding: 1rem; }
  .img { height: 120px; border-radius: 8px; background: linear-gradient(135deg, #c7d2fe, #fbcfe8); }
</style></head>
<body>
<header><b>Acme shop</b><span>Products</span><span>Orders</span><span>Help</span></header>
<main>
  <div class="card"><div class="img"></div><p>Walnut desk</p></div>
  <div class="card"><div class="img"></div><p>Task lamp</p></div>
  <div class="card"><div class="img"></div><p>Office chair</p></div>
  <div class="card"><div class="img"></div><p>Monitor arm</p></div>
  <div class="card"><div class="img"></div><p>Desk mat</p></div>
  <div class="card"><div class="img"></div><p>Cable tray</p></div>
</main>
</body></html>`;

const browser = await chromium.launch({
  executablePath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'],
});
try {
  const context = await browser.newContext({
    viewport: { width: 880, height: 560 },
    deviceScaleFactor: 2,
    reducedMotion: 'reduce',
    colorScheme: 'light',
  });
  const tab = await context.newPage();
  await tab.setContent(page);
  await tab.addScriptTag({ content: await buildIife({ write: false }) });
  await tab.evaluate(() => {
    window.Beckon.createConsentDialog({ locale: 'en' }).show(
      { sessionKey: 'alice-42', termsUrl: 'https://example.com/terms', visitorId: 'alice-42' },
      () => {},
    );
  });
  await tab.locator('dialog').waitFor({ state: 'visible' });
  await mkdir(fileURLToPath(new URL('.', `file://${out}`)), { recursive: true });
  await writeFile(out, await tab.screenshot({ type: 'png' }));
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
}
