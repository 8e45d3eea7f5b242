/* What the browser tests share: a simulated daemon in a temp dir of its
 * own (its relay record, its API from outside, its virtual clock through
 * the control socket), a phone page in Debian's Chromium, waits, asserts
 * and screenshots. The checks every state gets (axe, layout) are in
 * checks.js; run.js runs the tests. */
'use strict';
const net = require('net');
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const readline = require('readline');

const ROOT = path.resolve(__dirname, '..', '..');
const DAEMON = process.env.HEATPAD_DAEMON || path.join(ROOT, 'build', 'heatpadd');
const SHOTS = path.join(ROOT, 'build', 'screenshots');
const WEB = process.env.HEATPAD_WEB_ROOT || path.join(ROOT, 'web');
const TZ = 'Europe/Berlin';
const PHONE = { width: 390, height: 844 };

/* Daemons still running: ended if the run itself ends early. */
const live = new Set();
process.on('exit', () => { for (const p of live) { p.kill('SIGCONT'); p.kill('SIGTERM'); } });

/* One daemon in its own temp dir; resolves when its page is listening.
 * The shipped safety limits unless `limits` replaces them (a test of a
 * limit): at any --sim-speed the daemon's virtual time waits for work
 * that is due, so a busy machine cannot make a sensor late. Paced in
 * real time: the browser is real concurrency. */
async function startDaemon({ pin, speed = 30, start = '2026-11-24T20:00', args = [],
                             limits = null, session, stateFile, control = false } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heatpad-web-'));
  const http = { listen: '127.0.0.1', port: 0, web_root: WEB };
  if (pin) http.pin = pin;
  const lim = limits ? { limits } : {};
  const cfg = {
    device_id: 'bedroom',
    quiet_hours: { enabled: true, start: '23:00', end: '07:00' },
    http,
    zones: [
      Object.assign({ name: 'upper back', sensor: { type: 'sim', seed: 1 }, relay: { type: 'sim' },
        session: Object.assign({ default_minutes: 20, default_setpoint_c: 40 }, session || {}) }, lim),
      Object.assign({ name: 'lower back', sensor: { type: 'sim', seed: 2 }, relay: { type: 'sim' } },
        session ? { session } : {}, lim),
    ],
  };
  const cfgPath = path.join(dir, 'config.json');
  fs.writeFileSync(cfgPath, JSON.stringify(cfg));
  const relayLog = path.join(dir, 'relay.log');
  const argv = ['--config', cfgPath, '--state-file', stateFile || path.join(dir, 'state.json'),
    '--log-format', 'json', '--status-every', '0', '--sim-relay-log', relayLog,
    '--sim-start', start].concat(args);
  /* With the control socket virtual time stands still but for advance():
   * a test runs minutes of a session in no real time, exact to the tick. */
  const ctlPath = path.join(dir, 'control.sock');
  if (control) argv.push('--sim-control', ctlPath);
  else argv.push('--sim-speed', String(speed));
  const d = {
    dir, lines: [], proc: null, url: null,
    async launch() {
      const proc = spawn(DAEMON, argv, { env: Object.assign({}, process.env, { TZ }),
                                        stdio: ['ignore', 'pipe', 'inherit'] });
      this.proc = proc;
      live.add(proc);
      proc.on('exit', () => live.delete(proc));
      this.url = await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('daemon did not start its page')), 10000);
        let url = null, ctlUp = !control;
        readline.createInterface({ input: proc.stdout }).on('line', (line) => {
          this.lines.push(line);
          const m = /status page on (http:\/\/[^ /]+\/)/.exec(line);
          if (m) url = m[1];
          if (/"event":"sim_control"/.test(line)) ctlUp = true;
          if (url && ctlUp) { clearTimeout(timer); resolve(url); }
        });
        proc.on('exit', (code) => reject(new Error('daemon exited with ' + code)));
      });
      return this.url;
    },
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
    /* The daemon's own answer, from outside the page (no Origin: as curl). */
    async api(method, p, body, cookie) {
      const headers = {};
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      if (cookie) headers.Cookie = cookie;
      const res = await fetch(this.url + p.replace(/^\//, ''), { method, headers,
        body: body === undefined ? undefined : JSON.stringify(body) });
      let json = {};
      try { json = await res.json(); } catch (e) { /* no body */ }
      return { status: res.status, body: json, cookie: (res.headers.get('set-cookie') || '').split(';')[0] };
    },
    async status() { return (await this.api('GET', '/api/status')).body; },
    async login(p) { return (await this.api('POST', '/api/login', { pin: p })).cookie; },
    /* Ends the daemon but keeps its folder, for restart(). */
    async halt(signal = 'SIGTERM') {
      const proc = this.proc;
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const gone = new Promise((r) => proc.on('exit', r));
      proc.kill(signal);
      await gone;
    },
    /* The same daemon again on the same port and state file. */
    async restart() {
      cfg.http.port = +new URL(this.url).port;
      fs.writeFileSync(cfgPath, JSON.stringify(cfg));
      return this.launch();
    },
    /* One request on the control socket, its JSON reply. */
    async control(line) {
      if (!control) throw new Error('daemon started without control: true');
      if (!this.ctl) this.ctl = controlClient(ctlPath);
      const r = await this.ctl.ask(line);
      if (!r.ok) throw new Error('control ' + line + ': ' + JSON.stringify(r));
      return r;
    },
    /* Runs virtual time forward; resolves once the work due on the way ran. */
    advance(s) { return this.control('advance ' + s); },
    now() { return this.control('now'); },
    /* Advances a second at a time until fn() holds. */
    async until(fn, what, virtualS = 120) {
      for (let i = 0; i <= virtualS; i++) {
        if (await fn()) return;
        await this.advance(1);
      }
      throw new Error('not within ' + virtualS + ' virtual seconds: ' + what);
    },
    freeze() { this.proc.kill('SIGSTOP'); },
    thaw() { this.proc.kill('SIGCONT'); },
    async stop() {
      if (this.ctl) this.ctl.close();
      if (this.proc) {
        this.proc.kill('SIGCONT');
        await this.halt();
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await d.launch();
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return d;
}

/* A line-at-a-time client of the control socket: requests are answered
 * in order, so replies are matched to a queue. */
function controlClient(p) {
  const sock = net.createConnection(p);
  const waiting = [];
  let buf = '';
  sock.on('data', (chunk) => {
    buf += chunk;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const w = waiting.shift();
      if (w) w.resolve(JSON.parse(line));
    }
  });
  sock.on('error', (e) => { while (waiting.length) waiting.shift().reject(e); });
  return {
    ask(line) {
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        sock.write(line + '\n');
      });
    },
    close() { sock.destroy(); },
  };
}

/* A test whose daemon lacks what it needs ends with this: reported SKIP,
 * never a pass. */
class Skip extends Error {}
const skip = (why) => { throw new Skip(why); };

/* The runner's browser, and the page errors of the test running now. */
const run = { browser: null, pageErrors: [] };

/* A phone. `askedOn`: the date the question before the first heat was
 * last answered on this phone (the simulated start day, unless a test
 * passes null for a phone that has never been asked). */
async function phonePage(opts = {}) {
  const ctx = await run.browser.newContext({
    viewport: opts.viewport || PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
    colorScheme: opts.colorScheme || 'dark', timezoneId: TZ, locale: opts.locale || 'en-GB',
  });
  const askedOn = opts.askedOn === undefined ? '2026-11-24' : opts.askedOn;
  if (askedOn)
    await ctx.addInitScript((day) => localStorage.setItem('heatpad-asked-on', day), askedOn);
  const page = await ctx.newPage();
  /* Kept and failed by the runner after the test: a throw here would end
   * the whole run and leave its daemon behind. */
  page.on('pageerror', (e) => run.pageErrors.push(e.message));
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

/* Every screenshot is a state a test reached: the runner's checks (axe,
 * layout; checks.js) look at it there, and keep what they find for the
 * test's result rather than throwing, so the test's own asserts go on. */
async function shot(page, name) {
  if (run.checkState) await run.checkState(page, name);
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, name + '.png'), fullPage: true });
}

/* What the phone's screen shows now, not the whole page. */
async function shotScreen(page, name) {
  if (run.checkState) await run.checkState(page, name);
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, name + '.png') });
}

const zone = (page, id) => page.locator(`section.zone[data-zone="${id}"]`);

/* The page's message catalogues as the daemon serves them from web/:
 * {en: {key: text}, de: {...}}; empty where a file is missing. */
function catalogues() {
  const out = {};
  for (const lang of ['en', 'de']) {
    out[lang] = {};
    const dir = path.join(WEB, 'i18n', lang);
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.json')))
      Object.assign(out[lang], JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
  }
  return out;
}

/* The fixed part of a catalogue text: up to its first placeholder. */
const fixedPart = (text) => String(text || '').split('{')[0].trim();

/* Resolves with the page's next answer to /api/status (or after ms). */
async function nextStatus(page, ms = 5000) {
  await page.waitForResponse((r) => /\/api\/status/.test(r.url()), { timeout: ms }).catch(() => {});
  await page.waitForTimeout(250);
}

module.exports = {
  ROOT, SHOTS, TZ, PHONE, run, startDaemon, Skip, skip, phonePage, assert, waitUntil,
  shot, shotScreen, zone, catalogues, fixedPart, nextStatus,
};
