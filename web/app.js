/* The heating pad's page. Asks the daemon for its status every second and
 * shows it; every change goes through the JSON API (docs/http.md, the
 * page in docs/page.md). Times and countdowns come from the daemon's
 * clock ("time", "remaining_s", "ends_at"), never the phone's, so a
 * simulated clock shows right. Every text comes from the catalogue
 * (i18n.js), every date through its fmtDate. The schedules, the history
 * and the bedside view are modules of their own, given one `ctx`; the
 * page works without them. No build step, no libraries. */

import { initI18n, t, lang, codeText, setLang, fmtDate, LANGS } from './i18n.js';
import { $, setText, applyStatic, feedback } from './page_dom.js';
import { pageApi } from './page_api.js';
import { renderZone, noteEnds } from './page_zone.js';
import { sendStop, stopTap, stoppingText } from './page_stop.js';
import { renderAdvice, renderAuth, setupAdvice } from './page_advice.js';
import { showConn, lost, tick, seen, afterOutage } from './page_conn.js';

const POLL_MS = 1000;
const HISTORY_STEP_S = 10;  /* the daemon keeps a sample every 10 s of its clock */
const ASKED_KEY = 'heatpad-asked-on';

const pg = {
  status: null,            /* the last /api/status */
  zones: new Map(),        /* id -> { el, minutes, setpoint, history } */
  ended: new Map(),        /* id -> a session this page saw end */
  lastHistory: -Infinity,  /* daemon time of the last history fetch */
  lastOkAt: Date.now(),    /* phone time of the last status (ms) */
  stale: false,            /* no current status: nothing shown is live */
  outage: null,            /* { before, until } just after an outage */
  backTimer: 0,
  stopping: new Map(),     /* zone id or '*' -> a Stop still waiting for an answer */
  asking: null,            /* the zone whose Start waits for the question */
  pinWaitUntil: 0,         /* a wrong PIN's wait ends then (phone ms) */
  pinWrong: false,
  memory: {},              /* stands in for localStorage when it is refused */
  listeners: [],           /* ctx.onStatus */
  nextScheduleText: null,  /* from schedules.js, once loaded */
  openBedside: null,       /* from bedside.js, once loaded */
  FROM_QUESTION_KEY: 'heatpad-question-record',
  t, lang, codeText, fmtDate,
};

pg.api = pageApi(() => { $('#pin').hidden = false; });

/* localStorage, or this page's memory when storage is refused (a private window). */
pg.store = (key, value) => {
  try {
    if (value === undefined) return localStorage.getItem(key);
    localStorage.setItem(key, value);
  } catch (e) {
    if (value === undefined) return pg.memory[key] || null;
    pg.memory[key] = value;
  }
  return value;
};

/* The local date by the daemon's clock. */
function today(s) {
  const d = new Date(s.time * 1000);
  return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0') + '-' +
    String(d.getDate()).padStart(2, '0');
}
pg.answeredToday = () => pg.store(ASKED_KEY, today(pg.status));

/* Asked once a day per phone, and only when nothing is on record: with an
 * event or warning signs on record the daemon decides on its own. */
pg.mustAsk = () => {
  const s = pg.status, g = s.guidance, r = g.record;
  if (g.private || !r || g.heat_blocked || g.confirm_needed) return false;
  if (r.acute || r.pain_worsening || r.nerve_signs || r.urgent_signs) return false;
  return pg.store(ASKED_KEY) !== today(s);
};

/* The daemon's answer, in the reader's language. */
function answerText(r) {
  if (r.noAnswer) return t('page.change.no_answer');
  return codeText(r.code, r.message);
}

/* A change: says the outcome in `fb` (the line beside what was tapped),
 * `okText` when it worked and the caller has its own words, and
 * refreshes at once. */
pg.change = async (method, path, body, fb, okText) => {
  const r = await pg.api(method, path, body);
  feedback(fb, r.ok && okText ? okText : answerText(r), r.ok ? 'ok' : 'error');
  if (r.status && r.status.zones) pg.fresh(r.status);
  await pg.poll();
  pg.lastHistory = -Infinity;
  return r;
};

/* A Stop's answer, on its card (or under Stop all). */
pg.answer = (key, r) => {
  const st = pg.zones.get(key);
  feedback(key === '*' ? $('#stop-all-feedback') : st && $('.z-feedback', st.el),
    r.ok ? t(key === '*' ? 'page.stop.done_all' : 'page.stop.done') : answerText(r), r.ok ? 'ok' : 'error');
};

pg.poll = async () => {
  const s = await pg.api('GET', '/api/status');
  if (s.ok && s.zones) pg.fresh(s);
  else if (s.noAnswer) lost(pg);
};

/* A status straight from the daemon. */
pg.fresh = (s) => {
  const before = pg.status;
  seen(pg);
  noteEnds(pg, before, s);
  render(s);
  afterOutage(pg, s);
  /* A Stop still waiting for an answer goes now, not at its next retry. */
  for (const [key, st] of pg.stopping) if (!st.inflight) sendStop(pg, key);
  for (const fn of pg.listeners) {
    try { fn(s); } catch (e) { console.error(e); }
  }
};

pg.rerender = () => { if (pg.status) render(pg.status); };

pg.ctx = {
  api: (method, path, body) => pg.api(method, path, body),
  status: () => pg.status,
  onStatus: (fn) => { pg.listeners.push(fn); },
  t, fmtDate, codeText,
  refresh: () => pg.poll(),
};

/* A simulated pad heats nothing and its temperatures are a model: said
 * above the zones, in a line that is part of the zone area from the start. */
function showSimulated(s) {
  const sim = s.zones.filter((z) => z.simulated).map((z) => z.name);
  const el = $('#simulated');
  el.hidden = !sim.length;
  if (sim.length) setText(el, t('page.simulated', { zones: sim.join(', ') }));
}

function renderStopAll(s) {
  const many = s.zones.length > 1;
  $('#stop-all-row').hidden = !many;
  if (!many) return;
  const stopping = stoppingText(pg, '*');
  $('#stop-all').disabled = !(pg.stale || stopping || s.zones.some((z) => z.session));
  $('#stop-all-state').hidden = !stopping;
  setText($('#stop-all-state'), stopping);
}

function render(s) {
  pg.status = s;
  showSimulated(s);
  setText($('#device'), t('page.device', { id: s.device_id }));
  setText($('#clock'), pg.stale ? '' : fmtDate(s.time, 'time'));
  renderAuth(pg, s);
  renderAdvice(pg, s);
  renderStopAll(s);
  for (const z of s.zones) renderZone(pg, z);
  $('#zone-area').classList.remove('loading');
  showConn(pg);
}

async function loadHistory() {
  for (const [id, st] of pg.zones) {
    const h = await pg.api('GET', '/api/history?zone=' + encodeURIComponent(id) + '&minutes=60');
    if (h.ok) {
      st.history = h;
      const z = pg.status.zones.find((x) => x.id === id);
      if (z) renderZone(pg, z);
    }
  }
}

async function loop() {
  await pg.poll();
  /* By the daemon's clock, so a fast simulated clock keeps the chart current. */
  if (pg.status && !pg.stale && pg.status.time - pg.lastHistory >= HISTORY_STEP_S) {
    pg.lastHistory = pg.status.time;
    await loadHistory();
  }
  setTimeout(loop, POLL_MS);
}

/* The language picker: Automatic (the browser's), or one we have. */
function setupLang() {
  const sel = $('#lang');
  let stored = null;
  try { stored = localStorage.getItem('heatpad-lang'); } catch (e) { /* private mode */ }
  while (sel.options.length > 1) sel.remove(1);
  for (const l of LANGS) sel.add(new Option(l.name, l.code));
  sel.value = stored && LANGS.some((l) => l.code === stored) ? stored : 'auto';
  sel.addEventListener('change', () => setLang(sel.value));
}

function retranslate() {
  document.title = t('page.title');
  applyStatic(t);
  for (const st of pg.zones.values()) {
    applyStatic(t, st.el);
    delete $('.z-chart', st.el).dataset.key;
  }
  pg.rerender();
}

/* The other parts of the page: each mounts itself, and a missing one
 * leaves its section empty without stopping the rest. */
function mountParts() {
  import('./schedules.js').then((m) => {
    if (m.nextScheduleText) pg.nextScheduleText = m.nextScheduleText;
    if (m.mountSchedules) m.mountSchedules($('#schedules'), pg.ctx);
    pg.rerender();
  }).catch((e) => console.warn('schedules:', e.message));
  import('./history.js').then((m) => { if (m.mountHistory) m.mountHistory($('#history'), pg.ctx); })
    .catch((e) => console.warn('history:', e.message));
  import('./bedside.js').then((m) => { if (m.openBedside) pg.openBedside = m.openBedside; })
    .catch((e) => console.warn('bedside:', e.message));
}

async function main() {
  await initI18n();
  retranslate();
  setupLang();
  setupAdvice(pg);
  $('#stop-all').addEventListener('click', () => stopTap(pg, '*'));
  $('#back-ok').addEventListener('click', () => { $('#back').hidden = true; });
  window.addEventListener('heatpad-lang', retranslate);
  window.addEventListener('resize', () => { for (const st of pg.zones.values()) delete $('.z-chart', st.el).dataset.key; });
  setInterval(() => tick(pg), 500);
  mountParts();
  loop();
}

main();
