/* page_api.js: every request the page makes. Each gives up after 4 s; a
 * reply without an answer has noAnswer set (the daemon may be down,
 * frozen, or the network gone). A refusal keeps the daemon's code, so the
 * page can say it in the reader's language, and its Retry-After. */

export const API_TIMEOUT_MS = 4000;

/* onPinNeeded(): called when the daemon answers that a PIN is required. */
export function pageApi(onPinNeeded) {
  return async function api(method, path, body) {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), API_TIMEOUT_MS);
    const opt = { method, headers: {}, credentials: 'same-origin', cache: 'no-store',
                  signal: ctl.signal };
    if (body !== undefined) {
      opt.headers['Content-Type'] = 'application/json';
      opt.body = JSON.stringify(body);
    }
    let res, json = {};
    try {
      res = await fetch(path, opt);
      try { json = await res.json(); } catch (e) { /* an empty or non-JSON body */ }
    } catch (e) {
      clearTimeout(timer);
      return { ok: false, noAnswer: true, code: ctl.signal.aborted ? 'timeout' : 'offline',
               message: '' };
    }
    clearTimeout(timer);
    if (!res.ok) {
      /* Only a refused change asks for the PIN: a private read (the
       * session history) just stays hidden until it is given. */
      if (res.status === 401 && json.code === 'pin_required' && onPinNeeded &&
          method !== 'GET') onPinNeeded();
      const after = Number(res.headers.get('Retry-After'));
      return Object.assign({}, json, { ok: false, httpStatus: res.status,
        code: json.code || 'http_' + res.status, message: json.message || '',
        retryAfter: after > 0 ? after : 0 });
    }
    return Object.assign({ ok: true }, json);
  };
}
