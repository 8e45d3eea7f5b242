/* history.js: the last sessions of each zone (GET /api/sessions), newest
 * first: when each started, how long it ran, its peak temperature, how it
 * ended and the energy it used. Fetched once, then again only when a
 * zone's last session in the status changes (a session ended) or the
 * session's PIN state does, never on the status's every-second beat. A
 * daemon without the log (404) hides the section; one that keeps it
 * private without the PIN (401) says that the PIN shows it. */

import { el, fmtNum } from './page_dom.js';

const NONE = '–';
const COLS = ['start', 'length', 'peak', 'end', 'energy'];

/* Whole keys, so a check that looks for t('...') finds each one. */
function colName(c, ctx) {
  return { start: ctx.t('plan.h.col.start'), length: ctx.t('plan.h.col.length'),
           peak: ctx.t('plan.h.col.peak'), end: ctx.t('plan.h.col.end'),
           energy: ctx.t('plan.h.col.energy') }[c];
}

function lengthText(s, ctx) {
  const secs = Math.max(0, (s.ended_at || 0) - (s.started_at || 0));
  if (secs < 60) return ctx.t('plan.h.seconds', { seconds: Math.round(secs) });
  const min = Math.round(secs / 60);
  if (typeof s.minutes === 'number' && s.minutes !== min)
    return ctx.t('plan.h.minutes_of', { minutes: min, planned: s.minutes });
  return ctx.t('plan.h.minutes', { minutes: min });
}

function cells(s, ctx) {
  return {
    start: typeof s.started_at === 'number' ? ctx.fmtDate(s.started_at, 'datetime') : NONE,
    length: lengthText(s, ctx),
    peak: typeof s.peak_c === 'number' ? ctx.t('plan.h.celsius', { c: fmtNum(s.peak_c, 1) }) : NONE,
    end: s.end ? ctx.t('daemon.end.' + s.end) : NONE,
    energy: typeof s.energy_wh === 'number'
      ? ctx.t('plan.h.wh', { wh: fmtNum(s.energy_wh, s.energy_wh < 10 ? 1 : 0) }) : NONE,
  };
}

/* {zone id: [session, ...]} from either answer shape, newest first. */
function byZone(r) {
  const out = {};
  if (r.zones && typeof r.zones === 'object' && !Array.isArray(r.zones)) {
    for (const [id, list] of Object.entries(r.zones)) if (Array.isArray(list)) out[id] = list;
  } else if (r.zone && Array.isArray(r.sessions)) {
    out[r.zone] = r.sessions;
  }
  for (const id of Object.keys(out))
    out[id] = out[id].slice().sort((a, b) => (b.started_at || 0) - (a.started_at || 0)).slice(0, 30);
  return out;
}

export function mountHistory(rootEl, ctx) {
  const me = {};
  rootEl.planHistory = me;
  const live = () => rootEl.planHistory === me;
  let data = null;           /* {zone id: sessions} as last fetched */
  let state = 'loading';     /* loading | ok | private | failed */
  let sig = null;
  let inFlight = false;
  let again = false;
  let lastTry = 0;

  rootEl.setAttribute('aria-labelledby', 'h-title');
  rootEl.replaceChildren();
  const title = el('h2', { id: 'h-title' });
  const note = el('p', { className: 'h-note', role: 'status' });
  const tables = el('div', { className: 'h-zones' });
  rootEl.append(title, note, tables);

  function zonesInOrder() {
    const s = ctx.status();
    const ids = ((s && s.zones) || []).map((z) => z.id);
    for (const id of Object.keys(data || {})) if (!ids.includes(id)) ids.push(id);
    return ids;
  }

  function zoneName(id) {
    const s = ctx.status();
    const z = ((s && s.zones) || []).find((x) => x.id === id);
    return z ? z.name : id;
  }

  function table(id, sessions) {
    const head = el('tr', { role: 'row' }, COLS.map((c) =>
      el('th', { scope: 'col', role: 'columnheader', text: colName(c, ctx) })));
    const body = el('tbody', { role: 'rowgroup' });
    for (const s of sessions) {
      const c = cells(s, ctx);
      body.append(el('tr', { className: 'h-row', role: 'row' }, COLS.map((k, i) => {
        /* The label repeats the column's name for the narrow layout, where
         * the header row is not shown; screen readers have the header. */
        const label = el('span', { className: 'h-label', 'aria-hidden': 'true',
                                   text: colName(k, ctx) });
        return i === 0
          ? el('th', { scope: 'row', role: 'rowheader', className: 'h-' + k }, [label, c[k]])
          : el('td', { role: 'cell', className: 'h-' + k }, [label, c[k]]);
      })));
    }
    const t = el('table', { className: 'h-table', 'data-zone': id, role: 'table' }, [
      el('caption', { text: zoneName(id) }),
      el('thead', { role: 'rowgroup' }, [head]),
      body]);
    const emptyNote = el('p', { className: 'h-empty', text: ctx.t('plan.h.empty', { zone: zoneName(id) }) });
    t.hidden = sessions.length === 0;
    emptyNote.hidden = sessions.length > 0;
    return el('div', { className: 'h-zone' }, [t, emptyNote]);
  }

  function render() {
    title.textContent = ctx.t('plan.h.title');
    note.textContent = state === 'private' ? ctx.t('plan.h.private')
                     : state === 'failed' ? ctx.t('plan.h.failed')
                     : state === 'loading' ? ctx.t('plan.h.loading') : '';
    note.hidden = state === 'ok';
    tables.replaceChildren();
    if (state !== 'ok') return;
    for (const id of zonesInOrder()) tables.append(table(id, (data && data[id]) || []));
  }

  async function load() {
    if (inFlight) { again = true; return; }
    inFlight = true;
    lastTry = Date.now();
    let r;
    try {
      r = await ctx.api('GET', '/api/sessions');
    } finally {
      inFlight = false;
    }
    if (!live()) return;
    if (r.ok && !r.private) {
      data = byZone(r);
      state = 'ok';
    } else if (r.httpStatus === 404) {
      /* A daemon without the session log: nothing to show. */
      rootEl.hidden = true;
      state = 'absent';
      return;
    } else if (r.httpStatus === 401 || r.private) {
      data = null;
      state = 'private';
    } else if (state !== 'ok') {
      state = 'failed';      /* keep what was shown before; say so only without it */
    }
    rootEl.hidden = false;
    render();
    if (again) { again = false; load(); }
  }

  /* What in the status means the log has a new entry, or shows more. */
  function signature(s) {
    const zones = (s && s.zones) || [];
    return JSON.stringify([
      s && s.auth ? !!s.auth.may_change : null,
      zones.map((z) => {
        const l = z.last_session;
        return [z.id, z.name, l ? [l.started_at, l.ended_at, l.end] : null];
      })]);
  }

  /* Taken before the first fetch, so a session that ends while it is on
   * its way still brings a second one. */
  if (ctx.status()) sig = signature(ctx.status());

  ctx.onStatus((s) => {
    if (!live() || state === 'absent') return;
    const next = signature(s);
    if (sig === null) {
      sig = next;
      render();             /* zone names and order from the first status */
      return;
    }
    if (next !== sig) { sig = next; load(); }
    else if (state === 'failed' && Date.now() - lastTry > 30000) load();
  });
  window.addEventListener('heatpad-lang', () => { if (live()) render(); });

  render();
  load();
}
