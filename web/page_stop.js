/* page_stop.js: Stop, never behind the PIN and never given up. A Stop
 * without an answer (or with one from something in between, a proxy's
 * 502/504) is sent again every second until the daemon answers it; a
 * fresh status sends a waiting Stop at once. */

const RETRY_MS = 1000;

function stopPath(key) {
  return key === '*' ? '/api/stop' : '/api/zones/' + encodeURIComponent(key) + '/stop';
}

/* pg: the page (app.js); key: a zone id, or '*' for every zone. */
export function stopTap(pg, key) {
  if (!pg.stopping.has(key)) pg.stopping.set(key, { tries: 0, inflight: false, timer: 0 });
  pg.rerender();
  sendStop(pg, key);
}

export async function sendStop(pg, key) {
  const st = pg.stopping.get(key);
  if (!st || st.inflight) return;
  clearTimeout(st.timer);
  st.inflight = true;
  st.tries++;
  let r = await pg.api('POST', stopPath(key));
  /* A daemon without an all-zones stop: each zone's own. */
  if (key === '*' && r.httpStatus === 404 && pg.status) {
    const all = await Promise.all(pg.status.zones.map((z) => pg.api('POST', stopPath(z.id))));
    r = all.find((x) => x.noAnswer) || all.find((x) => !x.ok) || all[all.length - 1];
  }
  st.inflight = false;
  if (r.noAnswer || r.httpStatus >= 500) {
    st.timer = setTimeout(() => sendStop(pg, key), RETRY_MS);
    pg.rerender();
    return;
  }
  pg.stopping.delete(key);
  pg.answer(key, r);
  if (r.status && r.status.zones) pg.fresh(r.status);
  else pg.rerender();
  pg.poll();
}

/* What a waiting Stop says, or ''. */
export function stoppingText(pg, key) {
  const st = pg.stopping.get(key);
  if (!st) return '';
  if (st.tries <= 1 && st.inflight) return pg.t('page.stop.stopping');
  return pg.t(st.tries === 1 ? 'page.stop.retrying_one' : 'page.stop.retrying', { n: st.tries });
}
