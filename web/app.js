/* The heating pad's page. Asks the daemon for its status every second and
 * shows it; every change goes through the JSON API (README: "Status page
 * and API"). Times and countdowns come from the daemon's clock ("time",
 * "remaining_s", "ends_at"), never the phone's, so a simulated clock shows
 * right. No build step, no libraries. */
'use strict';

const POLL_MS = 1000;
const HISTORY_STEP_S = 10;  /* the daemon keeps a sample every 10 s of its clock */
const $ = (sel, root = document) => root.querySelector(sel);

const ui = {
  status: null,            /* the last /api/status */
  zones: new Map(),        /* id -> { el, minutes, setpoint, history } */
  lastHistory: -Infinity,  /* daemon time of the last history fetch */
  clearArmed: 0,           /* time the clear button was armed (ms) */
  sayTimer: 0,
};

/* ---- talking to the daemon ---- */

async function api(method, path, body) {
  const opt = { method, headers: {}, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
    opt.headers['Content-Type'] = 'application/json';
    opt.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, opt);
  } catch (e) {
    return { ok: false, code: 'offline', message: 'Cannot reach the heating pad.' };
  }
  let json = {};
  try { json = await res.json(); } catch (e) { /* an empty or non-JSON body */ }
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

/* A change: says the outcome and refreshes at once. */
async function change(method, path, body) {
  const r = await api(method, path, body);
  say(r.message, r.ok ? 'ok' : 'error');
  if (r.status && r.status.zones) render(r.status);
  await poll();
  ui.lastHistory = -Infinity;
  return r;
}

async function poll() {
  const s = await api('GET', '/api/status');
  $('#offline').hidden = s.ok;
  if (s.ok) render(s);
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

function makeZone(z) {
  const el = $('#zone-tpl').content.firstElementChild.cloneNode(true);
  el.dataset.zone = z.id;
  const st = { el, minutes: z.defaults.minutes, setpoint: z.defaults.setpoint_c,
               history: null };
  const step = (key, d) => () => {
    const lim = ui.status.zones.find((x) => x.id === z.id).limits;
    if (key === 'minutes') {
      /* 1-minute steps up to 5, then 5-minute steps. */
      const m = d > 0 ? (st.minutes < 5 ? st.minutes + 1 : st.minutes + 5)
                      : (st.minutes <= 5 ? st.minutes - 1 : st.minutes - 5);
      st.minutes = Math.min(lim.max_minutes, Math.max(1, m));
    }
    else
      st.setpoint = Math.min(lim.max_setpoint_c, Math.max(lim.min_setpoint_c,
        Math.round((st.setpoint + d * 0.5) * 2) / 2));
    renderZone(ui.status.zones.find((x) => x.id === z.id));
  };
  $('.z-min-dec', el).addEventListener('click', step('minutes', -1));
  $('.z-min-inc', el).addEventListener('click', step('minutes', 1));
  $('.z-sp-dec', el).addEventListener('click', step('setpoint', -1));
  $('.z-sp-inc', el).addEventListener('click', step('setpoint', 1));
  const path = '/api/zones/' + encodeURIComponent(z.id) + '/';
  $('.z-start', el).addEventListener('click', () =>
    change('POST', path + 'start', { minutes: st.minutes, setpoint_c: st.setpoint }));
  $('.z-stop', el).addEventListener('click', () => change('POST', path + 'stop'));
  $('.z-clear', el).addEventListener('click', () => change('POST', path + 'clear-fault'));
  $('#zones').appendChild(el);
  ui.zones.set(z.id, st);
  return st;
}

/* Why heat cannot start on this zone now, or '' when it can. */
function startBlocked(s, z) {
  const g = s.guidance;
  if (g.heat_blocked)
    return 'Heat is off until ' + g.heat_allowed_at_local +
      ' (48 hours after the injury or swelling). Use cold for now.';
  if (z.fault) return 'Clear the fault first.';
  if (s.quiet_hours.active && s.quiet_hours.enabled)
    return 'Quiet hours: heat can start again at ' + s.quiet_hours.end + '.';
  if (s.auth && !s.auth.may_change) return 'Enter the PIN to make changes.';
  return '';
}

function renderZone(z) {
  const s = ui.status;
  const st = ui.zones.get(z.id) || makeZone(z);
  const el = st.el;
  st.minutes = Math.min(st.minutes, z.limits.max_minutes);
  st.setpoint = Math.min(z.limits.max_setpoint_c, Math.max(z.limits.min_setpoint_c, st.setpoint));

  $('.z-name', el).textContent = z.name;
  const badge = $('.z-state', el);
  badge.textContent = z.fault ? 'fault' : z.session ? (z.relay ? 'heating' : 'holding') : 'idle';
  badge.className = 'badge z-state ' + (z.fault ? 'fault' : z.session ? 'heating' : '');
  $('.z-temp', el).textContent = fmtC(z.temp_c);
  $('.z-set', el).textContent = z.session ? fmtC(z.setpoint_c) : '–';

  const count = $('.z-count', el);
  count.hidden = !z.session;
  if (z.session)
    count.textContent = leftText(z.remaining_s) + ' left · off at ' + clockText(z.ends_at);

  const fault = $('.z-fault', el);
  fault.hidden = !z.fault;
  if (z.fault) {
    $('.z-fault-name', el).textContent = FAULT_NAMES[z.fault] || z.fault;
    $('.z-fault-help', el).textContent = z.fault_help || '';
  }

  $('.z-min', el).textContent = st.minutes + ' min';
  $('.z-sp', el).textContent = st.setpoint.toFixed(1);
  const why = startBlocked(s, z);
  const reason = $('.z-reason', el);
  reason.hidden = !why;
  reason.textContent = why;
  const start = $('.z-start', el);
  start.disabled = !!why;
  start.textContent = z.session ? 'Change' : 'Start';
  const mayChange = !s.auth || s.auth.may_change;
  $('.z-stop', el).disabled = !z.session || !mayChange;
  $('.z-clear', el).disabled = !mayChange;
  for (const b of el.querySelectorAll('.stepper button')) b.disabled = !mayChange;
  drawChart(st, z);
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

function renderGuidance(s) {
  const g = s.guidance;
  const consult = g.kind === 'consult';
  $('#consult').hidden = !consult;
  if (consult) {
    $('#consult-title').textContent = g.title;
    $('#consult-text').textContent = g.text;
    $('#consult-disclaimer').textContent = g.disclaimer;
  }
  /* Warning signs: the doctor comes first and alone; the heat or cold
   * panel would only compete with it. The cold window still shows. */
  $('#guidance').hidden = consult;
  $('#g-title').textContent = g.title;
  $('#g-text').textContent = g.text;
  $('#g-disclaimer').textContent = g.disclaimer;
  const blockedText = g.heat_blocked ? 'Heat is blocked until ' + g.heat_allowed_at_local + '.' : '';
  for (const sel of ['#g-blocked', '#consult-blocked']) {
    $(sel).hidden = !blockedText;
    $(sel).textContent = blockedText;
  }

  const r = g.record;
  const parts = [];
  if (r.acute) parts.push((r.injury && r.swelling ? 'Injury and swelling' : r.injury ? 'Injury' : 'Swelling') +
    ' recorded at ' + new Date(r.acute_at * 1000).toLocaleString([], { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }) + '.');
  if (r.pain_worsening) parts.push('Pain that persists or worsens.');
  if (r.nerve_signs) parts.push('Numbness, tingling or spreading pain.');
  $('#record-state').textContent = parts.length ? 'On record: ' + parts.join(' ') : 'Nothing on record.';
  /* Mirror the saved warning signs unless someone is editing them. */
  if (!$('#signs-form').contains(document.activeElement)) {
    $('#f-pain').checked = r.pain_worsening;
    $('#f-nerve').checked = r.nerve_signs;
  }
  const may = !s.auth || s.auth.may_change;
  for (const b of document.querySelectorAll('#record button')) b.disabled = !may;
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
  $('#device').textContent = 'Heating pad · ' + s.device_id;
  $('#clock').textContent = clockText(s.time);
  showPin(s.auth && s.auth.pin_required && !s.auth.may_change);
  renderGuidance(s);
  for (const z of s.zones) renderZone(z);
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
    await change('POST', '/api/injury', { pain_worsening: $('#f-pain').checked,
                                          nerve_signs: $('#f-nerve').checked });
  });
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
  if (ui.status && ui.status.time - ui.lastHistory >= HISTORY_STEP_S) {
    ui.lastHistory = ui.status.time;
    await loadHistory();
  }
  setTimeout(loop, POLL_MS);
}

setupForms();
window.addEventListener('resize', () => { for (const st of ui.zones.values()) delete $('.z-chart', st.el).dataset.key; });
loop();
