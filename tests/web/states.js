/* Every state of the page, each brought about through the daemon (its API,
 * its config, an injected fault, its virtual clock), then looked at in
 * light and dark at 390x844 and 360x740: axe, tap targets, text sizes, a
 * screenshot each (build/screenshots/<state>-<scheme>-<width>.png), and
 * sideways scrolling at 320 px and 200 % zoom. Driven from outside the
 * page, so it runs on any version of the page. */
'use strict';

const fs = require('fs');
const path = require('path');
const { SHOTS, startDaemon, phonePage, assert, waitUntil, nextStatus } = require('./lib');
const checks = require('./checks');

const SIZES = [{ width: 390, height: 844 }, { width: 360, height: 740 }];
const SCHEMES = ['light', 'dark'];

/* Looks at the page as it is now in every scheme and size; the problems
 * go to `found` (the runner fails the test with them). A full-screen view
 * (fullPage: false) is shot as the screen shows it, not the page under it. */
async function sweep(page, state, found, { fullPage = true } = {}) {
  for (const scheme of SCHEMES) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const size of SIZES) {
      await page.setViewportSize(size);
      await page.waitForTimeout(200);
      const label = `${state} ${scheme} ${size.width}`;
      found.push(...await checks.checkHere(page, label));
      fs.mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, `${state}-${scheme}-${size.width}.png`), fullPage });
    }
  }
  await page.emulateMedia({ colorScheme: 'dark' });
  found.push(...await checks.reflow(page, state));
  await page.setViewportSize({ width: 160, height: 320 });
  await page.waitForTimeout(150);
  await page.screenshot({ path: path.join(SHOTS, `${state}-zoom200.png`), fullPage });
  await page.setViewportSize(SIZES[0]);
}

/* One state: its daemon, how to get there, and what the daemon must say
 * once there (so the sweep never looks at the wrong state). */
const STATES = [
  { name: 'idle', go: async () => {},
    is: (st) => !st.zones[0].session && st.zones[0].temp_c !== null },
  { name: 'running', go: async (d) => d.api('POST', '/api/zones/upper_back/start', {}),
    advance: 30, is: (st) => st.zones[0].session && st.zones[0].relay },
  { name: 'ended', go: async (d) => d.api('POST', '/api/zones/upper_back/start', { minutes: 1 }),
    advance: 70, is: (st) => !st.zones[0].session && !st.zones[0].relay },
  { name: 'fault', opts: { args: ['--sim-fault', 'upper back:sensor_disconnect@20'] },
    go: async (d) => d.api('POST', '/api/zones/upper_back/start', {}),
    advance: 40, is: (st) => st.zones[0].fault },
  { name: 'blocked', go: async (d) => d.api('POST', '/api/injury', { injury: true, minutes_ago: 0 }),
    is: (st) => st.guidance.heat_blocked },
  { name: 'warning-signs', go: async (d) => d.api('POST', '/api/injury', { pain_worsening: true }),
    is: (st) => st.guidance.kind === 'consult' },
  { name: 'urgent-signs', go: async (d) => d.api('POST', '/api/injury', { urgent_signs: true }),
    is: (st) => st.guidance.kind === 'urgent' },
  { name: 'quiet-hours', opts: { start: '2026-11-24T23:30' }, go: async () => {},
    is: (st) => st.quiet_hours.active },
  { name: 'pin', opts: { pin: '5820' }, go: async () => {},
    is: (st) => st.auth.pin_required && !st.auth.may_change },
  { name: 'pin-unlocked', opts: { pin: '5820' },
    go: async (d, page, ctx) => {
      const [name, value] = (await d.login('5820')).split('=');
      await ctx.addCookies([{ name, value, url: d.url }]);
      await page.reload();
      const auth = await page.evaluate(async () => (await (await fetch('/api/status')).json()).auth);
      assert(auth.may_change, 'the page has the session: ' + JSON.stringify(auth));
    },
    is: (st) => st.auth.pin_required },
  { name: 'offline', go: async () => {}, is: () => true, offline: true },
];

function stateTests(test) {
  for (const s of STATES) {
    test(`states: ${s.name}, light and dark, 390 and 360 px`, async (t) => {
      const d = await startDaemon(Object.assign({ control: true }, s.opts || {}));
      const { ctx, page } = await phonePage();
      try {
        await d.advance(5);                /* a first reading on every zone */
        await page.goto(d.url);
        await page.waitForLoadState('networkidle').catch(() => {});
        const r = await s.go(d, page, ctx);
        if (r && r.status >= 400) throw new Error(`${s.name}: the daemon refused: ${JSON.stringify(r.body)}`);
        if (s.advance) await d.advance(s.advance);
        const st = await d.status();
        assert(s.is(st), `${s.name}: the daemon is in that state: ` + JSON.stringify(st).slice(0, 600));
        if (s.offline) {
          let failed = 0;
          page.on('requestfailed', () => failed++);
          await d.halt();
          await waitUntil(() => failed >= 2, 'the page to find the daemon gone', 15000);
          await page.waitForTimeout(1500);
        } else {
          await nextStatus(page);
          await nextStatus(page);
        }
        await sweep(page, s.name, t.found);
      } finally {
        await ctx.close();
        await d.stop();
      }
    });
  }
}

module.exports = { stateTests, sweep };
