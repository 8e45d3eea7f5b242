#!/usr/bin/env node
/* Browser tests of the status page: Debian's Chromium, headless, driven by
 * playwright-core at a 390x844 phone viewport, against build/heatpadd in
 * simulation mode. Each test checks the page and the simulated relay's own
 * record, and saves a screenshot under build/screenshots/. Ends with
 * "browser: N passed, N failed". */
'use strict';

const { chromium } = require('playwright-core');
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const readline = require('readline');

const ROOT = path.resolve(__dirname, '..', '..');
const DAEMON = path.join(ROOT, 'build', 'heatpadd');
const SHOTS = path.join(ROOT, 'build', 'screenshots');
const TZ = 'Europe/Berlin';
const PHONE = { width: 390, height: 844 };

/* One daemon in its own temp dir; resolves when its page is listening. */
async function startDaemon({ pin, speed = 30, start = '2026-11-24T20:00', args = [] } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heatpad-web-'));
  const http = { listen: '127.0.0.1', port: 0, web_root: path.join(ROOT, 'web') };
  if (pin) http.pin = pin;
  /* A generous sensor timeout: at 300x, 5 virtual seconds are 17 real
   * milliseconds, less than a busy machine may take to schedule a reader. */
  const limits = { sensor_timeout_s: 60 };
  const cfg = {
    device_id: 'bedroom',
    quiet_hours: { enabled: true, start: '23:00', end: '07:00' },
    http,
    zones: [
      { name: 'upper back', sensor: { type: 'sim', seed: 1 }, relay: { type: 'sim' },
        limits, session: { default_minutes: 20, default_setpoint_c: 40 } },
      { name: 'lower back', sensor: { type: 'sim', seed: 2 }, relay: { type: 'sim' }, limits },
    ],
  };
  const cfgPath = path.join(dir, 'config.json');
  fs.writeFileSync(cfgPath, JSON.stringify(cfg));
  const relayLog = path.join(dir, 'relay.log');
  const proc = spawn(DAEMON, ['--config', cfgPath, '--state-file', path.join(dir, 'state.json'),
    '--log-format', 'json', '--status-every', '0', '--sim-relay-log', relayLog,
    '--sim-speed', String(speed), '--sim-start', start].concat(args),
  { env: Object.assign({}, process.env, { TZ }), stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = [];
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('daemon did not start its page')), 10000);
    readline.createInterface({ input: proc.stdout }).on('line', (line) => {
      lines.push(line);
      const m = /status page on (http:\/\/[^ /]+\/)/.exec(line);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    proc.on('exit', (code) => reject(new Error('daemon exited with ' + code)));
  });
  return {
    url, proc, lines,
    relay() {
      if (!fs.existsSync(relayLog)) return [];
      return fs.readFileSync(relayLog, 'utf8').trim().split('\n').filter(Boolean)
        .map((l) => l.split(' '))
        // "MONO ZONE on|off WALL PAD_C"; fault and clock lines are not switches
        .filter(([, , st]) => st === 'on' || st === 'off')
        .map(([ms, zone, st]) => ({ ms: +ms, zone: +zone, on: st === 'on' }));
    },
    relayOn(zone) {
      const rows = this.relay().filter((r) => r.zone === zone);
      return rows.length ? rows[rows.length - 1].on : false;
    },
    async stop() {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.exitCode !== null ? r() : proc.on('exit', r));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

let browser;

async function phonePage(opts = {}) {
  const ctx = await browser.newContext({
    viewport: opts.viewport || PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
    colorScheme: 'dark', timezoneId: TZ, locale: 'en-GB',
  });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => { throw new Error('page error: ' + e.message); });
  return { ctx, page };
}

function assert(cond, msg) { if (!cond) throw new Error('assertion failed: ' + msg); }

async function waitUntil(fn, what, ms = 10000) {
  const end = Date.now() + ms;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, name + '.png'), fullPage: true });
}

const zone = (page, id) => page.locator(`section.zone[data-zone="${id}"]`);

const TESTS = [];
const test = (name, fn) => TESTS.push({ name, fn });

test('tap Start: the relay turns on and the countdown runs', async () => {
  const d = await startDaemon();
  const { ctx, page } = await phonePage();
  try {
    await page.goto(d.url);
    const z = zone(page, 'upper_back');
    await z.locator('.z-start').waitFor();
    assert(await z.locator('.z-state').textContent() === 'idle', 'idle at first');
    assert(!d.relayOn(0), 'relay off before Start');
    await z.locator('.z-min-inc').tap();          /* 20 -> 25 minutes */
    assert(await z.locator('.z-min').textContent() === '25 min', 'minutes picker');
    await z.locator('.z-start').tap();
    await waitUntil(() => d.relayOn(0), 'the simulated relay to switch on');
    await z.locator('.z-count').waitFor({ state: 'visible' });
    const first = await z.locator('.z-count').textContent();
    assert(/^2[45]:\d\d left · off at \d\d:\d\d$/.test(first), 'countdown text: ' + first);
    await waitUntil(async () => (await z.locator('.z-count').textContent()) !== first,
      'the countdown to move');
    const later = await z.locator('.z-count').textContent();
    const secs = (t) => { const [m, s] = t.split(' ')[0].split(':'); return +m * 60 + +s; };
    assert(secs(later) < secs(first), `countdown went down: ${first} -> ${later}`);
    assert(await z.locator('.z-state').textContent() === 'heating', 'badge says heating');
    assert(await z.locator('.z-set').textContent() === '40.0', 'target shown');
    assert(!d.relayOn(1), 'the other zone stayed off');
    await page.waitForTimeout(300);
    await shot(page, '01-heating');
  } finally {
    await ctx.close();
    await d.stop();
  }
});

test('an auto-off (simulated clock) shows without a reload', async () => {
  const d = await startDaemon({ speed: 60 });
  const { ctx, page } = await phonePage();
  try {
    await page.goto(d.url);
    const z = zone(page, 'lower_back');
    await z.locator('.z-start').waitFor();
    /* Down to 1 minute: 60 virtual seconds are one real second. */
    for (let i = 0; i < 8; i++) await z.locator('.z-min-dec').tap();
    assert(await z.locator('.z-min').textContent() === '1 min', 'one minute picked');
    await z.locator('.z-start').tap();
    await waitUntil(() => d.relayOn(1), 'relay on');
    await z.locator('.z-count').waitFor({ state: 'visible' });
    let navigations = 0;
    page.on('framenavigated', () => navigations++);
    await waitUntil(async () => (await z.locator('.z-state').textContent()) === 'idle',
      'the page to show the session ended', 15000);
    assert(await z.locator('.z-count').isHidden(), 'countdown gone');
    assert(!d.relayOn(1), 'relay off after auto-off');
    assert(navigations === 0, 'no reload happened');
    assert(d.lines.some((l) => { const e = JSON.parse(l); return e.event === 'session_end' && e.reason === 'time_up'; }),
      'the daemon logged time_up');
    await shot(page, '02-auto-off');
    /* A start from elsewhere (here a plain HTTP client, as MQTT or a
     * schedule would be) shows within 2 s as well. */
    const res = await fetch(d.url + 'api/zones/upper_back/start', { method: 'POST', body: '{}' });
    assert(res.status === 200, 'start from outside: ' + res.status);
    const t0 = Date.now();
    await waitUntil(async () => (await zone(page, 'upper_back').locator('.z-state').textContent()) !== 'idle',
      'the outside start to show', 2000);
    console.log(`     a start made elsewhere showed on the page after ${Date.now() - t0} ms`);
    assert(navigations === 0, 'still no reload');
  } finally {
    await ctx.close();
    await d.stop();
  }
});

test('record an injury: Start is disabled with the reason, guidance says cold', async () => {
  const d = await startDaemon();
  const { ctx, page } = await phonePage();
  try {
    await page.goto(d.url);
    const z = zone(page, 'upper_back');
    await z.locator('.z-start').tap();
    await waitUntil(() => d.relayOn(0), 'relay on');
    assert((await page.locator('#g-title').textContent()) === 'Gentle heat can help', 'heat guidance first');
    await page.locator('#f-injury').check();
    await page.locator('#f-swelling').check();
    await page.locator('#acute-form button[type=submit]').tap();
    await waitUntil(async () => (await page.locator('#g-title').textContent()) === 'Cold for now, not heat',
      'cold guidance');
    await waitUntil(() => !d.relayOn(0), 'the running session to end (relay off)');
    const start = z.locator('.z-start');
    await waitUntil(() => start.isDisabled(), 'Start disabled');
    const reason = await z.locator('.z-reason').textContent();
    /* 20:00 + 48 h on the simulated clock: Thu 26 Nov 20:00 (give or take the
     * seconds the run took at 30x). */
    assert(/^Heat is off until Thu 26 Nov 20:0\d \(48 hours/.test(reason), 'reason: ' + reason);
    assert(/wrapped|towel/.test(await page.locator('#g-text').textContent()), 'cold-pack advice');
    assert(/never put ice straight on the skin/i.test(await page.locator('#g-text').textContent()), 'no ice on skin');
    assert(/not medical advice/.test(await page.locator('#g-disclaimer').textContent()), 'disclaimer');
    assert(/On record: Injury and swelling/.test(await page.locator('#record-state').textContent()), 'record shown');
    /* The page cannot get round it either: a start through the API is refused. */
    const refused = await page.evaluate(async () => {
      const r = await fetch('/api/zones/upper_back/start', { method: 'POST',
        headers: { 'Content-Type': 'application/json' }, body: '{}' });
      return { status: r.status, body: await r.json() };
    });
    assert(refused.status === 409 && refused.body.code === 'cold_rule', 'API refusal ' + JSON.stringify(refused));
    await page.locator('#record').scrollIntoViewIfNeeded();
    await shot(page, '03-injury-cold');

    /* Clearing takes two taps. */
    await page.locator('#clear-record').tap();
    assert(/Tap again/.test(await page.locator('#clear-record').textContent()), 'armed');
    assert((await page.locator('#g-title').textContent()) === 'Cold for now, not heat', 'one tap clears nothing');
    await page.locator('#clear-record').tap();
    await waitUntil(async () => (await page.locator('#g-title').textContent()) === 'Gentle heat can help',
      'heat guidance back');
    await waitUntil(async () => !(await start.isDisabled()), 'Start enabled again');
  } finally {
    await ctx.close();
    await d.stop();
  }
});

test('warning signs: "see a doctor" is shown above everything else', async () => {
  const d = await startDaemon();
  const { ctx, page } = await phonePage();
  try {
    await page.goto(d.url);
    await zone(page, 'upper_back').locator('.z-start').waitFor();
    assert(await page.locator('#consult').isHidden(), 'no consult panel at first');
    await page.locator('#f-nerve').check();
    await page.locator('#signs-form button[type=submit]').tap();
    await page.locator('#consult').waitFor({ state: 'visible' });
    assert((await page.locator('#consult-title').textContent()) === 'Please see a doctor', 'consult title');
    const top = async (sel) => (await page.locator(sel).first().boundingBox()).y;
    assert(await top('#consult') < await top('section.zone'), 'consult above the zones');
    assert(await page.locator('#guidance').isHidden(), 'the heat panel gives way to it');
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, '04-consult');
  } finally {
    await ctx.close();
    await d.stop();
  }
});

test('PIN: changes need it; a wrong one is refused; a right one unlocks', async () => {
  const d = await startDaemon({ pin: '2468' });
  const { ctx, page } = await phonePage();
  try {
    await page.goto(d.url);
    const z = zone(page, 'upper_back');
    await page.locator('#pin').waitFor({ state: 'visible' });
    await waitUntil(() => z.locator('.z-start').isDisabled(), 'Start locked');
    assert(/PIN/.test(await z.locator('.z-reason').textContent()), 'says the PIN is needed');
    await shot(page, '05-pin-locked');
    await page.locator('#pin-input').fill('1111');
    await page.locator('#pin-form button').tap();
    await waitUntil(async () => /wrong PIN/.test(await page.locator('#pin-msg').textContent()), 'wrong PIN message');
    assert(await page.locator('#pin').isVisible(), 'still locked');
    await page.locator('#pin-input').fill('2468');
    await page.locator('#pin-form button').tap();
    await page.locator('#pin').waitFor({ state: 'hidden' });
    const cookie = (await ctx.cookies()).find((c) => c.name === 'heatpad_session');
    assert(cookie && cookie.httpOnly && cookie.sameSite === 'Strict', 'session cookie HttpOnly, SameSite=Strict');
    assert(await page.evaluate(() => document.cookie) === '', 'script cannot read the cookie');
    await z.locator('.z-start').tap();
    await waitUntil(() => d.relayOn(0), 'relay on after unlocking');
    await shot(page, '06-pin-unlocked');
  } finally {
    await ctx.close();
    await d.stop();
  }
});

test('the chart draws the last hour of temperature and target', async () => {
  /* 300x: an hour of virtual time in 12 real seconds. */
  const d = await startDaemon({ speed: 300, start: '2026-11-24T19:00' });
  const { ctx, page } = await phonePage();
  try {
    await page.goto(d.url);
    const z = zone(page, 'upper_back');
    await z.locator('.z-start').waitFor();
    for (let i = 0; i < 8; i++) await z.locator('.z-min-inc').tap();  /* 60 min */
    assert(await z.locator('.z-min').textContent() === '60 min', '60 minutes picked');
    await z.locator('.z-start').tap();
    /* Most of an hour, with the session still running. */
    const points = async () => z.locator('path.temp-line').evaluate(
      (p) => (p.getAttribute('d').match(/[ML]/g) || []).length).catch(() => 0);
    await waitUntil(async () => (await points()) > 300, 'an hour of points', 30000);
    const setPoints = await z.locator('path.set-line').evaluate(
      (p) => (p.getAttribute('d').match(/[ML]/g) || []).length);
    assert(setPoints > 200, 'target line drawn: ' + setPoints);
    /* The line climbs: its last point sits higher (smaller y) than its first. */
    const ys = await z.locator('path.temp-line').evaluate((p) =>
      p.getAttribute('d').split(/[ML]/).filter(Boolean).map((s) => +s.trim().split(' ')[1]));
    assert(ys[ys.length - 1] < ys[0] - 40, 'temperature rises on the chart: ' + ys[0] + ' -> ' + ys[ys.length - 1]);
    await z.scrollIntoViewIfNeeded();
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, '08-chart-hour.png') });
  } finally {
    await ctx.close();
    await d.stop();
  }
});

test('a fault is shown plainly, with what to do, and cleared with a tap', async () => {
  /* At 30x: the sensor fails 5 real seconds in and heals 5 seconds later. */
  const d = await startDaemon({ args: ['--sim-fault', 'upper back:sensor_disconnect@150',
                                       '--sim-fault', 'upper back:heal@300'] });
  const { ctx, page } = await phonePage();
  try {
    await page.goto(d.url);
    const z = zone(page, 'upper_back');
    await z.locator('.z-start').tap();
    await waitUntil(() => d.relayOn(0), 'relay on');
    await z.locator('.z-fault').waitFor({ state: 'visible', timeout: 15000 });
    assert(await z.locator('.z-state').textContent() === 'fault', 'badge says fault');
    assert(await z.locator('.z-fault-name').textContent() === 'The sensor cannot be read', 'plain name');
    assert(/cable/.test(await z.locator('.z-fault-help').textContent()), 'what to do');
    assert(await z.locator('.z-start').isDisabled(), 'no start with a fault');
    assert(/Clear the fault first/.test(await z.locator('.z-reason').textContent()), 'reason');
    await waitUntil(() => !d.relayOn(0), 'relay off on the fault');
    await z.scrollIntoViewIfNeeded();
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, '09-fault.png') });
    /* While the sensor is still out, Clear says so and changes nothing. */
    await z.locator('.z-clear').tap();
    await waitUntil(async () => /still there/.test(await page.locator('#msg').textContent()),
      'the refusal to clear');
    assert(await z.locator('.z-fault').isVisible(), 'fault still shown');
    /* Once it has healed, Clear works. */
    await waitUntil(async () => {
      if (await z.locator('.z-fault').isHidden()) return true;
      await z.locator('.z-clear').tap();
      await page.waitForTimeout(800);
      return false;
    }, 'the fault to clear', 20000);
    assert(await z.locator('.z-state').textContent() === 'idle', 'idle again');
    assert(/cleared/.test(await page.locator('#msg').textContent()), 'says cleared');
    assert(!(await z.locator('.z-start').isDisabled()), 'Start enabled again');
  } finally {
    await ctx.close();
    await d.stop();
  }
});

test('usable at 320 px: no sideways scrolling, touch targets of 44 px', async () => {
  const d = await startDaemon();
  const { ctx, page } = await phonePage({ viewport: { width: 320, height: 640 } });
  try {
    await page.goto(d.url);
    await zone(page, 'upper_back').locator('.z-start').waitFor();
    await page.waitForTimeout(300);
    const wide = await page.evaluate(() => document.scrollingElement.scrollWidth);
    assert(wide <= 320, 'page is ' + wide + ' px wide');
    const small = await page.evaluate(() => [...document.querySelectorAll('button, select, input')]
      .filter((e) => e.offsetParent !== null)
      .filter((e) => e.type !== 'checkbox')
      .map((e) => { const r = e.getBoundingClientRect(); return { what: e.className || e.id || e.type, w: r.width, h: r.height }; })
      .filter((r) => r.w < 44 || r.h < 44));
    assert(small.length === 0, 'small targets: ' + JSON.stringify(small));
    /* Checkboxes sit in labels of at least 44 px. */
    const labels = await page.evaluate(() => [...document.querySelectorAll('label.check')]
      .map((l) => l.getBoundingClientRect().height));
    assert(labels.every((h) => h >= 44), 'checkbox labels ' + labels);
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert(bg === 'rgb(18, 18, 18)', 'dark background: ' + bg);
    await shot(page, '07-narrow-320');
  } finally {
    await ctx.close();
    await d.stop();
  }
});

async function main() {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    /* playwright gives each launch a fresh, empty --user-data-dir of its own. */
  });
  let passed = 0, failed = 0;
  const only = process.argv[2];
  for (const t of TESTS) {
    if (only && !t.name.includes(only)) continue;
    const t0 = Date.now();
    try {
      await t.fn();
      passed++;
      console.log(`ok   ${t.name} ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${t.name}\n  ${e.stack}`);
    }
  }
  await browser.close();
  console.log(`browser: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => { console.error(e); process.exit(1); });
