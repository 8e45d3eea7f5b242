/* page_dom.js: small DOM helpers the page modules share, and the texts of
 * the static page. Static elements carry their catalogue key in
 * data-i18n (text) or data-i18n-attr ("attr:key;attr:key"); the English
 * text is in the HTML too, so the first paint already has its final size. */

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

/* Writes text only when it changed, so live regions speak only of changes. */
export function setText(el, text) { if (el.textContent !== text) el.textContent = text; }

/* The catalogue's text, or `fallback` when the catalogue has none (t()
 * answers the key itself then): used for texts the daemon also sends. */
export function tOr(t, key, fallback) {
  const s = t(key);
  return s === key ? (fallback || '') : s;
}

export function applyStatic(t, root = document) {
  for (const el of $$('[data-i18n]', root)) setText(el, t(el.dataset.i18n));
  for (const el of $$('[data-i18n-attr]', root))
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':');
      if (attr && key) el.setAttribute(attr.trim(), t(key.trim()));
    }
}

/* The answer to a tap, in the line reserved for it beside the control:
 * the line keeps its height when it empties, so nothing moves. */
const timers = new WeakMap();
export function feedback(el, text, kind) {
  if (!el) return;
  clearTimeout(timers.get(el));
  setText(el, text || '');
  el.classList.toggle('error', kind === 'error');
  el.classList.toggle('ok', kind === 'ok');
  if (text) timers.set(el, setTimeout(() => { setText(el, ''); }, 15000));
}

export function two(n) { return String(n).padStart(2, '0'); }

/* Time left as m:ss or h:mm:ss. */
export function leftText(s) {
  s = Math.max(0, Math.round(s));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  return (h ? h + ':' + two(m) : m) + ':' + two(sec);
}

/* A temperature in the page's language (decimal comma in German). */
export function fmtC(v, lang, digits = 1) {
  if (v === null || v === undefined) return '–';
  return v.toLocaleString(lang === 'de' ? 'de-DE' : 'en-GB',
    { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/* The page's language, as i18n.js set it on <html>. */
export function pageLang() {
  return document.documentElement.lang || 'en';
}

/* An element with attributes ("text" is its text, "className" its class;
 * null, undefined and false leave an attribute out) and children (null,
 * undefined, false and '' are skipped, so `cond && el(...)` reads). */
export function el(tag, attrs, kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'text') e.textContent = v;
    else if (k === 'className') e.className = v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of kids || [])
    if (c !== null && c !== undefined && c !== false && c !== '') e.append(c);
  return e;
}

export function fmtNum(x, digits) {
  return new Intl.NumberFormat(pageLang(), { maximumFractionDigits: digits }).format(x);
}
