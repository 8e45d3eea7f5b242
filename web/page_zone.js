/* page_zone.js: one card per zone. What it shows, largest first: time
 * left while a session runs, else how the last one ended; the temperature
 * ("no reading" when the sensor is at fault: never a stale figure); the
 * presets for one tap (Low / Medium / High warmth, 10 / 20 / 30 min) and
 * the steppers for fine control; Start, or while running a big Stop. The
 * answer to a tap on the card appears in its own reserved line. */

import { $, $$, setText, tOr, feedback, leftText, fmtC, applyStatic } from './page_dom.js';
import { stopTap, stoppingText } from './page_stop.js';
import { drawChart } from './page_chart.js';

const PRESETS = { low: -2, medium: 0, high: 2 };
const MINUTES = [10, 20, 30];
const ENDED_BADGE_S = 30 * 60;   /* "ended 20:20, time up" this long, then "off" */
const NEAR_C = 1.0;              /* within this of the target counts as "at" it */

const prefKey = (id) => 'heatpad-preset-' + id;

function presetSetpoint(z, name) {
  const lim = z.limits;
  return Math.min(lim.max_setpoint_c, Math.max(lim.min_setpoint_c, z.defaults.setpoint_c + PRESETS[name]));
}
function presetMinutes(z, m) { return Math.max(1, Math.min(z.limits.max_minutes, m)); }

/* The last used choice on this phone, else the zone's defaults. */
function remembered(pg, z) {
  const out = { minutes: z.defaults.minutes, setpoint: z.defaults.setpoint_c };
  try {
    const p = JSON.parse(pg.store(prefKey(z.id)) || 'null');
    if (p && p.preset in PRESETS) out.setpoint = presetSetpoint(z, p.preset);
    else if (p && typeof p.setpoint_c === 'number') out.setpoint = p.setpoint_c;
    if (p && typeof p.minutes === 'number') out.minutes = p.minutes;
  } catch (e) { /* a damaged entry: the defaults */ }
  return out;
}

function remember(pg, z, st) {
  const preset = Object.keys(PRESETS).find((k) => presetSetpoint(z, k) === st.setpoint);
  pg.store(prefKey(z.id), JSON.stringify(preset ? { preset, minutes: st.minutes }
    : { setpoint_c: st.setpoint, minutes: st.minutes }));
}

function makeZone(pg, z) {
  const el = $('#zone-tpl').content.firstElementChild.cloneNode(true);
  el.dataset.zone = z.id;
  applyStatic(pg.t, el);
  for (const e of $$('[data-id]', el)) e.id = e.dataset.id + '-' + z.id;
  for (const e of $$('[data-labelledby]', el)) e.setAttribute('aria-labelledby', e.dataset.labelledby + '-' + z.id);
  for (const e of $$('[data-describedby]', el)) e.setAttribute('aria-describedby', e.dataset.describedby + '-' + z.id);
  const st = Object.assign({ el, history: null }, remembered(pg, z));
  const zone = () => pg.status.zones.find((x) => x.id === z.id);
  const fb = $('.z-feedback', el);
  const step = (key, d) => () => {
    const lim = zone().limits;
    if (key === 'minutes') {
      /* 1-minute steps up to 5, then 5-minute steps. */
      const m = d > 0 ? (st.minutes < 5 ? st.minutes + 1 : st.minutes + 5)
                      : (st.minutes <= 5 ? st.minutes - 1 : st.minutes - 5);
      st.minutes = Math.min(lim.max_minutes, Math.max(1, m));
    } else {
      st.setpoint = Math.min(lim.max_setpoint_c, Math.max(lim.min_setpoint_c,
        Math.round((st.setpoint + d * 0.5) * 2) / 2));
    }
    renderZone(pg, zone());
  };
  $('.z-min-dec', el).addEventListener('click', step('minutes', -1));
  $('.z-min-inc', el).addEventListener('click', step('minutes', 1));
  $('.z-sp-dec', el).addEventListener('click', step('setpoint', -1));
  $('.z-sp-inc', el).addEventListener('click', step('setpoint', 1));
  for (const b of $$('.z-preset', el))
    b.addEventListener('click', () => { st.setpoint = presetSetpoint(zone(), b.dataset.preset); renderZone(pg, zone()); });
  for (const b of $$('.z-minutes', el))
    b.addEventListener('click', () => { st.minutes = presetMinutes(zone(), +b.dataset.minutes); renderZone(pg, zone()); });

  const path = '/api/zones/' + encodeURIComponent(z.id) + '/';
  const start = async () => {
    const body = { minutes: st.minutes, setpoint_c: st.setpoint };
    const r = await pg.change('POST', path + 'start', body, fb);
    if (r.ok) {
      remember(pg, zone(), st);
      feedback(fb, pg.t('page.zone.started', { minutes: body.minutes,
        c: fmtC(body.setpoint_c, pg.lang(), body.setpoint_c % 1 ? 1 : 0) }), 'ok');
    }
  };
  $('.z-start', el).addEventListener('click', () => {
    if (pg.stale) return;
    if (pg.mustAsk()) {
      pg.asking = z.id;
      pg.rerender();
      $('.z-no', el).focus();
      return;
    }
    start();
  });
  $('.z-no', el).addEventListener('click', () => {
    pg.answeredToday();
    pg.asking = null;
    pg.rerender();
    start();
  });
  $('.z-yes', el).addEventListener('click', async () => {
    pg.answeredToday();
    pg.asking = null;
    pg.rerender();
    /* "Injury or swelling" without saying which: both are recorded, as of
     * now, so the record covers whatever it was and the 48 hours run from
     * the answer (the safe reading of "in the last 2 days"). */
    const r = await pg.api('POST', '/api/injury', { injury: true, swelling: true });
    const rec = r.ok && r.guidance && r.guidance.record;
    if (rec && rec.acute_at) pg.store(pg.FROM_QUESTION_KEY, String(rec.acute_at));
    feedback(fb, r.ok ? pg.t('page.ask.recorded')
      : r.noAnswer ? pg.t('page.ask.no_answer') : pg.codeText(r.code, r.message), r.ok ? 'ok' : 'error');
    if (r.status && r.status.zones) pg.fresh(r.status);
    await pg.poll();
    if (r.ok) window.scrollTo(0, 0);   /* the cold advice is at the top now */
  });
  $('.z-stop', el).addEventListener('click', () => stopTap(pg, z.id));
  $('.z-clear', el).addEventListener('click', () => pg.change('POST', path + 'clear-fault', undefined, fb, pg.t('page.zone.cleared')));
  $('.z-bedside', el).addEventListener('click', () => {
    if (pg.openBedside) pg.openBedside(z.id, pg.ctx);
    else feedback(fb, pg.t('page.bedside.missing'), 'error');
  });
  $('#zones').appendChild(el);
  pg.zones.set(z.id, st);
  return st;
}

/* Why heat cannot start on this zone now, or '' when it can. */
function startBlocked(pg, s, z) {
  const g = s.guidance, t = pg.t;
  if (pg.stale) return t('page.blocked.no_answer');
  if (pg.stopping.has(z.id) || pg.stopping.has('*')) return t('page.blocked.stopping');
  if (g.heat_blocked) {
    const until = g.heat_allowed_at ? pg.fmtDate(g.heat_allowed_at, 'datetime') : '';
    if (g.private) return until ? t('page.blocked.until', { when: until }) : t('page.blocked.for_now');
    switch (g.blocked_by) {
    case 'urgent_signs': return t('page.blocked.urgent');
    case 'warning_signs': return t('page.blocked.warning');
    case 'record_unreadable': return t('page.blocked.confirm');
    default: return until ? t('page.blocked.cold', { when: until }) : t('page.blocked.for_now');
    }
  }
  if (z.fault) return t('page.blocked.fault');
  if (s.quiet_hours.active && s.quiet_hours.enabled) return t('page.blocked.quiet', { time: s.quiet_hours.end });
  if (s.auth && !s.auth.may_change) return t('page.blocked.pin');
  if (!z.session && z.cap_left_s === 0)
    return z.fresh_at ? t('page.blocked.resting_until', { time: pg.fmtDate(z.fresh_at, 'time') })
      : t('page.blocked.resting');
  return '';
}

/* The continuous exposure cap, when the daemon reports it: said only when
 * it is close to mattering. */
function capText(pg, z) {
  if (typeof z.cap_left_s !== 'number' || z.cap_left_s === 0 && !z.session) return '';
  const mins = Math.floor(z.cap_left_s / 60);
  const fresh = z.fresh_at ? ' ' + pg.t('page.cap.fresh', { time: pg.fmtDate(z.fresh_at, 'time') }) : '';
  if (z.session)
    return z.cap_left_s - z.remaining_s < 600 ? pg.t('page.cap.running', { n: mins }) + fresh : '';
  if (z.cap_left_s >= z.limits.max_minutes * 60) return '';
  return pg.t('page.cap.idle', { n: mins }) + fresh;
}

function sourceText(pg, src) { return tOr(pg.t, 'daemon.source.' + src, src); }

function lastCommandText(pg, l) {
  if (!l || !l.source) return '';
  const p = { who: sourceText(pg, l.source), time: l.at ? pg.fmtDate(l.at, 'time') : '' };
  if (l.ok) return pg.t(l.at ? 'page.last.ok_at' : 'page.last.ok', p);
  p.why = l.code ? pg.codeText(l.code, l.message) : (l.message || '');
  return pg.t(p.why ? 'page.last.refused_why' : 'page.last.refused', p);
}

/* How the zone's last session ended: the daemon's record when it keeps
 * one (last_session), else what this page saw end. */
function lastEnded(pg, z) {
  const ls = z.last_session;
  const seen = pg.ended.get(z.id);
  if (ls && ls.ended_at && (!seen || ls.ended_at >= seen.ended_at - 5)) return ls;
  return seen || null;
}

function endReason(pg, e) { return e.end ? tOr(pg.t, 'daemon.end.' + e.end, e.end) : ''; }

/* The plain words of the badge, and its look. */
function stateWords(pg, s, z) {
  const t = pg.t;
  if (pg.stale) return [t('page.state.no_answer'), 'stale'];
  if (z.fault) return [t('page.state.fault'), 'fault'];
  if (z.session) {
    const set = z.setpoint_c;
    const c = fmtC(set, pg.lang(), set % 1 ? 1 : 0);
    if (typeof z.temp_c !== 'number' || typeof set !== 'number') return [t('page.state.heating'), 'heating'];
    if (z.temp_c < set - NEAR_C) return [t('page.state.warming'), 'heating'];
    if (z.temp_c > set + NEAR_C) return [t('page.state.cooling', { c }), 'heating'];
    return [t('page.state.at', { c }), 'heating'];
  }
  const e = lastEnded(pg, z);
  if (e && s.time - e.ended_at < ENDED_BADGE_S) {
    const why = endReason(pg, e);
    const time = pg.fmtDate(e.ended_at, 'time');
    return [why ? t('page.state.ended_why', { time, why }) : t('page.state.ended', { time }), 'ended'];
  }
  return [t('page.state.off'), ''];
}

function endedText(pg, s, z) {
  const e = lastEnded(pg, z);
  if (!e || z.session) return '';
  const when = pg.fmtDate(e.ended_at, s.time - e.ended_at < 20 * 3600 ? 'time' : 'datetime');
  const why = endReason(pg, e);
  let text = why ? pg.t('page.ended.line_why', { when, why }) : pg.t('page.ended.line', { when });
  if (typeof e.peak_c === 'number') text += ' ' + pg.t('page.ended.peak', { c: fmtC(e.peak_c, pg.lang()) });
  return text;
}

function nextText(pg, s, z) {
  if (pg.nextScheduleText) {
    try { return pg.nextScheduleText(z, s, pg.ctx) || ''; } catch (e) { /* fall back below */ }
  }
  const n = z.next_schedule;
  if (!n || !n.at) return '';
  return pg.t('page.next', { when: pg.fmtDate(n.at, 'day'), minutes: n.minutes,
    c: fmtC(n.setpoint_c, pg.lang(), n.setpoint_c % 1 ? 1 : 0) });
}

export function renderZone(pg, z) {
  const s = pg.status, t = pg.t, lang = pg.lang();
  const st = pg.zones.get(z.id) || makeZone(pg, z);
  const el = st.el;
  const stale = pg.stale;
  const running = z.session && !stale;
  st.minutes = Math.min(st.minutes, z.limits.max_minutes);
  st.setpoint = Math.min(z.limits.max_setpoint_c, Math.max(z.limits.min_setpoint_c, st.setpoint));

  el.classList.toggle('stale', stale);
  el.classList.toggle('running', !!running);
  setText($('.z-name', el), z.name);
  const [words, look] = stateWords(pg, s, z);
  const badge = $('.z-state', el);
  setText(badge, words);
  badge.className = 'badge z-state ' + look;

  /* A sensor at fault, or no reading at all: never the last good figure. */
  const noReading = stale || !!z.fault || typeof z.temp_c !== 'number';
  setText($('.z-temp', el), noReading ? (stale ? '–' : t('page.zone.no_reading')) : fmtC(z.temp_c, lang));
  $('.z-temp', el).classList.toggle('none', noReading && !stale);
  $('.z-temp-unit', el).hidden = noReading && !stale;
  setText($('.z-set', el), fmtC(running ? z.setpoint_c : st.setpoint, lang));

  const count = $('.z-count', el);
  count.hidden = !running;
  if (running) {
    setText($('.z-left', el), leftText(z.remaining_s));
    setText($('.z-off', el), t('page.zone.left_off_at', { time: pg.fmtDate(z.ends_at, 'time') }));
  }
  const ended = stale ? '' : endedText(pg, s, z);
  $('.z-ended', el).hidden = !ended;
  setText($('.z-ended', el), ended);
  const next = stale || running ? '' : nextText(pg, s, z);
  $('.z-next', el).hidden = !next;
  setText($('.z-next', el), next);

  const cap = stale ? '' : capText(pg, z);
  $('.z-cap', el).hidden = !cap;
  setText($('.z-cap', el), cap);
  /* The zone's last command and where it came from (the bedside button,
   * Home Assistant, this page, a schedule, the command line). */
  setText($('.z-last', el), stale ? '' : lastCommandText(pg, z.last_command));

  const fault = $('.z-fault', el);
  fault.hidden = !z.fault;
  if (z.fault) {
    setText($('.z-fault-name', el), tOr(t, 'daemon.fault.' + z.fault, z.fault));
    setText($('.z-fault-help', el), tOr(t, 'daemon.fault_help.' + z.fault, z.fault_help || ''));
  }

  for (const b of $$('.z-preset', el)) {
    const v = presetSetpoint(z, b.dataset.preset);
    setText($('.p-val', b), fmtC(v, lang, v % 1 ? 1 : 0) + ' °C');
    b.setAttribute('aria-pressed', String(v === st.setpoint));
  }
  for (const b of $$('.z-minutes', el)) {
    const m = presetMinutes(z, +b.dataset.minutes);
    setText(b, t('page.zone.minutes', { n: m }));
    b.setAttribute('aria-pressed', String(m === st.minutes));
  }
  setText($('.z-min', el), t('page.zone.minutes', { n: st.minutes }));
  setText($('.z-sp', el), fmtC(st.setpoint, lang));

  const why = startBlocked(pg, s, z);
  const reason = $('.z-reason', el);
  reason.hidden = !why;
  setText(reason, why);
  const asking = pg.asking === z.id && !why;
  if (pg.asking === z.id && why) pg.asking = null;
  $('.z-ask', el).hidden = !asking;
  $('.z-no', el).hidden = !asking;
  $('.z-yes', el).hidden = !asking;
  const start = $('.z-start', el);
  start.hidden = asking;
  start.disabled = !!why;
  setText(start, t(running ? 'page.zone.change' : 'page.zone.start'));
  const mayChange = !s.auth || s.auth.may_change;
  /* Stop needs no PIN, and while the page cannot see, a session may be
   * running that it does not know of: Stop stays pressable. */
  const stopping = stoppingText(pg, z.id);
  $('.z-stop', el).disabled = !(z.session || stale || stopping);
  $('.z-stopping', el).hidden = !stopping;
  setText($('.z-stopping', el), stopping);
  $('.z-clear', el).disabled = !mayChange || stale;
  for (const b of $$('.stepper button, .presets button', el)) b.disabled = !mayChange;
  drawChart($('.z-chart', el), st.history, z, s.time, t, lang);
}

/* Notes a session the page saw end, for the line it leaves behind. */
export function noteEnds(pg, before, now) {
  if (!before) return;
  for (const b of before.zones) {
    const z = now.zones.find((x) => x.id === b.id);
    if (z && b.session && !z.session)
      pg.ended.set(z.id, { ended_at: now.time, end: z.fault ? 'fault' : (z.last_session && z.last_session.end) || null });
  }
}
