// The support team's queue: "My cases" (GET /v1/cases?owner=<the agent's
// name>) and "All open cases" (GET /v1/cases?status=open: the treated group
// only, as the API lists it by default), by score, with cursor pages added
// below by "More cases" (#/cases?view=mine|open).

import { agentName } from '../agent.js';
import { getJSON, isQuiet, withQuery } from '../api.js';
import { agentForm, canWrite, caseActions, replaceKeepingFocus, statusBadge } from '../cases.js';
import { customerLink, h, missing, problemView } from '../dom.js';
import { date, money, pct } from '../format.js';
import { t } from '../i18n.js';

const LIMIT = 25;
const VIEWS = ['mine', 'open'];

/** The page title. */
export const title = () => t('cases.title');

/** The hash of a view of this page. */
export const hashFor = (view) => '#/cases?view=' + view;

/** The view of the hash; without one "My cases" once the agent has a name, else "All open cases". */
export function viewOf(params, name) {
  const v = params.get('view') || '';
  if (VIEWS.includes(v)) return v;
  return name ? 'mine' : 'open';
}

/** The query of a view: the agent's cases, or the open ones. */
export function queryOf(view, name, cursor = '') {
  return withQuery('/v1/cases', { owner: view === 'mine' ? name : '', status: view === 'open' ? 'open' : '', limit: LIMIT, cursor });
}

/** Loads the first page of the view and builds the name form, the view links, the table and "More cases". */
export async function render(ctx) {
  const name = agentName();
  const view = viewOf(ctx.params, name);
  const head = [
    h('h1', { text: t('cases.title') }),
    h('p', { class: 'lead', text: t('cases.lead') }),
    agentForm(ctx, () => ctx.navigate(hashFor(view))),
    viewLinks(view),
  ];
  if (view === 'mine' && !name) return [...head, h('p', { id: 'cases-need-name', class: 'notice', text: t('cases.needName') })];
  let body;
  try {
    body = await getJSON(queryOf(view, name), { signal: ctx.signal });
  } catch (err) {
    err.view = [...head, problemView(err)];
    throw err;
  }
  const items = Array.isArray(body.items) ? body.items : [];
  if (!items.length) {
    return [...head, h('p', { id: 'cases-empty', class: 'empty', text: view === 'mine' ? t('cases.emptyMine', { name }) : t('cases.emptyOpen') })];
  }
  const write = canWrite(ctx.session);
  const tbody = h('tbody', {});
  const addRows = (list) => list.map((c) => {
    const tr = caseRow(c, ctx, write);
    tbody.append(tr);
    return tr;
  });
  addRows(items);
  const caption = h('caption', { text: t(view === 'mine' ? 'cases.captionMine' : 'cases.captionOpen', { name }) });
  const tbl = h('table', { id: 'cases-table', class: 'data cases-table' }, caption, h('thead', {}, h('tr', {}, columns(write).map((c) =>
    h('th', { scope: 'col', class: c.num ? 'num' : null, text: c.label })))), tbody);
  let next = body.next_cursor || '';
  const more = h('button', { id: 'more-cases', type: 'button', hidden: !next, text: t('cases.more') });
  more.addEventListener('click', async () => {
    more.disabled = true;
    try {
      const page = await getJSON(queryOf(view, name, next), { signal: ctx.signal });
      const rows = addRows(Array.isArray(page.items) ? page.items : []);
      next = page.next_cursor || '';
      more.hidden = !next;
      ctx.announce(t('cases.moreShown', { n: rows.length }));
      const link = rows.length ? rows[0].querySelector('a') : null;
      if (link) link.focus();
      else if (!next) document.getElementById('app').focus();
    } catch (err) {
      if (isQuiet(err)) return;
      more.after(problemView(err, 'h3'));
    } finally {
      more.disabled = false;
    }
  });
  return [...head, !write ? h('p', { id: 'cases-read-only', class: 'notice', text: t('case.readOnly') }) : null,
    h('div', { class: 'scroller', role: 'region', 'aria-label': t('cases.region'), tabindex: '0' }, tbl),
    h('p', { class: 'pager' }, more)];
}

/** The two views as links, the current one marked. */
function viewLinks(view) {
  return h('nav', { id: 'case-views', class: 'view-links', 'aria-label': t('cases.views') }, h('ul', {}, VIEWS.map((v) =>
    h('li', {}, h('a', { id: 'view-' + v, href: hashFor(v), 'aria-current': v === view ? 'page' : null, text: t('cases.view.' + v) })))));
}

/** The table's columns. */
function columns(write) {
  return [{ label: t('cases.col.customer') }, { label: t('cases.col.score'), num: true }, { label: t('cases.col.revenue'), num: true },
    { label: t('cases.col.play') }, { label: t('cases.col.owner') }, { label: t('cases.col.status') }, { label: t('cases.col.opened') },
    write ? { label: t('cases.col.actions') } : null].filter(Boolean);
}

/** One case as a table row (tr[data-case-id]); its actions replace it with the case the API answers. */
function caseRow(c, ctx, write) {
  const play = c.play && typeof c.play === 'object' ? c.play : {};
  const tr = h('tr', { dataset: { caseId: String(c.id ?? ''), customer: String(c.customer_id ?? '') } },
    h('th', { scope: 'row' }, customerLink(String(c.customer_id ?? ''))),
    h('td', { class: 'num col-score', text: pct(c.score) }),
    h('td', { class: 'num col-revenue', text: money(c.revenue_at_risk) }),
    h('td', { class: 'col-play', title: play.text ? String(play.text) : null }, play.name ? String(play.name) : missing()),
    h('td', { class: 'col-owner' }, c.owner ? String(c.owner) : missing(t('case.noOwner'))),
    h('td', { class: 'col-status' }, statusBadge(c.status)),
    h('td', { class: 'col-opened', text: date(c.opened_at) }),
    write ? h('td', { class: 'col-actions' }, caseActions(c, ctx, (updated, action) => replaceKeepingFocus(tr, caseRow(updated, ctx, write), action))) : null);
  return tr;
}
