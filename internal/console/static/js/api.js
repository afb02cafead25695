// The API client: same-origin fetches of /v1/... with the signed-in key as a
// bearer token and, on the routes that take it, the console's language as
// ?lang= (the API answers its sentences in it). The key lives in
// sessionStorage only.

import { lang, t } from './i18n.js';

const KEY = 'churn.apiKey';

/** The stored API key or "". */
export function getKey() {
  try { return sessionStorage.getItem(KEY) || ''; } catch { return ''; }
}

/** Stores the API key for this browser tab. */
export function setKey(key) {
  sessionStorage.setItem(KEY, key);
}

/** Forgets the API key. */
export function clearKey() {
  try { sessionStorage.removeItem(KEY); } catch { /* storage disabled */ }
}

/** An API answer that was not 2xx; problem holds the problem+json body. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.title || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }
}

let onUnauthorized = () => {};

/** Sets what happens on a 401 of an ordinary request (after the key is cleared). */
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

/**
 * Fetches an API path. Options: signal (AbortSignal), key (a key to use
 * instead of the stored one; "" for none), probe (a 401 is only reported, the
 * stored key stays and no handler runs), method and body (sent as JSON). Answers the Response when it is 2xx;
 * throws ApiError otherwise (status 0 for a network failure) and
 * DOMException AbortError when aborted.
 */
export async function request(path, { signal, key, probe = false, accept = 'application/json', method = 'GET', body } = {}) {
  const k = key === undefined ? getKey() : key;
  const headers = { Accept: accept };
  if (k) headers.Authorization = 'Bearer ' + k;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(inLanguage(path), {
      method, headers, signal, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError(0, { title: t('api.unreachable'), detail: t('api.unreachableDetail') });
  }
  if (res.ok) return res;
  const err = new ApiError(res.status, await problemOf(res));
  if (res.status === 401 && !probe) {
    clearKey();
    err.handled = true;
    onUnauthorized(err);
  }
  throw err;
}

/** Fetches an API path and parses its JSON answer (see request). */
export async function getJSON(path, opts) {
  const res = await request(path, opts);
  try {
    return await res.json();
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError(res.status, { title: t('api.unreadable'), detail: t('api.unreadableDetail', { path }) });
  }
}

/** Sends body as JSON with method (PATCH, POST…) and parses the JSON answer (see request). */
export function sendJSON(path, method, body, opts = {}) {
  return getJSON(path, { ...opts, method, body });
}

/** Fetches an API path as a Blob (see request). */
export async function getBlob(path, opts) {
  const res = await request(path, opts);
  return res.blob();
}

/** The problem+json body of an error answer, or one made from its status. */
async function problemOf(res) {
  const fallback = { title: res.statusText || `HTTP ${res.status}`, status: res.status };
  if (!/json/i.test(res.headers.get('Content-Type') || '')) return fallback;
  try {
    const p = await res.json();
    return p && typeof p === 'object' ? { ...fallback, ...p } : fallback;
  } catch {
    return fallback;
  }
}

/** True for an error that needs no view: an abort or a handled 401. */
export function isQuiet(err) {
  return !!err && (err.name === 'AbortError' || err.handled === true);
}

/** The routes whose answers hold sentences, where the API takes a lang parameter. */
const WORDED = /^\/v1\/(?:at-risk|score|customers\/[^/?]+\/(?:risk|cases)|cases(?:\/[^/?]+)?)(?:\?|$)/;

/** A path of a worded route with the console's language as its lang parameter (other paths as they are). */
export function inLanguage(path) {
  if (!WORDED.test(path)) return path;
  const [base, query = ''] = path.split('?');
  const q = new URLSearchParams(query);
  q.set('lang', lang());
  return `${base}?${q}`;
}

/** Builds "path?k=v&…" from the entries of params that are not empty. */
export function withQuery(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
