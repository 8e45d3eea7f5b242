/* page_advice.js: the guidance (heat, cold, see a doctor, urgent care),
 * the record forms (an injury, warning signs, clearing), the confirmation
 * an unreadable record needs, and the PIN (a wrong one's wait counts
 * down; signing out). Every form answers in its own line. The guidance
 * texts come from the catalogue by the daemon's guidance kind. */

import { $, $$, setText, tOr, feedback } from './page_dom.js';

function guidanceText(pg, g, part) {
  if (part === 'disclaimer') return tOr(pg.t, 'daemon.guidance.disclaimer', g.disclaimer);
  return g.kind ? tOr(pg.t, 'daemon.guidance.' + g.kind + '.' + part, g[part]) : (g[part] || '');
}

function blockedLine(pg, g) {
  if (!g.heat_blocked) return '';
  if (g.heat_allowed_at) return pg.t('page.guidance.blocked_until', { when: pg.fmtDate(g.heat_allowed_at, 'datetime') });
  const k = { urgent_signs: 'signs', warning_signs: 'signs', record_unreadable: 'confirm' }[g.blocked_by];
  return tOr(pg.t, 'daemon.blocked.' + g.blocked_by, pg.t('page.guidance.blocked_' + (k || 'record')));
}

export function renderAdvice(pg, s) {
  const g = s.guidance, t = pg.t;
  const r = g.record || {};
  /* Without the PIN the daemon may keep the record to itself: then only
   * whether heat is blocked, and until when. */
  const priv = g.private === true;
  const kind = priv ? null : g.kind === 'urgent' || r.urgent_signs ? 'urgent' : g.kind;
  const signs = kind === 'urgent' || kind === 'consult';
  $('#consult').hidden = !signs;
  $('#consult').classList.toggle('urgent', kind === 'urgent');
  if (signs) {
    const gk = Object.assign({}, g, { kind });
    setText($('#consult-title'), guidanceText(pg, gk, 'title') || t('page.guidance.' + kind));
    setText($('#consult-text'), guidanceText(pg, gk, 'text'));
    setText($('#consult-disclaimer'), guidanceText(pg, g, 'disclaimer'));
  }
  const blockedText = blockedLine(pg, g);
  for (const sel of ['#g-blocked', '#consult-blocked']) {
    $(sel).hidden = !blockedText;
    setText($(sel), blockedText);
  }

  /* The record could not be read: a person confirms before heat. */
  const confirm = g.confirm_needed === true;
  $('#confirm').hidden = !confirm;
  if (confirm) setText($('#confirm-reason'), tOr(t, 'daemon.guidance.confirm_reason', t('page.confirm.reason')));

  /* Warning signs: the doctor comes first and alone. Heat blocked
   * otherwise: the advice moves above the zones. An unreadable record:
   * the confirm panel speaks. */
  const gp = $('#guidance');
  gp.hidden = signs || confirm || (priv && !g.heat_blocked);
  const slot = g.heat_blocked && !signs ? '#advice-top' : '#advice-home';
  gp.classList.toggle('cold', g.heat_blocked);
  if (gp.parentElement !== $(slot)) $(slot).appendChild(gp);
  if (priv) {
    setText($('#g-title'), t('page.guidance.private_title'));
    setText($('#g-text'), t('page.guidance.private_text'));
  } else {
    setText($('#g-title'), guidanceText(pg, g, 'title'));
    setText($('#g-text'), guidanceText(pg, g, 'text'));
  }
  setText($('#g-disclaimer'), guidanceText(pg, g, 'disclaimer'));

  $('#record').hidden = priv;
  if (!priv) {
    const parts = [];
    if (r.acute) {
      const fromQuestion = pg.store(pg.FROM_QUESTION_KEY) === String(r.acute_at);
      const what = fromQuestion ? 'either' : r.injury && r.swelling ? 'both' : r.injury ? 'injury' : 'swelling';
      parts.push(t('page.record.acute_' + what, { when: pg.fmtDate(r.acute_at, 'datetime') }));
    }
    if (r.urgent_signs) parts.push(t('page.record.urgent'));
    if (r.pain_worsening) parts.push(t('page.record.pain'));
    if (r.nerve_signs) parts.push(t('page.record.nerve'));
    setText($('#record-state'), parts.length ? t('page.record.on_record', { what: parts.join(' ') }) : t('page.record.nothing'));
    /* Mirror the saved warning signs unless someone is editing them. */
    if (!$('#signs-form').contains(document.activeElement)) {
      $('#f-pain').checked = !!r.pain_worsening;
      $('#f-nerve').checked = !!r.nerve_signs;
      $('#f-urgent').checked = !!r.urgent_signs;
    }
  }
  const may = (!s.auth || s.auth.may_change) && !pg.stale;
  for (const b of $$('#record button')) b.disabled = !may;
  $('#confirm-go').disabled = pg.stale || !($('#c-injury').checked && $('#c-pad').checked);
}

/* The PIN panel, the wrong-PIN wait, and signing out. */
export function renderAuth(pg, s) {
  const a = s.auth;
  $('#pin').hidden = !(a && a.pin_required && !a.may_change);
  $('#logout').hidden = !(a && a.pin_required && a.may_change);
}

function pinWait(pg) {
  const left = Math.ceil((pg.pinWaitUntil - Date.now()) / 1000);
  const btn = $('#pin-form button');
  if (left > 0) {
    setText($('#pin-msg'), pg.t(pg.pinWrong ? 'page.pin.wrong_wait' : 'page.pin.wait', { s: left }));
    btn.disabled = true;
    setTimeout(() => pinWait(pg), 250);
  } else {
    btn.disabled = false;
    if (pg.pinWaitUntil) setText($('#pin-msg'), pg.pinWrong ? pg.t('page.pin.wrong') : '');
    pg.pinWaitUntil = 0;
  }
}

export function setupAdvice(pg) {
  const t = pg.t;
  $('#f-when').addEventListener('change', () => {
    $('#f-at').hidden = $('#f-when').value !== 'at';
  });
  $('#acute-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const fb = $('#acute-feedback');
    const body = { injury: $('#f-injury').checked, swelling: $('#f-swelling').checked };
    if (!body.injury && !body.swelling) { feedback(fb, t('page.record.tick_one'), 'error'); return; }
    const when = $('#f-when').value;
    if (when === 'at') {
      const ms = Date.parse($('#f-at').value);
      if (isNaN(ms)) { feedback(fb, t('page.record.choose_time'), 'error'); return; }
      body.at = Math.round(ms / 1000);
    } else {
      body.minutes_ago = Number(when);
    }
    const r = await pg.change('POST', '/api/injury', body, fb, t('page.record.recorded'));
    if (r.ok) { $('#f-injury').checked = false; $('#f-swelling').checked = false; }
  });
  $('#signs-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    document.activeElement.blur();
    const body = { pain_worsening: $('#f-pain').checked, nerve_signs: $('#f-nerve').checked };
    /* Only sent when it says something: a daemon without the urgent tier
     * refuses the key it does not know. */
    const rec = pg.status && pg.status.guidance.record;
    if ($('#f-urgent').checked || (rec && 'urgent_signs' in rec)) body.urgent_signs = $('#f-urgent').checked;
    const r = await pg.change('POST', '/api/injury', body, $('#signs-feedback'), t('page.record.signs_saved'));
    if (r.ok && (body.urgent_signs || body.pain_worsening || body.nerve_signs))
      window.scrollTo(0, 0);   /* the advice is at the top */
  });
  for (const id of ['#c-injury', '#c-pad'])
    $(id).addEventListener('change', () => {
      $('#confirm-go').disabled = pg.stale || !($('#c-injury').checked && $('#c-pad').checked);
    });
  $('#confirm-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!($('#c-injury').checked && $('#c-pad').checked)) return;
    const r = await pg.change('POST', '/api/confirm-safe', { no_injury_48h: true, pad_ok: true }, $('#confirm-feedback'), t('page.confirm.done'));
    if (r.ok) { $('#c-injury').checked = false; $('#c-pad').checked = false; }
  });
  /* Clearing is deliberate: the first tap arms, the second (within 5 s) clears. */
  const clear = $('#clear-record');
  let armed = 0, disarm = 0;
  const rest = () => { setText(clear, pg.t('page.record.clear')); clear.classList.remove('armed'); };
  clear.addEventListener('click', async () => {
    clearTimeout(disarm);
    if (Date.now() - armed > 5000) {
      armed = Date.now();
      setText(clear, t('page.record.clear_again'));
      clear.classList.add('armed');
      disarm = setTimeout(rest, 5000);
      return;
    }
    armed = 0;
    rest();
    await pg.change('DELETE', '/api/injury', undefined, $('#clear-feedback'), t('page.record.cleared'));
  });
  $('#pin-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    if (pg.pinWaitUntil > Date.now()) return;
    const r = await pg.api('POST', '/api/login', { pin: $('#pin-input').value });
    $('#pin-input').value = '';
    pg.pinWrong = r.code === 'wrong_pin';
    if (r.ok) setText($('#pin-msg'), '');
    else if (r.retryAfter) { pg.pinWaitUntil = Date.now() + r.retryAfter * 1000; pinWait(pg); }
    else setText($('#pin-msg'), r.noAnswer ? t('page.no_answer') : pg.codeText(r.code, r.message));
    await pg.poll();
  });
  $('#logout').addEventListener('click', async () => {
    const r = await pg.api('POST', '/api/logout');
    if (!r.ok) feedback($('#logout-feedback'), r.noAnswer ? t('page.no_answer') : pg.codeText(r.code, r.message), 'error');
    await pg.poll();
  });
}
