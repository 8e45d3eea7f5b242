/* page_chart.js: the last hour of a zone as SVG: the temperature, and the
 * target (dashed) it was heating to. Ticks are 12 px, the one size below
 * 14 px the page allows. Redrawn only when its size or data changed. */

const SVG = 'http://www.w3.org/2000/svg';
const TICK_PX = 12;

function svgEl(name, attrs) {
  const e = document.createElementNS(SVG, name);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  return e;
}

/* svg: the zone's <svg>; h: /api/history's answer or null; z: the zone's
 * status; now: the daemon's time; t: the catalogue; lang: for the key. */
export function drawChart(svg, h, z, now, t, lang) {
  const W = svg.clientWidth || 300, H = svg.clientHeight || 140;
  const key = W + 'x' + H + ':' + lang + ':' + (h ? h.time + ':' + h.t.length : '');
  if (svg.dataset.key === key) return;
  svg.dataset.key = key;
  svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  const styles = getComputedStyle(document.documentElement);
  const col = (v) => styles.getPropertyValue(v).trim();
  const colT = col('--accent'), colS = col('--cold'), colL = col('--line'), colM = col('--muted');
  const end = h ? h.time : now, from = end - 3600;
  const vals = h ? h.temp_c.concat(h.setpoint_c).filter((v) => v !== null) : [];
  let lo = Math.min(20, ...vals), hi = Math.max(z.limits.max_setpoint_c, ...vals);
  lo = Math.floor(lo / 5) * 5; hi = Math.ceil(hi / 5) * 5;
  const L = 28, R = 4, T = 8, B = 18;
  const x = (s) => L + (W - L - R) * (s - from) / 3600;
  const y = (v) => T + (H - T - B) * (hi - v) / (hi - lo);
  for (let v = lo; v <= hi; v += 5) {
    svg.appendChild(svgEl('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: colL, 'stroke-width': 1 }));
    const e = svgEl('text', { x: L - 4, y: y(v) + 4, 'text-anchor': 'end', 'font-size': TICK_PX, fill: colM });
    e.textContent = v;
    svg.appendChild(e);
  }
  for (const [s, label] of [[from, t('page.chart.minus60')], [from + 1800, t('page.chart.minus30')],
                            [end, t('page.chart.now')]]) {
    const e = svgEl('text', { x: x(s), y: H - 4, 'font-size': TICK_PX, fill: colM,
      'text-anchor': s === from ? 'start' : s === end ? 'end' : 'middle' });
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
      'stroke-width': dash ? 2 : 3, 'stroke-dasharray': dash || 'none',
      'stroke-linejoin': 'round', class: dash ? 'set-line' : 'temp-line' }));
  };
  path(h.setpoint_c, colS, '6 4');
  path(h.temp_c, colT);
}
