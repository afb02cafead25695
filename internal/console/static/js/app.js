// The console's shell: sign-in state, the hash router, the page life cycle
// (main[data-state] loading → ready | error, body[data-page]), the header and
// its language choice (a change renders the header and the page anew).

import { clearKey, getJSON, getKey, isQuiet, setUnauthorizedHandler } from './api.js';
import { append, h, problemView } from './dom.js';
import { LANGS, lang, setLang, t } from './i18n.js';
import * as login from './pages/login.js';
import * as atRisk from './pages/at-risk.js';
import * as customer from './pages/customer.js';
import * as cases from './pages/cases.js';
import * as impact from './pages/impact.js';
import * as metrics from './pages/metrics.js';
import * as model from './pages/model.js';
import * as webhooks from './pages/webhooks.js';

const main = document.getElementById('app');
const status = document.getElementById('status');

/**
 * The state shared with the pages: current is the signed-in {role, authOff}
 * or null; loginMessage (an error) and loginNotice are shown on the login
 * page; lastAtRisk is the hash of the at-risk list last shown.
 */
const session = { current: null, loginMessage: '', loginNotice: '' };
let controller = null;
let seq = 0;

/** The route of a location hash: {name, params, id}. */
export function parseHash(hash) {
  const raw = (hash || '').replace(/^#/, '');
  const [path, query = ''] = raw.split('?');
  const params = new URLSearchParams(query);
  const parts = path.split('/').filter(Boolean);
  if (parts.length === 0) return { name: 'at-risk', params };
  if (parts[0] === 'customers' && parts.length === 2) {
    let id = parts[1];
    try { id = decodeURIComponent(id); } catch { /* keep as is */ }
    return { name: 'customer', params, id };
  }
  const name = parts.length === 1 ? parts[0] : '';
  return { name: ['login', 'at-risk', 'cases', 'impact', 'metrics', 'model', 'webhooks'].includes(name) ? name : 'not-found', params };
}

const pages = {
  login, 'at-risk': atRisk, customer, cases, impact, metrics, model, webhooks,
  'not-found': {
    title: () => t('notFound.title'),
    render: () => [h('h1', { text: t('notFound.title') }),
      h('p', {}, t('notFound.text'), ' ', h('a', { href: '#/at-risk', text: t('notFound.link') }), t('notFound.end'))],
  },
};

/** Goes to a hash; renders again when it is the current one. */
export function navigate(hash) {
  if (location.hash === hash) render();
  else location.hash = hash;
}

/** Says something to screen readers through the polite live region. */
export function announce(text) {
  status.textContent = '';
  setTimeout(() => { status.textContent = text; }, 50);
}

/** Shows the header parts for the session (nav, role, sign out, banner). */
function updateHeader(route) {
  const s = session.current;
  document.getElementById('site-nav').hidden = !s;
  document.getElementById('session').hidden = !s;
  document.getElementById('auth-banner').hidden = !(s && s.authOff);
  document.getElementById('nav-webhooks-item').hidden = !(s && s.role === 'admin');
  document.getElementById('role-name').textContent = s ? roleName(s.role) : '';
  document.getElementById('sign-out').hidden = !s || s.authOff;
  const active = route.name === 'customer' ? 'at-risk' : route.name;
  for (const a of document.querySelectorAll('#site-nav a')) {
    if (a.id === 'nav-' + active) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

/** Renders the page of the current hash. */
async function render() {
  let route = parseHash(location.hash);
  if (!session.current && route.name !== 'login') {
    history.replaceState(null, '', '#/login');
    route = parseHash('#/login');
  } else if (session.current && route.name === 'login') {
    history.replaceState(null, '', '#/at-risk');
    route = parseHash('#/at-risk');
  }
  const page = pages[route.name];
  const token = ++seq;
  if (controller) controller.abort();
  controller = new AbortController();
  const ctx = { ...route, signal: controller.signal, session, navigate, announce };
  updateHeader(route);
  const title = page.title(ctx);
  document.title = `${title} · ${t('app.name')}`;
  document.body.dataset.page = route.name;
  main.dataset.state = 'loading';
  main.setAttribute('aria-busy', 'true');
  main.replaceChildren(h('h1', { text: title }), h('p', { class: 'loading', text: t('common.loading') }));
  try {
    const content = await page.render(ctx);
    if (token !== seq) return;
    main.replaceChildren();
    append(main, content);
    finish('ready', t('app.loaded', { title }));
  } catch (err) {
    if (token !== seq || isQuiet(err)) return;
    main.replaceChildren();
    append(main, err.view || [h('h1', { text: title }), problemView(err)]);
    finish('error', t('app.notLoaded', { title }));
  }
}

/** Ends a page load: state, busy flag, focus and an announcement. */
function finish(state, words) {
  main.dataset.state = state;
  main.removeAttribute('aria-busy');
  main.focus({ preventScroll: true });
  window.scrollTo(0, 0);
  announce(words);
}

/**
 * Puts the page in the current language: html[lang], the language choice
 * and the header's fixed strings (elements with data-i18n, and
 * data-i18n-label for an aria-label).
 */
function applyLanguage() {
  document.documentElement.lang = lang();
  langSelect.value = lang();
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
  const s = session.current;
  document.getElementById('role-name').textContent = s ? roleName(s.role) : '';
}

/** A role in words; an unknown role as the API names it. */
function roleName(role) {
  const key = 'role.' + role;
  const words = t(key);
  return words === key ? role : words;
}

/** Called after a successful sign-in. */
function signedIn(who, authOff = false) {
  session.current = { role: String(who.role || 'read'), authOff };
  session.loginMessage = '';
  session.loginNotice = '';
}
session.signIn = signedIn;

/** Signs out: forgets the key and shows the login page. */
function signOut() {
  clearKey();
  session.current = null;
  session.loginNotice = t('app.signedOut');
  navigate('#/login');
}

/**
 * Starts the console: with authentication off (whoami without a key answers
 * {"authentication": false}) it enters directly; otherwise a stored key that
 * whoami accepts signs in, and anything else shows the login page.
 */
async function boot() {
  try {
    const open = await getJSON('/v1/whoami', { key: '', probe: true }).catch((e) => {
      if (e.status === 401 || e.status === 403) return null;
      throw e;
    });
    if (open && open.authentication === false) {
      signedIn(open, true);
    } else if (getKey()) {
      try {
        signedIn(await getJSON('/v1/whoami', { probe: true }));
      } catch (e) {
        if (e.status !== 401 && e.status !== 403) throw e;
        clearKey();
        session.loginMessage = t('app.keyRejected');
      }
    }
  } catch (err) {
    document.title = `${t('app.error')} · ${t('app.name')}`;
    document.body.dataset.page = 'error';
    main.replaceChildren(h('h1', { text: t('app.cannotStart') }), problemView(err),
      h('p', {}, h('button', { type: 'button', id: 'retry', on: { click: () => location.reload() }, text: t('app.tryAgain') })));
    finish('error', t('app.cannotStart'));
    return;
  }
  window.addEventListener('hashchange', render);
  session.ready = true;
  render();
}

setUnauthorizedHandler(() => {
  if (!session.current) return; // parallel requests: the first 401 has signed out
  session.current = null;
  session.loginMessage = t('app.keyRevoked');
  navigate('#/login');
});
document.getElementById('sign-out').addEventListener('click', signOut);
const langSelect = document.getElementById('lang-select');
for (const l of LANGS) langSelect.append(h('option', { value: l.code, lang: l.code, text: l.name }));
langSelect.addEventListener('change', () => {
  setLang(langSelect.value);
  applyLanguage();
  if (session.ready) render();
});
applyLanguage();
document.getElementById('skip-link').addEventListener('click', (e) => {
  e.preventDefault();
  main.focus();
});
boot();
