/* The heating pad's page. Asks the daemon for its status every second and
 * shows it; every change goes through the JSON API (docs/http.md). Times and countdowns come from the daemon's clock ("time",
 * "remaining_s", "ends_at"), never the phone's, so a simulated clock shows
 * right. Every request gives up after 4 s; while no status arrives the page
 * says so, shows nothing as live, and only Stop stays (and keeps trying).
 * No build step, no libraries. */
'use strict';

const POLL_MS = 1000;
const HISTORY_STEP_S = 10;  /* the daemon keeps a sample every 10 s of its clock */
const $ = (sel, root = document) => root.querySelector(sel);
/* Writes text only when it changed, so live regions speak only of changes. */
function setText(el, text) { if (el.textContent !== text) el.textContent = text; }

const ui = {
  status: null,            /* the last /api/status */
  zones: new Map(),        /* id -> { el, minutes, setpoint, history } */
  lastHistory: -Infinity,  /* daemon time of the last history fetch */
  clearArmed: 0,           /* time the clear button was armed (ms) */
  sayTimer: 0,
  lastOkAt: Date.now(),    /* phone time of the last status (ms) */
  stale: false,            /* no current status: nothing shown is live */
  outage: null,            /* { before, until } just after an outage */
  backTimer: 0,
  backChanged: false,
  stopping: new Map(),     /* zone id or '*' -> a Stop still waiting for an answer */
  asking: null,            /* the zone whose Start waits for the question */
  memory: {},              /* stands in for localStorage when it is refused */
};

/* ---- talking to the daemon ---- */

const TIMEOUT_MS = 4000;   /* a request with no answer by then has none */
const STALE_MS = 3000;     /* no fresh status for this long: the page cannot see */
const RETRY_MS = 1000;     /* a Stop with no answer is sent again this often */
const SETTLE_MS = 3000;    /* after an outage, changes seen this soon count as "meanwhile" */

/* Every request gives up after TIMEOUT_MS. A reply without an answer has
 * noAnswer set: the daemon may be down, frozen, or the network gone. */
async function api(method, path, body) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), TIMEOUT_MS);
  const opt = { method, headers: {}, credentials: 'same-origin', cache: 'no-store',
                signal: ctl.signal };
  if (body !== undefined) {
    opt.headers['Content-Type'] = 'application/json';
    opt.body = JSON.stringify(body);
  }
  let res, json = {};
  try {
    res = await fetch(path, opt);
    try { json = await res.json(); } catch (e) { /* an empty or non-JSON body */ }
  } catch (e) {
    clearTimeout(timer);
    return { ok: false, noAnswer: true, code: ctl.signal.aborted ? 'timeout' : 'offline',
             message: 'No answer from the heating pad.' };
  }
  clearTimeout(timer);
  if (!res.ok) {
    if (res.status === 401 && json.code === 'pin_required') showPin(true);
    return { ok: false, httpStatus: res.status, code: json.code || 'error',
             message: json.message || ('HTTP ' + res.status) };
  }
  return Object.assign({ ok: true }, json);
}

/* The answer to the last tap; it fades after a while so it does not read
 * as the state of things. */
function say(text, kind) {
  const el = $('#msg');
  el.textContent = text;
  el.className = 'banner ' + (kind || '');
  el.hidden = !text;
  clearTimeout(ui.sayTimer);
  ui.sayTimer = setTimeout(() => { el.hidden = true; }, 10000);
}

/* A change: says the outcome and refreshes at once. Without an answer it
 * says so, and that the change may still arrive. */
async function change(method, path, body) {
  const r = await api(method, path, body);
  if (r.noAnswer)
    say('No answer from the heating pad. The change may still arrive when it answers; ' +
        'the page shows what the pad reports.', 'error');
  else
    say(r.message, r.ok ? 'ok' : 'error');
  if (r.status && r.status.zones) fresh(r.status);
  await poll();
  ui.lastHistory = -Infinity;
  return r;
}

async function poll() {
  const s = await api('GET', '/api/status');
  if (s.ok && s.zones) fresh(s);
  else if (s.noAnswer) lost();
}

/* ---- seeing the daemon, or not ---- */

/* A status straight from the daemon. */
function fresh(s) {
  ui.lastOkAt = Date.now();
  if (ui.stale) {
    ui.stale = false;
    ui.outage = { before: ui.status, until: Date.now() };
  }
  render(s);
  if (ui.outage) {
    if (Date.now() - ui.outage.until <= SETTLE_MS) tellMeanwhile(ui.outage.before, s);
    else ui.outage = null;
  }
  /* A Stop still waiting for an answer goes now, not at its next retry. */
  for (const [key, st] of ui.stopping) if (!st.inflight) sendStop(key);
}

/* No answer: from now on nothing shown is current. */
function lost() {
  if (ui.stale) return;
  ui.stale = true;
  ui.outage = null;
  $('#back').hidden = true;
  if (ui.status) render(ui.status);
  showConn();
}

/* Twice a second: how long since the last status, and whether that is too
 * long (a frozen daemon accepts connections but answers nothing). */
function tick() {
  if (!ui.stale && Date.now() - ui.lastOkAt > STALE_MS) lost();
  showConn();
}

function showConn() {
  $('#conn').hidden = !ui.stale;
  if (!ui.stale) return;
  const msg = 'Cannot reach the heating pad. Nothing below is current: ' +
    'Start waits until it answers; Stop keeps trying.';
  setText($('#conn-msg'), msg);
  $('#conn-age').textContent = ui.status
    ? 'Last update ' + Math.round((Date.now() - ui.lastOkAt) / 1000) + ' s ago · trying again…'
    : 'No answer yet · trying again…';
}

/* What changed while the page could not see: compares the last status
 * before the outage with the one after it. */
function tellMeanwhile(before, now) {
  if (!before) return;
  const parts = [];
  for (const b of before.zones) {
    const z = now.zones.find((x) => x.id === b.id);
    if (!z) continue;
    if (b.session && !z.session)
      parts.push('the session on ' + z.name + ' ended' +
        (z.fault ? ' with a fault: ' + (FAULT_NAMES[z.fault] || z.fault) : '') + '.');
    else if (!b.session && z.session)
      parts.push('a session started on ' + z.name + ' (a schedule or another device).');
    else if (z.fault && z.fault !== b.fault)
      parts.push(z.name + ' has a fault: ' + (FAULT_NAMES[z.fault] || z.fault) + '.');
  }
  const text = 'The heating pad answers again.' + (parts.length
    ? ' While the page could not reach it, ' + parts.join(' ') : '');
  setText($('#back-msg'), text);
  $('#back').hidden = false;
  ui.backChanged = parts.length > 0;
  clearTimeout(ui.backTimer);
  /* Nothing to tell: it goes by itself. Something ended: it stays until read. */
  if (!ui.backChanged) ui.backTimer = setTimeout(() => { $('#back').hidden = true; }, 8000);
}

/* ---- Stop: never behind the PIN, never given up ---- */

function stopPath(key) {
  return key === '*' ? '/api/stop' : '/api/zones/' + encodeURIComponent(key) + '/stop';
}

function stopTap(key) {
  if (!ui.stopping.has(key)) ui.stopping.set(key, { tries: 0, inflight: false, timer: 0 });
  if (ui.status) render(ui.status);
  sendStop(key);
}

async function sendStop(key) {
  const st = ui.stopping.get(key);
  if (!st || st.inflight) return;
  clearTimeout(st.timer);
  st.inflight = true;
  st.tries++;
  let r = await api('POST', stopPath(key));
  /* A daemon without an all-zones stop: each zone's own. */
  if (key === '*' && r.httpStatus === 404 && ui.status) {
    const all = await Promise.all(ui.status.zones.map((z) => api('POST', stopPath(z.id))));
    r = all.find((x) => x.noAnswer) || all.find((x) => !x.ok) || all[all.length - 1];
  }
  st.inflight = false;
  /* No answer, or one from something in between (a proxy's 502/504) or a
   * daemon that cannot take it now: try again. */
  if (r.noAnswer || r.httpStatus >= 500) {
    st.timer = setTimeout(() => sendStop(key), RETRY_MS);
    if (ui.status) render(ui.status);
    return;
  }
  ui.stopping.delete(key);
  say(r.message, r.ok ? 'ok' : 'error');
  if (r.status && r.status.zones) fresh(r.status);
  else if (ui.status) render(ui.status);
  poll();
}

function stoppingText(key) {
  const st = ui.stopping.get(key);
  if (!st) return '';
  return st.tries <= 1 && st.inflight ? 'Stopping…'
    : 'Stop: no answer yet, trying again (' + st.tries + (st.tries === 1 ? ' try' : ' tries') + ' so far)…';
}

/* ---- the question before the first heat of the day ---- */

const ASKED_KEY = 'heatpad-asked-on';
const FROM_QUESTION_KEY = 'heatpad-question-record';

/* The local date by the daemon's clock, as the rest of the page uses it. */
function today(s) {
  const d = new Date(s.time * 1000);
  return d.getFullYear() + '-' + two(d.getMonth() + 1) + '-' + two(d.getDate());
}

function store(key, value) {
  try {
    if (value === undefined) return localStorage.getItem(key);
    localStorage.setItem(key, value);
  } catch (e) {
    /* Storage refused (a private window): remember for this page only. */
    if (value === undefined) return ui.memory[key] || null;
    ui.memory[key] = value;
  }
  return value;
}

/* Asked once a day per phone, and only when nothing is on record: with an
 * event or warning signs on record the daemon decides on its own. */
function mustAsk(s) {
  const g = s.guidance, r = g.record;
  if (g.private || !r || g.heat_blocked || g.confirm_needed) return false;
  if (r.acute || r.pain_worsening || r.nerve_signs || r.urgent_signs) return false;
  return store(ASKED_KEY) !== today(s);
}

/* ---- formatting ---- */

function two(n) { return String(n).padStart(2, '0'); }

function clockText(epochS) {
  const d = new Date(epochS * 1000);
  return two(d.getHours()) + ':' + two(d.getMinutes());
}

function leftText(s) {
  s = Math.max(0, Math.round(s));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  return (h ? h + ':' + two(m) : m) + ':' + two(sec);
}

function fmtC(v) { return v === null || v === undefined ? '–' : v.toFixed(1); }

const FAULT_NAMES = {
  over_temp: 'Too hot: switched off',
  sensor_timeout: 'The sensor stopped answering',
  sensor_range: 'The sensor reads nonsense',
  sensor_power_on: 'The sensor restarted',
  sensor_error: 'The sensor cannot be read',
  thermal_runaway: 'The pad does not warm as it should',
  temperature_dropped: 'The temperature fell away',
  stuck_relay: 'The relay is stuck on: unplug the pad',
  relay_error: 'The relay did not switch',
};

/* ---- zones ---- */

function zoneById(id) { return ui.status.zones.find((x) => x.id === id); }

function makeZone(z) {
  const el = $('#zone-tpl').content.firstElementChild.cloneNode(true);
  el.dataset.zone = z.id;
  const ask = $('.z-ask', el);
  ask.id = 'ask-' + z.id;
  for (const b of [$('.z-no', el), $('.z-yes', el)]) b.setAttribute('aria-describedby', ask.id);
  const st = { el, minutes: z.defaults.minutes, setpoint: z.defaults.setpoint_c,
               history: null };
  const step = (key, d) => () => {
    const lim = zoneById(z.id).limits;
    if (key === 'minutes') {
      /* 1-minute steps up to 5, then 5-minute steps. */
      const m = d > 0 ? (st.minutes < 5 ? st.minutes + 1 : st.minutes + 5)
                      : (st.minutes <= 5 ? st.minutes - 1 : st.minutes - 5);
      st.minutes = Math.min(lim.max_minutes, Math.max(1, m));
    }
    else
      st.setpoint = Math.min(lim.max_setpoint_c, Math.max(lim.min_setpoint_c,
        Math.round((st.setpoint + d * 0.5) * 2) / 2));
    renderZone(zoneById(z.id));
  };
  $('.z-min-dec', el).addEventListener('click', step('minutes', -1));
  $('.z-min-inc', el).addEventListener('click', step('minutes', 1));
  $('.z-sp-dec', el).addEventListener('click', step('setpoint', -1));
  $('.z-sp-inc', el).addEventListener('click', step('setpoint', 1));
  const path = '/api/zones/' + encodeURIComponent(z.id) + '/';
  const start = () => change('POST', path + 'start', { minutes: st.minutes, setpoint_c: st.setpoint });
  $('.z-start', el).addEventListener('click', () => {
    if (ui.stale) return;
    if (mustAsk(ui.status)) {
      ui.asking = z.id;
      render(ui.status);
      $('.z-no', el).focus();
      return;
    }
    start();
  });
  $('.z-no', el).addEventListener('click', () => {
    store(ASKED_KEY, today(ui.status));
    ui.asking = null;
    render(ui.status);
    start();
  });
  $('.z-yes', el).addEventListener('click', async () => {
    store(ASKED_KEY, today(ui.status));
    ui.asking = null;
    render(ui.status);
    /* The person said "injury or swelling" without saying which: both are
     * recorded, as of now, so the record covers whatever it was and the
     * 48 hours run from the answer (the safe reading of "in the last 2 days"). */
    const r = await api('POST', '/api/injury', { injury: true, swelling: true });
    const rec = r.ok && r.guidance && r.guidance.record;
    if (rec && rec.acute_at) store(FROM_QUESTION_KEY, String(rec.acute_at));
    if (r.ok) say('Recorded. Heat stays off for 48 hours: use cold for now (see the top of the page).', 'ok');
    else say(r.noAnswer ? 'No answer from the heating pad: nothing was recorded, and heat stays off.'
                        : r.message, 'error');
    if (r.status && r.status.zones) fresh(r.status);
    await poll();
    if (r.ok) window.scrollTo(0, 0);   /* the cold advice is at the top now */
  });
  $('.z-stop', el).addEventListener('click', () => stopTap(z.id));
  $('.z-clear', el).addEventListener('click', () => change('POST', path + 'clear-fault'));
  $('#zones').appendChild(el);
  ui.zones.set(z.id, st);
  return st;
}

/* Why heat cannot start on this zone now, or '' when it can. */
function startBlocked(s, z) {
  const g = s.guidance;
  if (ui.stale) return 'No answer from the heating pad: Start waits until it answers.';
  if (ui.stopping.has(z.id) || ui.stopping.has('*')) return 'Stopping first.';
  if (g.heat_blocked) {
    const until = g.heat_allowed_at_local;
    if (g.private)
      return until ? 'Heat is off until ' + until + '.' : 'Heat is off for now.';
    switch (g.blocked_by) {
    case 'urgent_signs':
      return 'Heat is off: get urgent care now (see the top of the page).';
    case 'warning_signs':
      return 'Heat is off until the warning signs are cleared: please see a doctor first.';
    case 'record_unreadable':
      return 'Heat is off until someone confirms it is safe (at the top of the page).';
    default:
      return until ? 'Heat is off until ' + until +
        ' (48 hours after the injury or swelling). Use cold for now.' : 'Heat is off for now.';
    }
  }
  if (z.fault) return 'Clear the fault first.';
  if (s.quiet_hours.active && s.quiet_hours.enabled)
    return 'Quiet hours: heat can start again at ' + s.quiet_hours.end + '.';
  if (s.auth && !s.auth.may_change) return 'Enter the PIN to make changes.';
  if (!z.session && z.cap_left_s === 0)
    return 'Resting after a long spell of heat' +
      (z.fresh_at ? ': a fresh session is possible at ' + clockText(z.fresh_at) + '.' : '.');
  return '';
}

/* The continuous exposure cap, when the daemon reports it: said only when
 * it is close to mattering. */
function capText(z) {
  if (typeof z.cap_left_s !== 'number' || z.cap_left_s === 0 && !z.session) return '';
  const mins = Math.floor(z.cap_left_s / 60);
  const fresh = z.fresh_at ? ' A fresh full session from ' + clockText(z.fresh_at) + '.' : '';
  if (z.session)
    return z.cap_left_s - z.remaining_s < 600
      ? 'Up to ' + mins + ' min more heat, then the pad must rest.' + fresh : '';
  if (z.cap_left_s >= z.limits.max_minutes * 60) return '';
  return mins + ' min of heat left before the pad must rest.' + fresh;
}

const SOURCE_NAMES = { button: 'the bedside button', mqtt: 'Home Assistant',
  http: 'the page', schedule: 'the schedule', cli: 'the command line' };

function lastCommandText(l) {
  if (!l || !l.source) return '';
  const who = SOURCE_NAMES[l.source] || l.source;
  const when = l.at ? ' at ' + clockText(l.at) : '';
  if (l.ok) return 'Last command: from ' + who + when + '.';
  return 'Last command, from ' + who + when + ', refused' +
    (l.message ? ': ' + l.message : '.');
}

function renderZone(z) {
  const s = ui.status;
  const st = ui.zones.get(z.id) || makeZone(z);
  const el = st.el;
  const stale = ui.stale;
  st.minutes = Math.min(st.minutes, z.limits.max_minutes);
  st.setpoint = Math.min(z.limits.max_setpoint_c, Math.max(z.limits.min_setpoint_c, st.setpoint));

  el.classList.toggle('stale', stale);
  setText($('.z-name', el), z.name);
  const badge = $('.z-state', el);
  /* Old data never says "heating": the pad may have stopped since. */
  setText(badge, stale ? 'no answer' : z.fault ? 'fault' : z.session ? (z.relay ? 'heating' : 'holding') : 'idle');
  badge.className = 'badge z-state ' + (stale ? 'stale' : z.fault ? 'fault' : z.session ? 'heating' : '');
  setText($('.z-temp', el), stale ? '–' : fmtC(z.temp_c));
  setText($('.z-set', el), z.session && !stale ? fmtC(z.setpoint_c) : '–');

  const count = $('.z-count', el);
  count.hidden = !z.session || stale;
  if (z.session && !stale)
    setText(count, leftText(z.remaining_s) + ' left · off at ' + clockText(z.ends_at));
  const cap = stale ? '' : capText(z);
  $('.z-cap', el).hidden = !cap;
  setText($('.z-cap', el), cap);

  /* The zone's last command and where it came from (the bedside button,
   * Home Assistant, this page, a schedule, the command line). */
  const lastEl = $('.z-last', el);
  const lastText = stale ? '' : lastCommandText(z.last_command);
  lastEl.hidden = !lastText;
  setText(lastEl, lastText);

  const fault = $('.z-fault', el);
  fault.hidden = !z.fault;
  if (z.fault) {
    setText($('.z-fault-name', el), FAULT_NAMES[z.fault] || z.fault);
    setText($('.z-fault-help', el), z.fault_help || '');
  }

  setText($('.z-min', el), st.minutes + ' min');
  setText($('.z-sp', el), st.setpoint.toFixed(1));
  const why = startBlocked(s, z);
  const reason = $('.z-reason', el);
  reason.hidden = !why;
  setText(reason, why);
  const asking = ui.asking === z.id && !why;
  if (ui.asking === z.id && why) ui.asking = null;
  $('.z-ask', el).hidden = !asking;
  $('.z-no', el).hidden = !asking;
  $('.z-yes', el).hidden = !asking;
  const start = $('.z-start', el);
  start.hidden = asking;
  start.disabled = !!why;
  setText(start, z.session && !stale ? 'Change' : 'Start');
  const mayChange = !s.auth || s.auth.may_change;
  /* Stop needs no PIN, and while the page cannot see, a session may be
   * running that it does not know of: Stop stays pressable. */
  const stopping = stoppingText(z.id);
  $('.z-stop', el).disabled = !(z.session || stale || stopping);
  $('.z-stopping', el).hidden = !stopping;
  setText($('.z-stopping', el), stopping);
  $('.z-clear', el).disabled = !mayChange || stale;
  for (const b of el.querySelectorAll('.stepper button')) b.disabled = !mayChange;
  drawChart(st, z);
}

function renderStopAll(s) {
  const many = s.zones.length > 1;
  $('#stop-all-row').hidden = !many;
  if (!many) return;
  const stopping = stoppingText('*');
  $('#stop-all').disabled = !(ui.stale || stopping || s.zones.some((z) => z.session));
  $('#stop-all-state').hidden = !stopping;
  setText($('#stop-all-state'), stopping);
}

/* ---- the chart: the last hour, drawn as SVG paths ---- */

const SVG = 'http://www.w3.org/2000/svg';

function svgEl(name, attrs) {
  const e = document.createElementNS(SVG, name);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  return e;
}

function drawChart(st, z) {
  const svg = $('.z-chart', st.el);
  const h = st.history;
  const W = svg.clientWidth || 300, H = svg.clientHeight || 130;
  const key = W + 'x' + H + ':' + (h ? h.time + ':' + h.t.length : '');
  if (svg.dataset.key === key) return;
  svg.dataset.key = key;
  svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  const styles = getComputedStyle(document.documentElement);
  const colT = styles.getPropertyValue('--accent').trim();
  const colS = styles.getPropertyValue('--cold').trim();
  const colL = styles.getPropertyValue('--line').trim();
  const colM = styles.getPropertyValue('--muted').trim();
  const now = h ? h.time : ui.status.time, from = now - 3600;
  const vals = h ? h.temp_c.concat(h.setpoint_c).filter((v) => v !== null) : [];
  let lo = Math.min(20, ...vals), hi = Math.max(z.limits.max_setpoint_c, ...vals);
  lo = Math.floor(lo / 5) * 5; hi = Math.ceil(hi / 5) * 5;
  const L = 26, R = 4, T = 6, B = 16;
  const x = (t) => L + (W - L - R) * (t - from) / 3600;
  const y = (v) => T + (H - T - B) * (hi - v) / (hi - lo);
  for (let v = lo; v <= hi; v += 5) {
    svg.appendChild(svgEl('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: colL, 'stroke-width': 1 }));
    const t = svgEl('text', { x: L - 4, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 10, fill: colM });
    t.textContent = v;
    svg.appendChild(t);
  }
  for (const [t, label] of [[from, '−60 min'], [from + 1800, '−30'], [now, 'now']]) {
    const e = svgEl('text', { x: x(t), y: H - 3, 'font-size': 10, fill: colM,
      'text-anchor': t === from ? 'start' : t === now ? 'end' : 'middle' });
    e.textContent = label;
    svg.appendChild(e);
  }
  if (!h) return;
  const path = (series, color, dash) => {
    let d = '', pen = false;
    for (let i = 0; i < h.t.length; i++) {
      const v = series[i];
      if (v === null || h.t[i] < from) { pen = false; continue; }
      d += (pen ? 'L' : 'M') + x(h.t[i]).toFixed(1) + ' ' + y(v).toFixed(1);
      pen = true;
    }
    if (d) svg.appendChild(svgEl('path', { d, fill: 'none', stroke: color,
      'stroke-width': 2.5, 'stroke-dasharray': dash || 'none',
      'stroke-linejoin': 'round', class: dash ? 'set-line' : 'temp-line' }));
  };
  path(h.setpoint_c, colS, '5 4');
  path(h.temp_c, colT);
}

async function loadHistory() {
  for (const [id, st] of ui.zones) {
    const h = await api('GET', '/api/history?zone=' + encodeURIComponent(id) + '&minutes=60');
    if (h.ok) {
      st.history = h;
      const z = ui.status.zones.find((x) => x.id === id);
      if (z) drawChart(st, z);
    }
  }
}

/* ---- guidance and the record ---- */

const FALLBACK_TITLES = {
  urgent: 'Get urgent care now',
  consult: 'Please see a doctor',
};

function blockedLine(g) {
  if (!g.heat_blocked) return '';
  if (g.heat_allowed_at_local) return 'Heat is blocked until ' + g.heat_allowed_at_local + '.';
  switch (g.blocked_by) {
  case 'urgent_signs':
  case 'warning_signs':
    return 'Heat stays off until the warning signs are cleared.';
  case 'record_unreadable':
    return 'Heat stays off until someone confirms it is safe.';
  default:
    return 'Heat stays off until the record is cleared.';
  }
}

function renderGuidance(s) {
  const g = s.guidance;
  const r = g.record || {};
  /* Without the PIN the daemon may keep the record to itself: then only
   * whether heat is blocked, and until when. */
  const priv = g.private === true;
  const kind = priv ? null : g.kind === 'urgent' || r.urgent_signs ? 'urgent' : g.kind;
  const signs = kind === 'urgent' || kind === 'consult';
  $('#consult').hidden = !signs;
  $('#consult').classList.toggle('urgent', kind === 'urgent');
  if (signs) {
    setText($('#consult-title'), g.title || FALLBACK_TITLES[kind]);
    setText($('#consult-text'), g.text || '');
    setText($('#consult-disclaimer'), g.disclaimer || '');
  }
  const blockedText = blockedLine(g);
  for (const sel of ['#g-blocked', '#consult-blocked']) {
    $(sel).hidden = !blockedText;
    setText($(sel), blockedText);
  }

  /* The record could not be read: a person confirms before heat. */
  const confirm = g.confirm_needed === true;
  $('#confirm').hidden = !confirm;
  if (confirm)
    $('#confirm-reason').textContent = g.confirm_reason || s.confirm_reason ||
      'The pad could not read what it had on record (an injury, warning signs or a fault).';

  /* Warning signs: the doctor comes first and alone; the heat or cold
   * panel would only compete with it. Heat blocked otherwise: the advice
   * moves above the zones. */
  const gp = $('#guidance');
  /* An unreadable record: the confirm panel speaks; advice from an empty
   * record would only contradict it. */
  gp.hidden = signs || confirm || (priv && !g.heat_blocked);
  const slot = g.heat_blocked && !signs ? '#advice-top' : '#advice-home';
  gp.classList.toggle('cold', g.heat_blocked);
  if (gp.parentElement !== $(slot)) $(slot).appendChild(gp);
  if (priv) {
    setText($('#g-title'), 'Heat is off');
    setText($('#g-text'), 'Enter the PIN to see why and what to do.');
  } else {
    setText($('#g-title'), g.title || '');
    setText($('#g-text'), g.text || '');
  }
  setText($('#g-disclaimer'), g.disclaimer || '');

  $('#record').hidden = priv;
  if (!priv) {
    const parts = [];
    if (r.acute) {
      const fromQuestion = store(FROM_QUESTION_KEY) === String(r.acute_at);
      parts.push((fromQuestion ? 'Injury or swelling' :
        r.injury && r.swelling ? 'Injury and swelling' : r.injury ? 'Injury' : 'Swelling') +
        ' recorded at ' + new Date(r.acute_at * 1000).toLocaleString([], { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }) +
        (fromQuestion ? ' (the answer before heat).' : '.'));
    }
    if (r.urgent_signs) parts.push('Signs that need urgent care.');
    if (r.pain_worsening) parts.push('Pain that persists or worsens.');
    if (r.nerve_signs) parts.push('Numbness, tingling or spreading pain.');
    setText($('#record-state'), parts.length ? 'On record: ' + parts.join(' ') : 'Nothing on record.');
    /* Mirror the saved warning signs unless someone is editing them. */
    if (!$('#signs-form').contains(document.activeElement)) {
      $('#f-pain').checked = !!r.pain_worsening;
      $('#f-nerve').checked = !!r.nerve_signs;
      $('#f-urgent').checked = !!r.urgent_signs;
    }
  }
  const may = (!s.auth || s.auth.may_change) && !ui.stale;
  for (const b of document.querySelectorAll('#record button')) b.disabled = !may;
  $('#confirm-go').disabled = ui.stale || !($('#c-injury').checked && $('#c-pad').checked);
}

function showPin(show) {
  $('#pin').hidden = !show;
}

/* A simulated pad heats nothing and its temperatures are a model: say so
 * above the zones, whenever any zone is one. */
function showSimulated(s) {
  const sim = s.zones.filter((z) => z.simulated).map((z) => z.name);
  let el = $('#simulated');
  if (!el && !sim.length) return;
  if (!el) {
    el = document.createElement('p');
    el.id = 'simulated';
    el.className = 'banner warn';
    el.setAttribute('role', 'status');
    $('#zones').before(el);
  }
  el.hidden = !sim.length;
  el.textContent = 'Simulated: ' + sim.join(', ') +
    '. No pad is heated; the temperatures come from a model.';
}

function render(s) {
  ui.status = s;
  showSimulated(s);
  setText($('#device'), 'Heating pad · ' + s.device_id);
  setText($('#clock'), ui.stale ? '' : clockText(s.time));
  showPin(s.auth && s.auth.pin_required && !s.auth.may_change);
  renderGuidance(s);
  renderStopAll(s);
  for (const z of s.zones) renderZone(z);
  showConn();
}

function setupForms() {
  $('#f-when').addEventListener('change', () => {
    $('#f-at').hidden = $('#f-when').value !== 'at';
  });
  $('#acute-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = { injury: $('#f-injury').checked, swelling: $('#f-swelling').checked };
    if (!body.injury && !body.swelling) {
      say('Tick a sudden injury, swelling, or both.', 'error');
      return;
    }
    const when = $('#f-when').value;
    if (when === 'at') {
      const t = Date.parse($('#f-at').value);
      if (isNaN(t)) { say('Choose the date and time it happened.', 'error'); return; }
      body.at = Math.round(t / 1000);
    } else {
      body.minutes_ago = Number(when);
    }
    const r = await change('POST', '/api/injury', body);
    if (r.ok) { $('#f-injury').checked = false; $('#f-swelling').checked = false; }
  });
  $('#signs-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    document.activeElement.blur();
    const body = { pain_worsening: $('#f-pain').checked, nerve_signs: $('#f-nerve').checked };
    /* Only sent when it says something: a daemon without the urgent tier
     * refuses the key it does not know. */
    const rec = ui.status && ui.status.guidance.record;
    if ($('#f-urgent').checked || (rec && 'urgent_signs' in rec)) body.urgent_signs = $('#f-urgent').checked;
    const r = await change('POST', '/api/injury', body);
    if (r.ok && (body.urgent_signs || body.pain_worsening || body.nerve_signs))
      window.scrollTo(0, 0);   /* the advice is at the top */
  });
  for (const id of ['#c-injury', '#c-pad'])
    $(id).addEventListener('change', () => {
      $('#confirm-go').disabled = ui.stale || !($('#c-injury').checked && $('#c-pad').checked);
    });
  $('#confirm-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!($('#c-injury').checked && $('#c-pad').checked)) return;
    const r = await change('POST', '/api/confirm-safe', { no_injury_48h: true, pad_ok: true });
    if (r.ok) { $('#c-injury').checked = false; $('#c-pad').checked = false; }
  });
  $('#stop-all').addEventListener('click', () => stopTap('*'));
  $('#back-ok').addEventListener('click', () => { $('#back').hidden = true; });
  /* Clearing is deliberate: the first tap arms, the second (within 5 s) clears. */
  const clear = $('#clear-record');
  clear.addEventListener('click', async () => {
    if (Date.now() - ui.clearArmed > 5000) {
      ui.clearArmed = Date.now();
      clear.textContent = 'Tap again to clear the record';
      clear.classList.add('armed');
      setTimeout(() => { clear.textContent = 'Clear the record'; clear.classList.remove('armed'); }, 5000);
      return;
    }
    ui.clearArmed = 0;
    clear.textContent = 'Clear the record';
    clear.classList.remove('armed');
    await change('DELETE', '/api/injury');
  });
  $('#pin-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const r = await api('POST', '/api/login', { pin: $('#pin-input').value });
    $('#pin-input').value = '';
    $('#pin-msg').textContent = r.ok ? '' : r.message;
    await poll();
  });
}

async function loop() {
  await poll();
  /* By the daemon's clock, so a fast simulated clock keeps the chart current. */
  if (ui.status && !ui.stale && ui.status.time - ui.lastHistory >= HISTORY_STEP_S) {
    ui.lastHistory = ui.status.time;
    await loadHistory();
  }
  setTimeout(loop, POLL_MS);
}

setupForms();
setInterval(tick, 500);
window.addEventListener('resize', () => { for (const st of ui.zones.values()) delete $('.z-chart', st.el).dataset.key; });
loop();
