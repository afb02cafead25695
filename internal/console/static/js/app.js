// The console's shell: sign-in state, the hash router, the page life cycle
// (main[data-state] loading → ready | error, body[data-page]) and the header.

import { clearKey, getJSON, getKey, isQuiet, setUnauthorizedHandler } from './api.js';
import { append, h, problemView } from './dom.js';
import * as login from './pages/login.js';
import * as atRisk from './pages/at-risk.js';
import * as customer from './pages/customer.js';
import * as metrics from './pages/metrics.js';
import * as model from './pages/model.js';
import * as webhooks from './pages/webhooks.js';

const APP = 'Churn console';
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
  return { name: ['login', 'at-risk', 'metrics', 'model', 'webhooks'].includes(name) ? name : 'not-found', params };
}

const pages = {
  login, 'at-risk': atRisk, customer, metrics, model, webhooks,
  'not-found': {
    title: () => 'Page not found',
    render: () => [h('h1', { text: 'Page not found' }),
      h('p', {}, 'There is no such page. ', h('a', { href: '#/at-risk', text: 'Go to the at-risk customers' }), '.')],
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
  document.getElementById('role-name').textContent = s ? s.role : '';
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
  document.title = `${title} · ${APP}`;
  document.body.dataset.page = route.name;
  main.dataset.state = 'loading';
  main.setAttribute('aria-busy', 'true');
  main.replaceChildren(h('h1', { text: title }), h('p', { class: 'loading', text: 'Loading…' }));
  try {
    const content = await page.render(ctx);
    if (token !== seq) return;
    main.replaceChildren();
    append(main, content);
    finish('ready', `${title} loaded`);
  } catch (err) {
    if (token !== seq || isQuiet(err)) return;
    main.replaceChildren();
    append(main, err.view || [h('h1', { text: title }), problemView(err)]);
    finish('error', `${title} could not be loaded`);
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
  session.loginNotice = 'You are signed out.';
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
        session.loginMessage = 'Your saved API key was not accepted. Sign in again.';
      }
    }
  } catch (err) {
    document.title = `Error · ${APP}`;
    document.body.dataset.page = 'error';
    main.replaceChildren(h('h1', { text: 'The console cannot start' }), problemView(err),
      h('p', {}, h('button', { type: 'button', id: 'retry', on: { click: () => location.reload() }, text: 'Try again' })));
    finish('error', 'The console cannot start');
    return;
  }
  window.addEventListener('hashchange', render);
  render();
}

setUnauthorizedHandler(() => {
  if (!session.current) return; // parallel requests: the first 401 has signed out
  session.current = null;
  session.loginMessage = 'The API did not accept your key (401): it may have been revoked. Sign in again.';
  navigate('#/login');
});
document.getElementById('sign-out').addEventListener('click', signOut);
document.getElementById('skip-link').addEventListener('click', (e) => {
  e.preventDefault();
  main.focus();
});
boot();
