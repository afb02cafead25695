// The login page: an API key checked against GET /v1/whoami, then kept in
// sessionStorage.

import { getJSON, setKey } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';

/** The page title. */
export const title = () => t('login.title');

/** Builds the login form. */
export function render(ctx) {
  const input = h('input', { id: 'api-key', name: 'api-key', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false', 'aria-describedby': 'api-key-help' });
  const error = h('p', { id: 'login-error', role: 'alert', class: 'error-text', text: ctx.session.loginMessage || '' });
  const button = h('button', { id: 'sign-in', type: 'submit', text: t('login.signIn') });
  const form = h('form', { id: 'login-form', class: 'login-form', novalidate: true },
    h('label', { for: 'api-key', text: t('login.key') }), input,
    h('p', { id: 'api-key-help', class: 'help', text: t('login.keyHelp') }),
    button, error);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const key = input.value.trim();
    if (!key) {
      error.textContent = t('login.enterKey');
      input.focus();
      return;
    }
    button.disabled = true;
    error.textContent = '';
    ctx.announce(t('login.checking'));
    try {
      const who = await getJSON('/v1/whoami', { key, probe: true, signal: ctx.signal });
      setKey(key);
      ctx.session.signIn(who, who.authentication === false);
      ctx.navigate('#/at-risk');
    } catch (err) {
      if (err.name === 'AbortError') return;
      button.disabled = false;
      error.textContent = err.status === 401 || err.status === 403
        ? t('login.rejected')
        : `${(err.problem && err.problem.title) || err.message}${err.problem && err.problem.detail ? ': ' + err.problem.detail : ''}`;
      input.select();
      input.focus();
    }
  });
  const notice = ctx.session.loginNotice ? h('p', { class: 'notice', id: 'login-notice', text: ctx.session.loginNotice }) : null;
  return h('div', { class: 'login' },
    h('h1', { text: t('login.title') }), notice,
    h('p', { text: t('login.intro') }),
    form);
}
