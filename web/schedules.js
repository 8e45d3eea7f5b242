/* schedules.js: the device's schedules on the page. Lists the entries the
 * daemon holds (GET /api/schedule), and adds, changes and deletes them by
 * sending the whole new list (PUT /api/schedule), as MQTT does. The daemon
 * validates; the form only shows the limits as help and never blocks a
 * save, so a refusal always reads as the daemon's own reason. On a refusal
 * the list stays as the daemon has it and the form keeps what was typed. */

import { el, fmtNum, pageLang } from './page_dom.js';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const WEEKDAYS = 'mon,tue,wed,thu,fri';
const WEEKEND = 'sat,sun';

/* Day names from the browser in the page's language: 1 Jan 2024 was a
 * Monday. */
function dayName(day, width) {
  const d = new Date(2024, 0, 1 + DAYS.indexOf(day), 12);
  return new Intl.DateTimeFormat(pageLang(), { weekday: width }).format(d);
}

function daysText(days, ctx) {
  const key = DAYS.filter((d) => days.includes(d)).join(',');
  if (key === DAYS.join(',')) return ctx.t('plan.days.daily');
  if (key === WEEKDAYS) return ctx.t('plan.days.weekdays');
  if (key === WEEKEND) return ctx.t('plan.days.weekend');
  return DAYS.filter((d) => days.includes(d)).map((d) => dayName(d, 'short')).join(', ');
}

/* "HH:MM" in the page's one time format: today's date at that local time. */
function startText(hhmm, ctx) {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm || '');
  if (!m) return hhmm || '';
  const d = new Date();
  d.setHours(+m[1], +m[2], 0, 0);
  return ctx.fmtDate(Math.floor(d.getTime() / 1000), 'time');
}

function zoneOf(status, id) {
  return ((status && status.zones) || []).find((z) => z.id === id) || null;
}

function zoneName(status, id) {
  const z = zoneOf(status, id);
  return z ? z.name : id;
}

/* The next scheduled session of a zone for its card, or ''. */
export function nextScheduleText(zone, status, ctx) {
  const n = zone && zone.next_schedule;
  if (!n || typeof n.at !== 'number') return '';
  return ctx.t('plan.next', { when: ctx.fmtDate(n.at, 'day'), minutes: n.minutes,
                              setpoint: fmtNum(n.setpoint_c, 1) });
}

/* GET /api/schedule answers a bare JSON list; the page's api() may hand it
 * over as it is, under a key, or spread into its reply object. */
function listOf(r) {
  if (Array.isArray(r)) return r;
  if (Array.isArray(r.schedule)) return r.schedule;
  if (Array.isArray(r.list)) return r.list;
  const out = [];
  for (let i = 0; String(i) in r; i++) out.push(r[i]);
  return out;
}

/* The one key of an entry a refusal like "[2].minutes: must be ..." names. */
const FIELD_OF_KEY = { zone: 'zone', days: 'day', start: 'start', minutes: 'minutes',
                       setpoint_c: 'setpoint_c', enabled: 'enabled' };

export function mountSchedules(rootEl, ctx) {
  const me = {};
  rootEl.planSchedules = me;
  const live = () => rootEl.planSchedules === me;
  let entries = null;        /* the list as the daemon last reported it */
  let editing = null;        /* null: form closed; -1: a new entry; else its index */
  let editWas = null;        /* the entry being changed, as it was when opened */
  let busy = false;
  let loadFailed = false;
  let nextSig = null;
  let lastLoad = 0;

  rootEl.setAttribute('aria-labelledby', 's-title');
  rootEl.replaceChildren();
  const title = el('h2', { id: 's-title' });
  const intro = el('p', { className: 's-intro' });
  const list = el('ul', { className: 's-list', 'aria-labelledby': 's-title' });
  const empty = el('p', { className: 's-empty', hidden: true });
  const add = el('button', { type: 'button', className: 's-add' });
  const form = buildForm();
  const feedback = el('p', { className: 's-feedback', id: 's-feedback', role: 'status' });
  /* A delete takes one tap, so it can be taken back. */
  const undo = el('button', { type: 'button', className: 's-undo', hidden: true });
  let deleted = null;        /* {entry, at} of the last delete, while it can be undone */
  rootEl.append(title, intro, list, empty, add, form.el,
                el('div', { className: 's-answer' }, [feedback, undo]));

  function say(text, kind, canUndo) {
    feedback.textContent = text || '';
    feedback.dataset.kind = kind || '';
    undo.hidden = !canUndo;
    if (!canUndo) deleted = null;
  }

  function buildForm() {
    const f = el('form', { className: 's-form', hidden: true, novalidate: true,
                           'aria-labelledby': 's-form-title' });
    const legendTitle = el('h3', { id: 's-form-title' });
    const zone = el('select', { name: 'zone', id: 's-zone' });
    const zoneLabel = el('label', { for: 's-zone' });
    const daysSet = el('fieldset', { className: 's-days' });
    const daysLegend = el('legend');
    daysSet.append(daysLegend);
    const dayBoxes = DAYS.map((d) => {
      const box = el('input', { type: 'checkbox', name: 'day', value: d, id: 's-day-' + d });
      const lab = el('label', { for: 's-day-' + d, className: 's-day' });
      lab.prepend(box);
      lab.append(el('span'));
      daysSet.append(lab);
      return { d, box, lab };
    });
    const start = el('input', { type: 'time', name: 'start', id: 's-start', required: true });
    const startLabel = el('label', { for: 's-start' });
    const minutes = el('input', { type: 'number', name: 'minutes', id: 's-minutes',
                                  inputmode: 'numeric', min: 1, step: 1,
                                  'aria-describedby': 's-minutes-help' });
    const minutesLabel = el('label', { for: 's-minutes' });
    const minutesHelp = el('span', { id: 's-minutes-help', className: 's-help' });
    const setpoint = el('input', { type: 'number', name: 'setpoint_c', id: 's-setpoint',
                                   inputmode: 'decimal', step: 0.5,
                                   'aria-describedby': 's-setpoint-help' });
    const setpointLabel = el('label', { for: 's-setpoint' });
    const setpointHelp = el('span', { id: 's-setpoint-help', className: 's-help' });
    const enabled = el('input', { type: 'checkbox', name: 'enabled', id: 's-enabled' });
    const enabledLabel = el('label', { for: 's-enabled', className: 's-check' });
    enabledLabel.prepend(enabled);
    enabledLabel.append(el('span'));
    const save = el('button', { type: 'submit', className: 's-save' });
    const cancel = el('button', { type: 'button', className: 's-cancel' });
    f.append(legendTitle,
             el('div', { className: 's-field' }, [zoneLabel, zone]),
             daysSet,
             el('div', { className: 's-field' }, [startLabel, start]),
             el('div', { className: 's-field' }, [minutesLabel, minutes, minutesHelp]),
             el('div', { className: 's-field' }, [setpointLabel, setpoint, setpointHelp]),
             enabledLabel,
             el('div', { className: 's-actions' }, [save, cancel]));
    return { el: f, legendTitle, zone, zoneLabel, daysLegend, dayBoxes, start, startLabel,
             minutes, minutesLabel, minutesHelp, setpoint, setpointLabel, setpointHelp,
             enabled, enabledLabel, save, cancel };
  }

  /* Every text from the catalogue, so a change of language redraws it all. */
  function texts() {
    title.textContent = ctx.t('plan.s.title');
    intro.textContent = ctx.t('plan.s.intro');
    empty.textContent = ctx.t('plan.s.empty');
    add.textContent = ctx.t('plan.s.add');
    undo.textContent = ctx.t('plan.s.undo');
    form.zoneLabel.textContent = ctx.t('plan.field.zone');
    form.daysLegend.textContent = ctx.t('plan.field.days');
    for (const { d, lab } of form.dayBoxes) {
      lab.lastChild.textContent = dayName(d, 'short');
      lab.title = dayName(d, 'long');
      lab.firstChild.setAttribute('aria-label', dayName(d, 'long'));
    }
    form.startLabel.textContent = ctx.t('plan.field.start');
    form.minutesLabel.textContent = ctx.t('plan.field.minutes');
    form.setpointLabel.textContent = ctx.t('plan.field.setpoint');
    form.enabledLabel.lastChild.textContent = ctx.t('plan.field.enabled');
    form.save.textContent = ctx.t('plan.s.save');
    form.cancel.textContent = ctx.t('plan.s.cancel');
    form.legendTitle.textContent = ctx.t(editing === -1 || editing === null
                                         ? 'plan.s.form_new' : 'plan.s.form_edit');
  }

  function zoneOptions() {
    const s = ctx.status();
    const zones = (s && s.zones) || [];
    const keep = form.zone.value;
    form.zone.replaceChildren(...zones.map((z) => el('option', { value: z.id, text: z.name })));
    if (keep && zones.some((z) => z.id === keep)) form.zone.value = keep;
    limitsHelp();
  }

  /* The zone's limits, shown beside the fields and set as min/max: help for
   * typing, not a check (the form has novalidate). */
  function limitsHelp() {
    const z = zoneOf(ctx.status(), form.zone.value);
    const l = (z && z.limits) || null;
    if (!l) {
      form.minutesHelp.textContent = '';
      form.setpointHelp.textContent = '';
      return;
    }
    form.minutes.max = l.max_minutes;
    form.setpoint.min = l.min_setpoint_c;
    form.setpoint.max = l.max_setpoint_c;
    form.minutesHelp.textContent = ctx.t('plan.help.minutes', { max: l.max_minutes });
    form.setpointHelp.textContent = ctx.t('plan.help.setpoint',
      { min: fmtNum(l.min_setpoint_c, 1), max: fmtNum(l.max_setpoint_c, 1) });
  }

  function entryText(e, s) {
    return ctx.t('plan.s.row', { zone: zoneName(s, e.zone), days: daysText(e.days || [], ctx),
                                 start: startText(e.start, ctx), minutes: e.minutes,
                                 setpoint: fmtNum(e.setpoint_c, 1) });
  }

  function renderList() {
    const s = ctx.status();
    list.replaceChildren();
    if (!entries) {
      empty.hidden = !loadFailed;
      empty.textContent = ctx.t('plan.s.load_failed');
      return;
    }
    empty.textContent = ctx.t('plan.s.empty');
    empty.hidden = entries.length > 0;
    entries.forEach((e, i) => {
      const main = el('span', { className: 's-when' }, [
        el('strong', { text: startText(e.start, ctx) }), ' ',
        el('span', { text: daysText(e.days || [], ctx) })]);
      const what = el('span', { className: 's-what', text: ctx.t('plan.s.what',
        { zone: zoneName(s, e.zone), minutes: e.minutes, setpoint: fmtNum(e.setpoint_c, 1) }) });
      const state = el('span', { className: 's-state' + (e.enabled ? '' : ' s-off'),
                                 text: ctx.t(e.enabled ? 'plan.s.on' : 'plan.s.off') });
      const label = entryText(e, s);
      const edit = el('button', { type: 'button', className: 's-edit', text: ctx.t('plan.s.edit'),
                                  'aria-label': ctx.t('plan.s.edit_one', { entry: label }) });
      const del = el('button', { type: 'button', className: 's-delete',
                                 text: ctx.t('plan.s.delete'),
                                 'aria-label': ctx.t('plan.s.delete_one', { entry: label }) });
      edit.addEventListener('click', () => openForm(i));
      del.addEventListener('click', () => remove(i, del));
      list.append(el('li', { className: 's-row' + (editing === i ? ' s-editing' : ''),
                             'data-index': i }, [
        el('div', { className: 's-text' }, [main, what, state]),
        el('div', { className: 's-buttons' }, [edit, del])]));
    });
    add.disabled = busy;
  }

  /* The field the daemon named is marked and points at its reason. */
  function markInvalid(field) {
    const all = [form.zone, form.start, form.minutes, form.setpoint, form.enabled]
      .concat(form.dayBoxes.map(({ box }) => box));
    for (const x of all) {
      x.removeAttribute('aria-invalid');
      const d = (x.getAttribute('aria-describedby') || '').replace(/\s*s-feedback/, '').trim();
      if (d) x.setAttribute('aria-describedby', d); else x.removeAttribute('aria-describedby');
    }
    if (!field) return;
    const target = field === 'day' ? form.dayBoxes.map((b) => b.box)
                                   : [form.el.elements[field]];
    for (const x of target) {
      if (!x) continue;
      x.setAttribute('aria-invalid', 'true');
      x.setAttribute('aria-describedby',
                     ((x.getAttribute('aria-describedby') || '') + ' s-feedback').trim());
    }
  }

  function markEditing() {
    for (const row of list.querySelectorAll('.s-row'))
      row.classList.toggle('s-editing', editing !== null && +row.dataset.index === editing);
  }

  function openForm(i) {
    editing = i;
    editWas = i >= 0 ? entries[i] : null;
    zoneOptions();
    const s = ctx.status();
    const e = i >= 0 ? entries[i] : null;
    const z = (e && zoneOf(s, e.zone)) || ((s && s.zones) || [])[0] || null;
    if (e) form.zone.value = e.zone;
    else if (z) form.zone.value = z.id;
    const days = e ? e.days || [] : DAYS;
    form.dayBoxes.forEach(({ d, box }) => { box.checked = days.includes(d); });
    form.start.value = e ? e.start : '21:00';
    const def = (z && z.defaults) || {};
    form.minutes.value = e ? e.minutes : (def.minutes || 20);
    form.setpoint.value = e ? e.setpoint_c : (def.setpoint_c || '');
    form.enabled.checked = e ? !!e.enabled : true;
    limitsHelp();
    markInvalid(null);
    texts();
    form.el.hidden = false;
    markEditing();
    say('');
    form.zone.focus();
  }

  function closeForm(focusEl) {
    editing = null;
    form.el.hidden = true;
    markEditing();
    markInvalid(null);
    (focusEl || add).focus();
  }

  /* The entry as typed; nothing is checked here, the daemon does that. */
  function formEntry() {
    const num = (input) => (input.value === '' ? null : Number(input.value));
    return {
      zone: form.zone.value,
      days: form.dayBoxes.filter(({ box }) => box.checked).map(({ d }) => d),
      start: form.start.value,
      minutes: num(form.minutes),
      setpoint_c: num(form.setpoint),
      enabled: form.enabled.checked,
    };
  }

  /* A PUT replaces the whole list, so it is built on the list as the daemon
   * has it just now: a change from MQTT or another phone since the page
   * last looked is kept. build(list) gives {next, at}, or null when the
   * entry being changed is no longer there. Resolves to the entry's index
   * when the daemon took the list, else -1. */
  async function put(build) {
    busy = true;
    form.save.disabled = true;
    add.disabled = true;
    say(ctx.t('plan.s.saving'));
    let r, plan;
    try {
      const now = await ctx.api('GET', '/api/schedule');
      if (!live()) return -1;
      if (now.ok) entries = listOf(now);
      plan = now.noAnswer ? null : build(entries);
      if (plan) r = await ctx.api('PUT', '/api/schedule', plan.next);
      else if (now.noAnswer) r = now;
    } finally {
      busy = false;
      form.save.disabled = false;
      add.disabled = false;
    }
    if (!live()) return -1;
    if (!r) {
      renderList();
      say(ctx.t('plan.s.gone'), 'error');
      return -1;
    }
    const atIndex = plan ? plan.at : -1;
    if (r.noAnswer) {
      say(ctx.t('plan.s.no_answer'), 'error');
      return -1;
    }
    if (!r.ok) {
      let text = ctx.codeText(r.code, r.message);
      const m = /^\[(\d+)\]\.(\w+):/.exec(r.message || '');
      const field = m && +m[1] === atIndex ? FIELD_OF_KEY[m[2]] : null;
      if (m && field && text !== r.message)
        text += ' ' + refusedField(m[2]);
      if (!form.el.hidden) markInvalid(field);
      renderList();
      say(text, 'error');
      return -1;
    }
    entries = Array.isArray(r.schedule) ? r.schedule : plan.next;
    renderList();
    if (ctx.refresh) ctx.refresh();
    return atIndex;
  }

  /* Which field the daemon named, with its allowed range where it has one. */
  function refusedField(key) {
    const help = { minutes: form.minutesHelp.textContent,
                   setpoint_c: form.setpointHelp.textContent }[key];
    return help ? ctx.t('plan.s.refused_range', { field: fieldName(key), help })
                : ctx.t('plan.s.refused_field', { field: fieldName(key) });
  }

  function same(a, b) {
    const norm = (e) => JSON.stringify([e.zone, DAYS.filter((d) => (e.days || []).includes(d)),
                                        e.start, e.minutes, e.setpoint_c, !!e.enabled]);
    return !!a && !!b && norm(a) === norm(b);
  }

  function fieldName(key) {
    const names = { zone: ctx.t('plan.field.zone'), days: ctx.t('plan.field.days'),
                    start: ctx.t('plan.field.start'), minutes: ctx.t('plan.field.minutes'),
                    setpoint_c: ctx.t('plan.field.setpoint'),
                    enabled: ctx.t('plan.field.enabled') };
    return names[key] || key;
  }

  async function submit(ev) {
    ev.preventDefault();
    if (busy || !entries) return;
    const e = formEntry();
    const was = editWas;
    const at = await put((now) => {
      if (!was) return { next: now.concat([e]), at: now.length };
      const i = now.findIndex((x) => same(x, was));
      if (i < 0) return null;
      const next = now.slice();
      next[i] = e;
      return { next, at: i };
    });
    if (at >= 0) {
      say(ctx.t(was ? 'plan.s.changed' : 'plan.s.added', { entry: entryText(e, ctx.status()) }),
          'ok');
      closeForm(list.querySelector('.s-row[data-index="' + at + '"] .s-edit'));
    }
  }

  async function remove(i, button) {
    if (busy || !entries || !entries[i]) return;
    const gone = entries[i];
    const at = await put((now) => {
      const j = now.findIndex((x) => same(x, gone));
      return j < 0 ? null : { next: now.filter((x, k) => k !== j), at: j };
    });
    if (at >= 0) {
      say(ctx.t('plan.s.deleted', { entry: entryText(gone, ctx.status()) }), 'ok', true);
      deleted = { entry: gone, at };
      if (editing !== null) closeForm();
      else add.focus();
    } else if (button.isConnected) {
      button.focus();
    } else {
      add.focus();
    }
  }

  async function restore() {
    if (busy || !deleted) return;
    const { entry, at: was } = deleted;
    const at = await put((now) => {
      const i = Math.min(was, now.length);
      return { next: now.slice(0, i).concat([entry], now.slice(i)), at: i };
    });
    if (at >= 0) {
      say(ctx.t('plan.s.restored', { entry: entryText(entry, ctx.status()) }), 'ok');
      const row = list.querySelector('.s-row[data-index="' + at + '"] .s-edit');
      (row || add).focus();
    }
  }

  async function load() {
    lastLoad = Date.now();
    const r = await ctx.api('GET', '/api/schedule');
    if (!live()) return;
    if (r.ok) {
      loadFailed = false;
      /* An open form keeps the list it was opened on, so its index holds. */
      if (editing === null && !busy) entries = listOf(r);
    } else {
      loadFailed = entries === null;
    }
    renderList();
  }

  add.addEventListener('click', () => openForm(-1));
  undo.addEventListener('click', restore);
  form.cancel.addEventListener('click', () => { say(''); closeForm(); });
  form.zone.addEventListener('change', limitsHelp);
  form.el.addEventListener('submit', submit);
  form.el.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') { say(''); closeForm(); }
  });

  /* Another client (MQTT, a second phone) may change the list; the next
   * scheduled time in the status moves then, so reload when it does. */
  ctx.onStatus((s) => {
    if (!live()) return;
    const sig = JSON.stringify(((s && s.zones) || []).map((z) => [z.id, z.name, z.next_schedule]));
    if (sig === nextSig) {
      if (loadFailed && Date.now() - lastLoad > 10000) load();
      return;
    }
    const first = nextSig === null;
    nextSig = sig;
    if (editing !== null) zoneOptions();
    if (first && !loadFailed) renderList();
    else load();
  });
  /* A change elsewhere that does not move a next time shows within
   * half a minute, or when the page is looked at again. */
  const quiet = () => live() && editing === null && !busy;
  const timer = setInterval(() => {
    if (!live()) clearInterval(timer);
    else if (quiet() && Date.now() - lastLoad > 25000) load();
  }, 30000);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && quiet()) load();
  });
  window.addEventListener('heatpad-lang', () => {
    if (live()) { texts(); limitsHelp(); renderList(); }
  });

  texts();
  renderList();
  load();
}
