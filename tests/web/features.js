/* The page's presets, schedules, history, bedside view, German, and the
 * lines a card keeps when a session ends or its sensor fails. Written to
 * the page's DOM names (section.zone .z-*, #schedules .s-*, #history
 * .h-*, #bedside .b-*, select#lang); each drives the daemon's virtual
 * clock over its control socket and checks the daemon's own answer
 * (/api/status, /api/schedule, /api/sessions) and the relay's record. */
'use strict';

const { startDaemon, phonePage, assert, waitUntil, shot, zone, catalogues, fixedPart,
        nextStatus } = require('./lib');

const { sweep } = require('./states');

const CAT = catalogues();

/* A catalogue text's fixed part when the catalogue has it, else a
 * pattern a page in that language would show. */
function textOrLike(lang, key, like) {
  const t = fixedPart(CAT[lang][key]);
  return t ? (s) => s.includes(t) : (s) => like.test(s);
}

const secsOf = (s) => {
  const m = /(\d+):(\d\d)/.exec(s || '');
  if (m) return +m[1] * 60 + +m[2];
  const n = /(\d+)/.exec(s || '');
  return n ? +n[1] * 60 : NaN;
};

/* A daemon on the control socket, a first reading taken, and the page. */
async function open(opts = {}, pageOpts = {}) {
  const d = await startDaemon(Object.assign({ control: true }, opts));
  const p = await phonePage(pageOpts);
  await d.advance(5);
  p.page.setDefaultTimeout(8000);
  await p.page.goto(d.url);
  await zone(p.page, 'upper_back').locator('.z-start').waitFor();
  return Object.assign({ d }, p);
}

async function close({ d, ctx }) {
  await ctx.close();
  await d.stop();
}

/* Holds the page's status requests: its view stays as it was while the
 * daemon changes, as when an answer is late. */
async function holdStatus(page) {
  let release;
  const gate = new Promise((r) => { release = r; });
  const handler = async (route) => { await gate; await route.continue().catch(() => {}); };
  await page.route('**/api/status', handler);
  return async () => { release(); await page.unroute('**/api/status', handler); };
}

const text = async (loc) => ((await loc.textContent()) || '').trim();

/* A tap's request reaches the daemon in real time (the tap resolves when
 * it is dispatched, not answered): wait for the daemon to have it, then
 * let the virtual clock run the relay. */
async function tapped(d, idx, running) {
  await waitUntil(async () => !!(await d.status()).zones[idx].session === running,
    running ? 'the start to reach the daemon' : 'the stop to reach the daemon');
  await d.until(() => d.relayOn(idx) === running, running ? 'relay on' : 'relay off', 5);
}

module.exports = function featureTests(test) {
  test('presets: High and 20 min start at the default +2 °C for 20 minutes; remembered', async (t) => {
    const o = await open();
    const { d, page } = o;
    try {
      const z = zone(page, 'upper_back');
      const def = (await d.status()).zones[0].defaults.setpoint_c;
      await z.locator('button.z-preset[data-preset="high"]').tap();
      await z.locator('button.z-minutes[data-minutes="20"]').tap();
      /* Idle, the card may show nothing there, or the time a Start would run. */
      const idleCount = (await z.locator('.z-count').isVisible()) ? await text(z.locator('.z-count')) : '';
      /* The page's own status polls are held from the tap on: the
       * countdown must come from the start's answer, not a later poll. */
      const held = [];
      let holding = true;
      const isStatus = (url) => url.pathname === '/api/status';
      await page.route(isStatus, (route) => (holding ? held.push(route) : route.continue()));
      await z.locator('.z-start').tap();
      await waitUntil(async () => { const c = await text(z.locator('.z-count')); return /\d/.test(c) && c !== idleCount; },
        'the countdown from the start\'s answer, with every status poll held', 10000);
      console.log(`     the countdown showed with ${held.length} status poll(s) held`);
      holding = false;
      for (const r of held) await r.continue().catch(() => {});
      await page.unroute(isStatus);
      await d.advance(2);
      const z0 = (await d.status()).zones[0];
      assert(z0.session && Math.abs(z0.setpoint_c - (def + 2)) < 0.01, `daemon setpoint ${z0.setpoint_c}, default ${def}`);
      assert(z0.remaining_s > 19 * 60 && z0.remaining_s <= 20 * 60, 'daemon: about 20 min left: ' + z0.remaining_s);
      assert(d.relayOn(0), 'relay record: on');
      assert(!d.relayOn(1), 'relay record: the other zone off');
      const shown = secsOf(await text(z.locator('.z-count')));
      assert(Math.abs(shown - z0.remaining_s) <= 60, `card says ${shown} s, daemon ${z0.remaining_s} s`);
      assert((await text(z.locator('.z-feedback'))).length > 0, 'an answer beside the tap');
      /* While running: Stop is the largest control, time left the largest figure. */
      const sizes = await z.evaluate((card) => {
        const area = (e) => { const r = e.getBoundingClientRect(); return r.width * r.height; };
        const seen = (e) => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden';
        const stop = card.querySelector('.z-stop');
        const others = [...card.querySelectorAll('button')].filter((b) => b !== stop && seen(b));
        const font = (e) => parseFloat(getComputedStyle(e).fontSize);
        const count = card.querySelector('.z-count');
        const hasText = (e) => [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
        const texts = [...card.querySelectorAll('*')].filter((e) => seen(e) && hasText(e));
        const inCount = texts.filter((e) => count.contains(e));
        return { stop: area(stop), biggestOther: Math.max(0, ...others.map(area)),
                 count: Math.max(0, ...inCount.map(font)),
                 biggestText: Math.max(0, ...texts.filter((e) => !count.contains(e)).map(font)) };
      });
      assert(sizes.stop >= sizes.biggestOther, 'Stop is the big button: ' + JSON.stringify(sizes));
      assert(sizes.count >= sizes.biggestText, 'time left is the largest figure: ' + JSON.stringify(sizes));
      await shot(page, 'preset-high-20-running');
      /* Remembered: stopped, reloaded, one tap on Start uses High and 20 min again. */
      await z.locator('.z-stop').tap();
      await tapped(d, 0, false);
      await page.reload();
      await z.locator('.z-start').waitFor();
      await waitUntil(async () => !(await z.locator('.z-start').isDisabled()), 'Start enabled');
      await z.locator('.z-start').tap();
      await tapped(d, 0, true);
      const again = (await d.status()).zones[0];
      assert(Math.abs(again.setpoint_c - (def + 2)) < 0.01 && again.remaining_s > 19 * 60,
        'the last preset remembered: ' + JSON.stringify({ sp: again.setpoint_c, left: again.remaining_s }));
      /* The other zone, Low and 10 min: its own default -2 °C, 10 minutes. */
      const y = zone(page, 'lower_back');
      const def1 = (await d.status()).zones[1].defaults.setpoint_c;
      await y.locator('button.z-preset[data-preset="low"]').tap();
      await y.locator('button.z-minutes[data-minutes="10"]').tap();
      await y.locator('.z-start').tap();
      await tapped(d, 1, true);
      const z1 = (await d.status()).zones[1];
      assert(Math.abs(z1.setpoint_c - (def1 - 2)) < 0.01 && z1.remaining_s > 9 * 60 && z1.remaining_s <= 600,
        'Low and 10 min on the other zone: ' + JSON.stringify({ sp: z1.setpoint_c, def: def1, left: z1.remaining_s }));
      assert(Math.abs((await d.status()).zones[0].setpoint_c - (def + 2)) < 0.01, 'the first zone kept High');
    } finally { await close(o); }
  });

  test('schedules: add, change and delete on the page; a refusal shows its reason and changes nothing', async (t) => {
    const o = await open();
    const { d, page } = o;
    const schedule = async () => (await d.api('GET', '/api/schedule')).body;
    try {
      const root = page.locator('#schedules');
      const form = root.locator('form.s-form');
      assert((await schedule()).length === 0, 'no schedule at first');
      await root.locator('button.s-add').tap();
      await form.waitFor({ state: 'visible' });
      await form.locator('select[name=zone]').selectOption('upper_back');
      for (const day of ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'])
        await form.locator(`input[name=day][value=${day}]`).setChecked(day === 'mon' || day === 'wed');
      await form.locator('input[name=start]').fill('21:30');
      await form.locator('input[name=minutes]').fill('25');
      await form.locator('input[name=setpoint_c]').fill('39');
      await form.locator('input[name=enabled]').setChecked(true);
      await sweep(page, 'schedule-form', t.found);
      await form.locator('button.s-save').tap();
      await waitUntil(async () => (await schedule()).length === 1, 'the daemon to have the entry');
      const e = (await schedule())[0];
      assert(e.zone === 'upper_back' && JSON.stringify(e.days) === '["mon","wed"]' && e.start === '21:30' &&
        e.minutes === 25 && e.setpoint_c === 39 && e.enabled === true, 'the entry as entered: ' + JSON.stringify(e));
      await waitUntil(async () => (await root.locator('.s-row').count()) === 1, 'one row');
      assert(/21:30/.test(await text(root.locator('.s-row').first())), 'the row shows its time');
      /* The next one shows on its zone's card (Tue 20:00 now: Wed 21:30). */
      await waitUntil(async () => /21:30/.test(await text(zone(page, 'upper_back').locator('.z-next'))),
        'the next scheduled session on the card');
      await shot(page, 'schedule-added');

      await root.locator('.s-row').first().locator('button.s-edit').tap();
      await form.waitFor({ state: 'visible' });
      await form.locator('input[name=minutes]').fill('30');
      await form.locator('button.s-save').tap();
      await waitUntil(async () => (await schedule())[0].minutes === 30, 'the change on the daemon');
      const changed = await schedule();
      assert(changed.length === 1 && changed[0].start === '21:30' && changed[0].setpoint_c === 39,
        'only the minutes changed: ' + JSON.stringify(changed));

      /* A value the daemon refuses (over the zone's 42 °C), past the form's own
       * limits so the daemon is the one asked. */
      await root.locator('.s-row').first().locator('button.s-edit').tap();
      await form.waitFor({ state: 'visible' });
      const puts = [];
      page.on('response', (r) => { if (/\/api\/schedule/.test(r.url()) && r.request().method() !== 'GET') puts.push(r.status()); });
      await form.evaluate((f) => { f.noValidate = true; for (const i of f.querySelectorAll('input')) { i.removeAttribute('min'); i.removeAttribute('max'); } });
      await form.locator('input[name=setpoint_c]').fill('50');
      await form.locator('button.s-save').tap();
      await waitUntil(async () => (await text(root.locator('.s-feedback'))).length > 0, 'the reason in .s-feedback');
      await page.waitForTimeout(500);
      assert(JSON.stringify(await schedule()) === JSON.stringify(changed), 'nothing changed on the daemon: ' + JSON.stringify(await schedule()));
      assert(puts.every((s) => s >= 400), 'the daemon refused what it was sent: ' + puts);
      console.log(`     refusal shown: "${await text(root.locator('.s-feedback'))}"`);
      await sweep(page, 'schedule-refused', t.found);
      if (await root.locator('button.s-cancel').isVisible()) await root.locator('button.s-cancel').tap();

      page.on('dialog', (dlg) => dlg.accept());
      await root.locator('.s-row').first().locator('button.s-delete').tap();
      await page.waitForTimeout(500);
      /* A delete may ask for a second tap, as the record's Clear does. */
      if ((await schedule()).length && await root.locator('.s-row button.s-delete').count())
        await root.locator('.s-row').first().locator('button.s-delete').tap();
      await waitUntil(async () => (await schedule()).length === 0, 'the delete on the daemon');
      await waitUntil(async () => (await root.locator('.s-row').count()) === 0, 'no rows');
      assert(d.relay().every((r) => !r.on), 'relay record: never on');
    } finally { await close(o); }
  });

  test('history after two sessions: two rows, newest first, how each ended', async (t) => {
    const o = await open();
    const { d, page } = o;
    try {
      const z = zone(page, 'upper_back');
      await z.locator('button.z-minutes[data-minutes="10"]').tap();
      await z.locator('.z-start').tap();
      await tapped(d, 0, true);
      await d.advance(601);
      await d.until(async () => !(await d.status()).zones[0].session, 'time up', 10);
      await nextStatus(page);
      await waitUntil(async () => !(await z.locator('.z-start').isDisabled()), 'Start enabled');
      await z.locator('.z-start').tap();
      await tapped(d, 0, true);
      await d.advance(60);
      await nextStatus(page);
      await z.locator('.z-stop').tap();
      await tapped(d, 0, false);
      const log = (await d.api('GET', '/api/sessions?zone=upper_back')).body.sessions;
      assert(log && log.length === 2, 'daemon: two sessions: ' + JSON.stringify(log));
      assert(log[0].end === 'stopped' && log[1].end === 'time_up' && log[0].started_at > log[1].started_at,
        'daemon: newest first: ' + JSON.stringify(log));
      const ons = d.relay().filter((r) => r.zone === 0);
      assert(ons.length >= 2 && ons.some((r) => r.on) && !ons[ons.length - 1].on, 'relay record: on, then off');
      const rows = page.locator('#history table.h-table[data-zone="upper_back"] tr.h-row');
      await waitUntil(async () => (await rows.count()) === 2, 'two rows in the history', 10000);
      const r0 = await text(rows.nth(0)), r1 = await text(rows.nth(1));
      assert(textOrLike('en', 'daemon.end.stopped', /stop/i)(r0), 'newest row says stopped: ' + r0);
      assert(textOrLike('en', 'daemon.end.time_up', /time/i)(r1), 'older row says time up: ' + r1);
      assert(await page.locator('#history table.h-table[data-zone="lower_back"] tr.h-row').count() === 0,
        'nothing on the other zone');
      await page.locator('#history').scrollIntoViewIfNeeded();
      await sweep(page, 'history-two', t.found);
    } finally { await close(o); }
  });

  test('bedside view: opens full screen with the countdown; its Stop stops the relay', async (t) => {
    const o = await open();
    const { d, page } = o;
    try {
      assert((await d.api('POST', '/api/zones/upper_back/start', {})).status === 200, 'start');
      await d.advance(5);
      assert(d.relayOn(0), 'relay on');
      await nextStatus(page);
      const z = zone(page, 'upper_back');
      await z.locator('button.z-bedside').tap();
      const b = page.locator('#bedside');
      await b.waitFor({ state: 'visible' });
      assert(await b.getAttribute('role') === 'dialog', 'a dialog');
      const box = await b.boundingBox();
      const vp = page.viewportSize();
      assert(box.width >= vp.width - 1 && box.height >= vp.height - 1, 'full screen: ' + JSON.stringify(box));
      const left = (await d.status()).zones[0].remaining_s;
      const shown = secsOf(await text(b.locator('.b-count')));
      assert(Math.abs(shown - left) <= 60, `bedside countdown ${shown} s, daemon ${left} s`);
      assert(/\d/.test(await text(b.locator('.b-temp'))), 'temperature shown');
      assert((await text(b.locator('.b-wake'))).length > 0, 'says whether the screen stays on');
      await d.advance(120);
      await waitUntil(async () => secsOf(await text(b.locator('.b-count'))) < shown - 60, 'the countdown to go down');
      await sweep(page, 'bedside', t.found, { fullPage: false });
      await b.locator('.b-stop').tap();
      await tapped(d, 0, false);
      assert(!(await d.status()).zones[0].session, 'daemon: stopped');
      await b.locator('.b-close').tap();
      await b.waitFor({ state: 'hidden' });
    } finally { await close(o); }
  });

  test('German: the page and a daemon refusal in German; back to English', async (t) => {
    const o = await open();
    const { d, page } = o;
    try {
      const z = zone(page, 'upper_back');
      const enState = await text(z.locator('.z-state'));
      await page.locator('select#lang').selectOption('de');
      await waitUntil(async () => (await page.getAttribute('html', 'lang')) === 'de', '<html lang="de">');
      await z.locator('.z-start').waitFor();
      await waitUntil(async () => (await text(z.locator('.z-state'))) !== enState, 'the state in German');
      assert(await page.evaluate(() => localStorage.getItem('heatpad-lang')) === 'de', 'the choice kept');
      const body = await page.locator('body').innerText();
      const enValues = new Set(Object.values(CAT.en));
      const german = Object.values(CAT.de).map(fixedPart).filter((s) => s.length >= 8 && !enValues.has(s));
      const found = german.filter((s) => body.includes(s));
      assert(found.length >= 3, 'German catalogue texts on the page: ' + JSON.stringify(found.slice(0, 5)));
      assert(!/Gentle heat can help/.test(body), 'no English guidance left');
      /* A Start the daemon refuses (the record taken while the page's view is
       * a moment old): its reason in German beside the tap. */
      const release = await holdStatus(page);
      let english;
      try {
        assert((await d.api('POST', '/api/injury', { injury: true, minutes_ago: 0 })).status === 200, 'record');
        english = (await d.api('POST', '/api/zones/upper_back/start', {})).body;
        assert(english.code === 'cold_rule', 'daemon refuses: ' + JSON.stringify(english));
        await z.locator('.z-start').tap();
        const de = fixedPart(CAT.de['daemon.code.cold_rule']);
        assert(de, 'the German catalogue has daemon.code.cold_rule');
        await waitUntil(async () => (await text(z.locator('.z-feedback'))).includes(de), 'the refusal in German', 5000);
      } finally { await release(); }
      assert(!(await text(z.locator('.z-feedback'))).includes(english.message), 'not the English message');
      await d.advance(2);
      assert(d.relay().every((r) => !r.on), 'relay record: never on');
      await sweep(page, 'german-refused', t.found);
      await page.locator('select#lang').selectOption('en');
      await waitUntil(async () => (await page.getAttribute('html', 'lang')) === 'en', 'back to English');
    } finally { await close(o); }
  });

  test('a session that ends leaves a line on its card: when and why', async (t) => {
    const o = await open();
    const { d, page } = o;
    try {
      const z = zone(page, 'upper_back');
      await z.locator('button.z-minutes[data-minutes="10"]').tap();
      await z.locator('.z-start').tap();
      await tapped(d, 0, true);
      await d.advance(601);
      await d.until(async () => !(await d.status()).zones[0].session, 'time up', 10);
      const last = (await d.status()).zones[0].last_session;
      assert(last && last.end === 'time_up', 'daemon: last session ended time_up: ' + JSON.stringify(last));
      assert(!d.relayOn(0), 'relay record: off');
      await z.locator('.z-ended').waitFor({ state: 'visible' });
      const line = await text(z.locator('.z-ended'));
      assert(/20:10/.test(line), 'says when (20:10): ' + line);
      assert(textOrLike('en', 'daemon.end.time_up', /time/i)(line), 'says why: ' + line);
      assert(await z.locator('.z-count').isHidden() || !/\d/.test(await text(z.locator('.z-count'))), 'no countdown');
      await sweep(page, 'ended-line', t.found);
    } finally { await close(o); }
  });

  test('a sensor fault: the card says no reading, not the last temperature', async (t) => {
    const o = await open({ args: ['--sim-fault', 'upper back:sensor_disconnect@60'] });
    const { d, page } = o;
    try {
      const z = zone(page, 'upper_back');
      await waitUntil(async () => /\d/.test(await text(z.locator('.z-temp'))), 'a temperature at first');
      await z.locator('.z-start').tap();
      await tapped(d, 0, true);
      await d.until(async () => (await d.status()).zones[0].fault, 'the fault', 90);
      await d.advance(2);
      assert(!d.relayOn(0), 'relay record: off on the fault');
      assert(!(await d.status()).zones[0].session, 'daemon: no session');
      await waitUntil(async () => !/\d/.test(await text(z.locator('.z-temp'))), 'no temperature on the card');
      const shown = await text(z.locator('.z-temp'));
      const noReading = Object.entries(CAT.en).find(([k, v]) => k.startsWith('page.') && /no reading/i.test(v));
      assert(noReading ? shown.includes(fixedPart(noReading[1])) : /no reading/i.test(shown), 'says no reading: ' + shown);
      await sweep(page, 'fault-line', t.found);
    } finally { await close(o); }
  });
  test('PIN: Log out is there only with a PIN, and ends the session', async (t) => {
    const plain = await open();
    try {
      assert(!(await plain.page.locator('button#logout').isVisible()), 'no Log out without a PIN');
    } finally { await close(plain); }
    const o = await open({ pin: '5820' });
    const { d, page, ctx } = o;
    try {
      const [name, value] = (await d.login('5820')).split('=');
      await ctx.addCookies([{ name, value, url: d.url }]);
      await page.reload();
      const z = zone(page, 'upper_back');
      await waitUntil(async () => !(await z.locator('.z-start').isDisabled()), 'Start unlocked');
      await page.locator('button#logout').tap();
      await waitUntil(async () => !(await page.evaluate(async () =>
        (await (await fetch('/api/status')).json()).auth.may_change)), 'the daemon to end the session');
      await waitUntil(() => z.locator('.z-start').isDisabled(), 'Start locked again');
      const start = await page.evaluate(async () => (await fetch('/api/zones/upper_back/start',
        { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } })).status);
      assert(start === 401, 'a start after logging out: ' + start);
      assert(d.relay().every((r) => !r.on), 'relay record: never on');
      await sweep(page, 'pin-logged-out', t.found);
    } finally { await close(o); }
  });
};
