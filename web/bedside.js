/* bedside.js: one zone's countdown and temperature, full screen, dim, for
 * the phone on the bedside table. Its Stop keeps trying every second until
 * the daemon answers (a stop is never refused), even after the view is
 * closed. Where the browser allows, the screen is kept on (Screen Wake
 * Lock) and the view goes full screen; where it does not, the view says
 * so plainly. No animation, nothing flashes. */

const RETRY_MS = 1000;
const STALE_MS = 5000;          /* the page asks every second */

/* One view open at a time; the Stops outlive it. */
const view = { open: null, ctx: null, subscribed: false };
const stops = new Map();        /* zone id -> { tries, inflight, timer, ctx } */

function el(tag, cls, attrs) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  return e;
}

function setText(e, s) {
  if (e.textContent !== s) e.textContent = s;
}

/* 84:05: minutes and seconds, as a kitchen timer shows them (a session
 * is at most a few hours, and five figures fit the width). */
function clock(s) {
  s = Math.max(0, Math.ceil(s));
  return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
}

/* 39.5 or 39,5: in the page's language (initI18n sets <html lang>). */
function deg(c) {
  return c.toLocaleString(document.documentElement.lang || undefined,
                          { minimumFractionDigits: 1, maximumFractionDigits: 1 });
}

function tOr(ctx, key, fallback, params) {
  const s = ctx.t(key, params);
  return s === key ? fallback : s;
}

/* ---- Stop ---- */

function stopPath(zoneId) {
  return '/api/zones/' + encodeURIComponent(zoneId) + '/stop';
}

function stopTap(zoneId, ctx) {
  if (!stops.has(zoneId)) stops.set(zoneId, { tries: 0, inflight: false, timer: 0, ctx });
  sendStop(zoneId);
}

async function sendStop(zoneId) {
  const st = stops.get(zoneId);
  if (!st || st.inflight) return;
  clearTimeout(st.timer);
  st.inflight = true;
  st.tries++;
  showStop(zoneId, st.tries > 1 ? st.ctx.t('bedside.stop_retry', { tries: st.tries - 1 })
                                 : st.ctx.t('bedside.stopping'), 'busy');
  const r = await st.ctx.api('POST', stopPath(zoneId));
  st.inflight = false;
  /* No answer, or one from something in between (a proxy's 502) or a
   * daemon that cannot take it now: again in a second. */
  if (!r || r.noAnswer || r.httpStatus >= 500) {
    st.timer = setTimeout(() => sendStop(zoneId), RETRY_MS);
    showStop(zoneId, st.ctx.t('bedside.stop_retry', { tries: st.tries }), 'busy');
    return;
  }
  stops.delete(zoneId);
  showStop(zoneId, r.ok ? st.ctx.t('bedside.stopped') : st.ctx.codeText(r.code, r.message),
           r.ok ? 'ok' : 'error');
  try { await st.ctx.refresh(); } catch (e) { /* the next poll shows it */ }
}

function showStop(zoneId, text, kind) {
  const v = view.open;
  if (!v || v.zoneId !== zoneId) return;
  setText(v.feedback, text);
  v.feedback.dataset.kind = kind;
}

/* ---- Wake Lock ---- */

async function keepAwake(v) {
  if (!v.alive || document.visibilityState !== 'visible') return;
  if (!('wakeLock' in navigator)) {
    /* Browsers offer it only to secure pages: https, or localhost. */
    wakeSays(v, window.isSecureContext ? 'unsupported' : 'insecure');
    return;
  }
  if (v.lock && !v.lock.released) return;
  if (v.asking) return;
  wakeSays(v, 'trying');
  v.asking = true;
  try {
    const lock = await navigator.wakeLock.request('screen');
    v.asking = false;
    if (!v.alive) { lock.release().catch(() => {}); return; }
    v.lock = lock;
    wakeSays(v, 'on');
    /* Released by the browser when the page is hidden: asked for again
     * when it is visible again (visFn), or at the next touch. */
    lock.addEventListener('release', () => {
      if (!v.alive || v.lock !== lock) return;
      v.lock = null;
      /* Hidden: asked for again on return. Visible: the system took it. */
      if (document.visibilityState === 'visible') wakeSays(v, 'refused');
    });
  } catch (e) {
    v.asking = false;
    if (v.alive) wakeSays(v, 'refused');
  }
}

/* Spelled out, so that a check of the catalogues sees every key. */
const WAKE_TEXT = {
  on: (t) => t('bedside.wake.on'),
  trying: (t) => t('bedside.wake.trying'),
  insecure: (t) => t('bedside.wake.insecure'),
  unsupported: (t) => t('bedside.wake.unsupported'),
  refused: (t) => t('bedside.wake.refused'),
};

function wakeSays(v, state) {
  v.wakeState = state;
  v.wake.dataset.state = state;
  setText(v.wake, WAKE_TEXT[state](v.ctx.t));
}

/* ---- the view ---- */

function build(ctx) {
  const root = el('div', 'bedside', { id: 'bedside', role: 'dialog', 'aria-modal': 'true',
                                      'aria-labelledby': 'b-title' });
  const top = el('div', 'b-top');
  const title = el('h2', 'b-title', { id: 'b-title' });
  const close = el('button', 'b-close', { type: 'button' });
  top.append(title, close);
  const count = el('p', 'b-count');
  const countLabel = el('p', 'b-label b-count-label');
  const temp = el('p', 'b-temp');
  const tempLabel = el('p', 'b-label b-temp-label');
  const note = el('p', 'b-note');
  const stop = el('button', 'b-stop', { type: 'button' });
  const feedback = el('p', 'b-feedback', { role: 'status' });
  const wake = el('p', 'b-wake', { role: 'status' });
  const main = el('div', 'b-main');
  main.append(countLabel, count, temp, tempLabel, note);
  root.append(top, main, stop, feedback, wake);
  const v = { root, title, close, count, countLabel, temp, tempLabel, note, stop,
              feedback, wake, ctx };
  setText(close, ctx.t('bedside.close'));
  setText(stop, ctx.t('bedside.stop'));
  setText(countLabel, ctx.t('bedside.time_left'));
  setText(tempLabel, ctx.t('bedside.temp_now'));
  return v;
}

function render(v) {
  const ctx = v.ctx;
  const s = ctx.status();
  const z = s && s.zones ? s.zones.find((x) => x.id === v.zoneId) : null;
  if (!s || !z) {
    setText(v.title, ctx.t('bedside.title', { zone: v.zoneId }));
    setText(v.count, '–:––');
    setText(v.temp, '–');
    setText(v.note, s ? ctx.t('bedside.gone') : '');
    return;
  }
  if (s !== v.seen) {             /* a fresh status: count on from it */
    v.seen = s;
    v.seenAt = performance.now();
  }
  const age = performance.now() - v.seenAt;
  setText(v.title, ctx.t('bedside.title', { zone: z.name }));
  const left = z.session ? (z.remaining_s || 0) - age / 1000 : 0;
  setText(v.count, z.session ? clock(left) : '–:––');
  const reading = !z.fault && typeof z.temp_c === 'number';
  setText(v.temp, reading ? deg(z.temp_c) + ' °C' : ctx.t('bedside.no_reading'));
  v.temp.classList.toggle('b-none', !reading);
  let note;
  if (z.fault) {
    note = ctx.t('bedside.fault', { text: tOr(ctx, 'daemon.fault.' + z.fault,
                                              z.fault_help || z.fault) });
  } else if (z.session && typeof z.setpoint_c === 'number') {
    note = ctx.t('bedside.target', { temp: deg(z.setpoint_c) });
  } else {
    note = z.session ? '' : ctx.t('bedside.off');
  }
  if (age > STALE_MS) {
    note = ctx.t('bedside.stale', { time: ctx.fmtDate(Date.now() / 1000 - age / 1000, 'time') });
  }
  setText(v.note, note);
  v.root.classList.toggle('b-stale', age > STALE_MS);
  v.root.classList.toggle('b-running', !!z.session);
}

/* Everything but the view is inert while it is open: Tab stays inside,
 * a screen reader reads only it. */
function setInert(v, on) {
  if (on) {
    v.inerted = [...document.body.children].filter((c) => c !== v.root && !c.inert);
    for (const c of v.inerted) c.inert = true;
  } else {
    for (const c of v.inerted || []) c.inert = false;
    v.inerted = [];
  }
}

function onKey(v, e) {
  if (e.key === 'Escape') {
    e.preventDefault();
    closeBedside();
  } else if (e.key === 'Tab') {
    /* inert does the work where it exists; this is for the rest. */
    const f = [v.close, v.stop];
    const i = f.indexOf(document.activeElement);
    if (e.shiftKey ? i <= 0 : i === f.length - 1) {
      e.preventDefault();
      f[e.shiftKey ? f.length - 1 : 0].focus();
    }
  }
}

export function closeBedside() {
  const v = view.open;
  if (!v) return;
  view.open = null;
  v.alive = false;
  clearInterval(v.ticker);
  document.removeEventListener('keydown', v.keyFn, true);
  document.removeEventListener('visibilitychange', v.visFn);
  if (v.lock) v.lock.release().catch(() => {});
  if (document.fullscreenElement === v.root && document.exitFullscreen) {
    document.exitFullscreen().catch(() => {});
  }
  setInert(v, false);
  v.root.remove();
  document.documentElement.classList.remove('bedside-open');
  if (v.opener && v.opener.isConnected) v.opener.focus();
}

export function openBedside(zoneId, ctx) {
  closeBedside();
  const v = build(ctx);
  v.zoneId = zoneId;
  v.alive = true;
  v.opener = document.activeElement;
  view.open = v;
  if (!view.subscribed || view.ctx !== ctx) {
    /* ctx.onStatus has no way to unsubscribe: one listener for all views. */
    view.subscribed = true;
    view.ctx = ctx;
    ctx.onStatus(() => {
      if (view.open && view.open.ctx === ctx) render(view.open);
      /* The daemon answers again: a waiting Stop goes now. */
      for (const [id, st] of stops) if (!st.inflight && st.ctx === ctx) sendStop(id);
    });
  }
  v.close.addEventListener('click', closeBedside);
  v.stop.addEventListener('click', () => stopTap(zoneId, ctx));
  v.root.addEventListener('pointerdown', () => keepAwake(v));
  v.keyFn = (e) => onKey(v, e);
  v.visFn = () => { if (document.visibilityState === 'visible') keepAwake(v); };
  document.addEventListener('keydown', v.keyFn, true);
  document.addEventListener('visibilitychange', v.visFn);
  document.body.append(v.root);
  document.documentElement.classList.add('bedside-open');
  setInert(v, true);
  render(v);
  /* The countdown moves between polls, and says when they stop coming. */
  v.ticker = setInterval(() => render(v), 1000);
  const st = stops.get(zoneId);
  if (st) showStop(zoneId, ctx.t('bedside.stop_retry', { tries: st.tries }), 'busy');
  v.stop.focus();
  /* Within the tap that opened it, as both need. */
  if (v.root.requestFullscreen && document.fullscreenEnabled) {
    v.root.requestFullscreen({ navigationUI: 'hide' }).catch(() => {});
  }
  keepAwake(v);
}
