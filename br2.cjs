const { chromium } = require('/work/main/tests/web/node_modules/playwright-core');
(async () => {
  const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  for (const locale of ['de-DE', 'en-GB']) {
    const ctx = await b.newContext({ locale, timezoneId: 'Europe/Berlin' });
    const p = await ctx.newPage();
    const errs = []; p.on('pageerror', (e) => errs.push(String(e)));
    const bad = []; p.on('response', (r) => { if (r.url().includes('/i18n/') && r.status() !== 200) bad.push(r.status() + ' ' + r.url()); });
    await p.goto('http://127.0.0.1:8938/index.html');
    await p.waitForTimeout(1500);
    const r = await p.evaluate(() => ({ lang: document.documentElement.lang, title: document.title, h1: (document.querySelector('h1') || {}).textContent, keysShown: (document.body.innerText.match(/\b(page|daemon|plan|bedside)\.[a-z_.]+/g) || []).slice(0, 5) }));
    console.log(locale, JSON.stringify(r), 'i18n non-200:', bad, 'errors:', errs.slice(0, 3));
    await ctx.close();
  }
  await b.close();
})().catch((e) => { console.error(e); process.exit(1); });
