/* The checks every state of the page gets: axe-core (no violation of any
 * rule it runs by default), tap targets of at least 44x44 px, no text under
 * 14 px (chart ticks, svg text, 12 px), and no sideways scrolling at 320 px
 * wide or at 200 % zoom. Each returns the problems it found as lines of
 * text; the runner fails the test that reached the state. */
'use strict';

const fs = require('fs');

const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/* axe-core's own source, put into the page by the driver (not a <script>
 * tag, so the page's Content-Security-Policy is tested as shipped). */
async function axeCheck(page, label) {
  const has = await page.evaluate(() => typeof window.axe === 'object');
  if (!has) await page.evaluate(AXE + '\n;true');
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact,
      targets: v.nodes.map((n) => n.target.join(' ')).slice(0, 6),
      more: Math.max(0, v.nodes.length - 6),
      why: (v.nodes[0] && v.nodes[0].failureSummary || '').split('\n').slice(1, 2).join(' ').trim() }));
  });
  return violations.map((v) => `${label}: axe ${v.id} (${v.impact}) at ${v.targets.join(', ')}` +
    (v.more ? ` and ${v.more} more` : '') + (v.why ? ` — ${v.why}` : ''));
}

/* Visible controls smaller than 44x44 px. A checkbox or radio counts with
 * its label (the label is what a finger hits). */
async function tapTargets(page, label) {
  const small = await page.evaluate(() => {
    const seen = (e) => {
      if (!e.getClientRects().length) return false;
      const cs = getComputedStyle(e);
      return cs.visibility !== 'hidden' && cs.display !== 'none' && +cs.opacity !== 0;
    };
    const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
      (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\s+/).join('.') : '') +
      (e.dataset && e.dataset.preset ? `[data-preset=${e.dataset.preset}]` : '') +
      (e.dataset && e.dataset.minutes ? `[data-minutes=${e.dataset.minutes}]` : '');
    const out = [];
    for (const e of document.querySelectorAll('button, a[href], input, select, textarea, summary')) {
      if (e.type === 'hidden' || !seen(e)) continue;
      let r = e.getBoundingClientRect();
      if ((e.type === 'checkbox' || e.type === 'radio') && (e.closest('label') || e.labels && e.labels[0])) {
        const l = (e.closest('label') || e.labels[0]).getBoundingClientRect();
        r = { width: Math.max(r.width, l.width), height: Math.max(r.height, l.height) };
      }
      if (r.width < 44 - 0.01 || r.height < 44 - 0.01)
        out.push(`${name(e)} ${r.width.toFixed(1)}x${r.height.toFixed(1)}`);
    }
    return out;
  });
  return small.map((s) => `${label}: tap target under 44x44 px: ${s}`);
}

/* Visible text under 14 px; svg text (the chart's ticks) may be 12 px.
 * Text that is visually hidden (a 1 px clip for screen readers) is not
 * read by eye and is left out. */
async function textSizes(page, label) {
  const small = await page.evaluate(() => {
    const out = new Map();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!n.textContent.trim()) continue;
      const e = n.parentElement;
      if (!e || !e.getClientRects().length) continue;
      const cs = getComputedStyle(e);
      if (cs.visibility === 'hidden' || cs.display === 'none') continue;
      const r = e.getBoundingClientRect();
      if (r.width <= 1 || r.height <= 1) continue;
      if (e.closest('[hidden], template, script, style, noscript')) continue;
      const px = parseFloat(cs.fontSize);
      const min = e.closest('svg') ? 12 : 14;
      if (px < min - 0.01) {
        const key = e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
          (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\s+/).join('.') : '');
        if (!out.has(key)) out.set(key, `${key} ${px} px "${n.textContent.trim().slice(0, 30)}"`);
      }
    }
    return [...out.values()];
  });
  return small.map((s) => `${label}: text under 14 px: ${s}`);
}

/* Wider than the viewport: the page scrolls sideways, or a control sticks
 * out past the right edge (clipped by an overflow: hidden parent). */
async function overflow(page, label) {
  const r = await page.evaluate(() => {
    const w = document.documentElement.clientWidth;
    const wide = document.scrollingElement.scrollWidth;
    const out = [];
    for (const e of document.querySelectorAll('button, a[href], input, select, .z-count, .z-temp, h1, h2')) {
      if (!e.getClientRects().length || e.closest('[hidden]')) continue;
      const b = e.getBoundingClientRect();
      if (b.width && (b.right > w + 0.5 || b.left < -0.5))
        out.push((e.id ? '#' + e.id : (e.className || e.tagName)).toString().slice(0, 40) +
          ` ${b.left.toFixed(0)}..${b.right.toFixed(0)}`);
    }
    /* What makes it wide: the innermost elements reaching past the edge. */
    const past = (e) => e.getClientRects().length && e.getBoundingClientRect().right > w + 0.5;
    const culprits = wide > w ? [...document.body.querySelectorAll('*')]
      .filter((e) => past(e) && ![...e.children].some(past))
      .map((e) => [e.parentElement, e].map((x) => x.tagName.toLowerCase() + (x.id ? '#' + x.id : '') +
        (typeof x.className === 'string' && x.className ? '.' + x.className.trim().split(/\s+/).join('.') : '')).join(' > ') +
        ` "${e.textContent.trim().slice(0, 20)}" to ${e.getBoundingClientRect().right.toFixed(0)}`).slice(0, 6) : [];
    return { w, wide, out: out.slice(0, 8), culprits };
  });
  const found = [];
  if (r.wide > r.w) found.push(`${label}: scrolls sideways: ${r.wide} px of content in ${r.w} px` +
    (r.culprits.length ? ` (${r.culprits.join(', ')})` : ''));
  if (r.out.length) found.push(`${label}: past the edge of ${r.w} px: ${r.out.join(', ')}`);
  return found;
}

/* Sideways scrolling at 320 px, and at 200 % zoom. Browser zoom halves
 * the CSS viewport and doubles the pixel ratio; layout sees only the
 * first, so a 160 px wide viewport is what a 320 px wide screen lays out
 * at 200 % (media queries and vw units included, which
 * `document.documentElement.style.zoom` would not change). The viewport
 * is put back afterwards. */
async function reflow(page, label) {
  const was = page.viewportSize();
  const found = [];
  try {
    for (const [w, h, what] of [[320, 640, '320 px'], [160, 320, '200 % zoom of 320 px']]) {
      await page.setViewportSize({ width: w, height: h });
      await page.waitForTimeout(150);
      found.push(...await overflow(page, `${label} at ${what}`));
    }
  } finally {
    await page.setViewportSize(was);
  }
  return found;
}

/* axe, targets and text at the page's viewport and color scheme now. */
async function checkHere(page, label) {
  return [...await axeCheck(page, label), ...await tapTargets(page, label), ...await textSizes(page, label)];
}

module.exports = { axeCheck, tapTargets, textSizes, overflow, reflow, checkHere };
