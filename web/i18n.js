/* i18n.js: the page's words and dates, in the reader's language.
 *
 * Words come from flat catalogues, web/i18n/<lang>/<domain>.json, one per
 * domain (daemon, page, plan, bedside), keyed "<domain>.<name>"; the daemon
 * sends stable codes and the page turns them into words here. English is
 * every key's fallback: a key a language lacks shows in English, a key no
 * catalogue has shows as itself (scripts/check-i18n keeps both from
 * happening). The language is the stored override, else the first of the
 * browser's languages we have, else English. Dates and times go through
 * fmtDate only, so the page shows one style. docs/i18n.md says more. */

const DOMAINS = ['daemon', 'page', 'plan', 'bedside'];
const FALLBACK = 'en';
const STORE = 'heatpad-lang';
/* Where the browser names no variant of the page's language: the order
 * and clock of these. German always takes the 24-hour clock. */
const DEFAULT_LOCALE = { en: 'en-GB', de: 'de-DE' };
/* fmtDate's kinds. Between the date and the time a space, not Intl's
 * comma ("Thu 26 Nov, 20:30", "Do., 20:30"). */
const KINDS = {
  time: { hour: true },
  day: { weekday: 'short', hour: true },
  date: { day: 'numeric', month: 'short' },
  datetime: { weekday: 'short', day: 'numeric', month: 'short', hour: true },
};

export const LANGS = [{ code: 'en', name: 'English' }, { code: 'de', name: 'Deutsch' }];

const cache = new Map();      /* lang -> Promise of its merged catalogue */
let current = FALLBACK;
let words = {};               /* the current language's catalogue */
let english = {};
let formats = new Map();      /* fmtDate's kind -> its formatting function */
let memoryOverride = null;    /* when storage is refused (private mode) */
let generation = 0;           /* the newest initI18n wins a race */

const has = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
const known = (code) => LANGS.some((l) => l.code === code);
const primary = (tag) => String(tag || '').toLowerCase().split(/[-_]/)[0];

function browserLangs() {
  if (typeof navigator === 'undefined') return [];
  const l = navigator.languages && navigator.languages.length
    ? navigator.languages : [navigator.language];
  return l.filter(Boolean);
}

function storedOverride() {
  try {
    const v = localStorage.getItem(STORE);
    return known(v) ? v : null;
  } catch (e) {
    return memoryOverride;
  }
}

function chooseLang() {
  return storedOverride() || browserLangs().map(primary).find(known) || FALLBACK;
}

/* One domain's catalogue. A missing file is an empty one (its keys fall
 * back); a network error is tried once more, then rejects so that the
 * language is fetched again next time rather than kept half empty. */
async function fetchDomain(lang, domain) {
  const url = 'i18n/' + lang + '/' + domain + '.json';
  let lastError = null;
  for (let attempt = 0; attempt < 2; attempt++) {
    let r;
    try {
      r = await fetch(url);
    } catch (e) {
      lastError = e;
      continue;
    }
    if (r.status === 404) return {};
    if (!r.ok) {
      lastError = new Error(url + ': HTTP ' + r.status);
      continue;
    }
    try {
      const j = await r.json();
      return j && typeof j === 'object' && !Array.isArray(j) ? j : {};
    } catch (e) {
      return {};      /* a broken file is check-i18n's to catch, not a retry's */
    }
  }
  throw lastError || new Error(url);
}

/* Every domain of a language at once, merged (keys carry their domain). */
function load(lang) {
  if (cache.has(lang)) return cache.get(lang);
  const p = Promise.all(DOMAINS.map((d) => fetchDomain(lang, d).then(
    (j) => ({ ok: true, j }), () => ({ ok: false, j: {} }))))
    .then((parts) => {
      if (parts.some((x) => !x.ok)) cache.delete(lang);
      return Object.assign({}, ...parts.map((x) => x.j));
    });
  cache.set(lang, p);
  return p;
}

export async function initI18n() {
  const mine = ++generation;
  const want = chooseLang();
  const [en, cat] = await Promise.all([load(FALLBACK),
    want === FALLBACK ? null : load(want)]);
  if (mine !== generation) return current;
  english = en;
  words = cat || en;
  current = want;
  formats = new Map();
  if (typeof document !== 'undefined') document.documentElement.lang = current;
  return current;
}

export function lang() {
  return current;
}

/* "{name}" takes params.name; a placeholder without a value stays as it
 * is, so a missing value shows rather than vanishing. */
export function t(key, params) {
  let s = has(words, key) ? words[key] : has(english, key) ? english[key] : String(key);
  if (params && typeof s === 'string') {
    s = s.replace(/\{(\w+)\}/g, (m, k) =>
      (has(params, k) && params[k] !== null && params[k] !== undefined ? String(params[k]) : m));
  }
  return s;
}

/* The daemon's message is English and names the zone and times: better
 * than an English catalogue text on a page in another language that
 * lacks the code. */
export function codeText(code, fallbackMessage) {
  const k = 'daemon.code.' + code;
  if (code && has(words, k)) return words[k];
  if (fallbackMessage) return String(fallbackMessage);
  if (code && has(english, k)) return english[k];
  return code ? String(code) : '';
}

export async function setLang(codeOrAuto) {
  const code = known(codeOrAuto) ? codeOrAuto : null;   /* 'auto' or unknown: none */
  memoryOverride = code;
  try {
    if (code) localStorage.setItem(STORE, code);
    else localStorage.removeItem(STORE);
  } catch (e) { /* private mode: kept for this page only */ }
  await initI18n();
  if (typeof window !== 'undefined') {
    window.dispatchEvent(new CustomEvent('heatpad-lang', { detail: { lang: current } }));
  }
  return current;
}

/* The browser's own variant of the page's language keeps its region's
 * order and clock (en-US: "Thu, Nov 26 8:30 PM"; en-GB: "Thu 26 Nov 20:30"). */
function locale() {
  const tag = browserLangs().find((x) => primary(x) === current);
  try {
    if (tag) return Intl.getCanonicalLocales(tag)[0];
  } catch (e) { /* not a tag Intl takes */ }
  return DEFAULT_LOCALE[current] || current;
}

function twentyFour(loc) {
  if (current === 'de') return true;
  try {
    const hc = new Intl.DateTimeFormat(loc, { hour: 'numeric' }).resolvedOptions().hourCycle;
    return hc !== 'h11' && hc !== 'h12';
  } catch (e) {
    return true;
  }
}

function formatter(kind) {
  const k = has(KINDS, kind) ? kind : 'time';
  let f = formats.get(k);
  if (f) return f;
  const loc = locale();
  const o = Object.assign({}, KINDS[k]);
  if (o.hour) {
    const h24 = twentyFour(loc);
    o.hour = h24 ? '2-digit' : 'numeric';
    o.minute = '2-digit';
    o.hourCycle = h24 ? 'h23' : 'h12';
  }
  let dtf;
  try {
    dtf = new Intl.DateTimeFormat(loc, o);
  } catch (e) {
    dtf = new Intl.DateTimeFormat(undefined, o);
  }
  f = (d) => {
    if (!o.weekday || !o.hour || !dtf.formatToParts) return dtf.format(d);
    const parts = dtf.formatToParts(d);
    const h = parts.findIndex((p) => p.type === 'hour');
    if (h > 1 && parts[h - 1].type === 'literal') parts[h - 1] = { value: ' ' };
    return parts.map((p) => p.value).join('');
  };
  formats.set(k, f);
  return f;
}

/* kind: 'time' (20:30), 'day' (Thu 20:30), 'date' (26 Nov), 'datetime'
 * (Thu 26 Nov 20:30); in the browser's time zone. '' without a time. */
export function fmtDate(epochS, kind) {
  if (epochS === null || epochS === undefined || epochS === '') return '';
  const ms = Number(epochS) * 1000;
  if (!Number.isFinite(ms)) return '';
  return formatter(kind)(new Date(ms));
}

/* Another tab chose a language: follow it. */
if (typeof window !== 'undefined' && window.addEventListener) {
  window.addEventListener('storage', (e) => {
    if (e.key !== STORE && e.key !== null) return;
    if (chooseLang() === current) return;
    initI18n().then(() => window.dispatchEvent(
      new CustomEvent('heatpad-lang', { detail: { lang: current } })));
  });
}
