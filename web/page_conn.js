/* page_conn.js: whether the page can see the pad. No fresh status for 3 s
 * (a frozen daemon accepts connections but answers nothing): the page
 * says so in an overlay at the top, greys what it shows, and says how old
 * it is. When the pad answers again it says what changed meanwhile. The
 * overlays cover, never push, the content. */

import { $, setText, tOr } from './page_dom.js';

export const STALE_MS = 3000;
const SETTLE_MS = 3000;    /* after an outage, changes seen this soon count as "meanwhile" */

export function showConn(pg) {
  $('#conn').hidden = !pg.stale;
  if (!pg.stale) return;
  setText($('#conn-msg'), pg.t('page.conn.lost'));
  setText($('#conn-age'), pg.status
    ? pg.t('page.conn.age', { s: Math.round((Date.now() - pg.lastOkAt) / 1000) })
    : pg.t('page.conn.none'));
}

/* No answer: from now on nothing shown is current. */
export function lost(pg) {
  if (pg.stale) return;
  pg.stale = true;
  pg.outage = null;
  $('#back').hidden = true;
  pg.rerender();
  showConn(pg);
}

/* Twice a second: how long since the last status, and whether that is too long. */
export function tick(pg) {
  if (!pg.stale && Date.now() - pg.lastOkAt > STALE_MS) lost(pg);
  showConn(pg);
}

/* A fresh status: the end of an outage, if there was one. */
export function seen(pg) {
  pg.lastOkAt = Date.now();
  if (pg.stale) {
    pg.stale = false;
    pg.outage = { before: pg.status, until: Date.now() };
  }
}

/* After an outage, what changed while the page could not see. */
export function afterOutage(pg, s) {
  if (!pg.outage) return;
  if (Date.now() - pg.outage.until <= SETTLE_MS) tellMeanwhile(pg, pg.outage.before, s);
  else pg.outage = null;
}

function tellMeanwhile(pg, before, now) {
  if (!before) return;
  const t = pg.t, parts = [];
  for (const b of before.zones) {
    const z = now.zones.find((x) => x.id === b.id);
    if (!z) continue;
    const fault = z.fault ? tOr(t, 'daemon.fault.' + z.fault, z.fault) : '';
    if (b.session && !z.session)
      parts.push(fault ? t('page.back.ended_fault', { zone: z.name, fault }) : t('page.back.ended', { zone: z.name }));
    else if (!b.session && z.session)
      parts.push(t('page.back.started', { zone: z.name }));
    else if (z.fault && z.fault !== b.fault)
      parts.push(t('page.back.fault', { zone: z.name, fault }));
  }
  const text = parts.length ? t('page.back.changed', { what: parts.join(' ') }) : t('page.back.same');
  setText($('#back-msg'), text);
  $('#back').hidden = false;
  clearTimeout(pg.backTimer);
  /* Nothing to tell: it goes by itself. Something ended: it stays until read. */
  if (!parts.length) pg.backTimer = setTimeout(() => { $('#back').hidden = true; }, 8000);
}
