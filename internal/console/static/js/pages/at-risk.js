// The at-risk list: GET /v1/at-risk with the filters, the sort and the page
// cursor of the hash (#/at-risk?level=high&plan=growth&q=acme&min_score=0.5&sort=change&cursor=…&page=2).

import { getJSON, isQuiet, withQuery } from '../api.js';
import { customerLink, h, missing, problemView, riskBadge, table } from '../dom.js';
import { isNum, money, num, pct } from '../format.js';
import { t } from '../i18n.js';

const LIMIT = 25;

/** The orders the list offers, as the API names them (their column labels are t('atRisk.sort.' + order)). */
const SORTS = ['score', 'revenue_at_risk', 'change'];

/** The column label of an order. */
const sortLabel = (key) => t('atRisk.sort.' + key);

/** The page title. */
export const title = () => t('atRisk.title');

/** The hash of this page for filters, a sort and a page position. */
export function hashFor(filters, cursor = '', page = 1) {
  return withQuery('#/at-risk', {
    level: filters.level, plan: filters.plan, q: filters.q, min_score: filters.min_score,
    sort: filters.sort && filters.sort !== 'score' ? filters.sort : '', cursor, page: page > 1 ? page : '',
  });
}

/**
 * A minimum score as typed: "0.5", "50" and "50%" all mean 0.5 (a number
 * above 1, or one with "%", is a percentage). Answers the score in [0, 1],
 * "" for an empty box, or null for anything else.
 */
export function parseMinScore(text) {
  const s = String(text ?? '').trim().replace(/\s+/g, '').replace(/％/g, '%');
  if (s === '') return '';
  const m = /^(\d+(?:[.,]\d*)?|[.,]\d+)(%?)$/.exec(s);
  if (!m) return null;
  let v = Number(m[1].replace(',', '.'));
  if (m[2] === '%' || v > 1) v /= 100;
  if (!Number.isFinite(v) || v < 0 || v > 1) return null;
  return Math.round(v * 1e6) / 1e6;
}

/** Loads one page of the list (and the plans to choose from) and builds the filters, table and paging. */
export async function render(ctx) {
  const p = ctx.params;
  const sort = SORTS.includes(p.get('sort') || '') ? p.get('sort') : 'score';
  const filters = { level: p.get('level') || '', plan: p.get('plan') || '', q: p.get('q') || '', min_score: p.get('min_score') || '', sort };
  const cursor = p.get('cursor') || '';
  const page = Math.max(1, parseInt(p.get('page') || '1', 10) || 1);
  ctx.session.lastAtRisk = location.hash || '#/at-risk';
  const plansP = getJSON('/v1/plans', { signal: ctx.signal }).then((b) => (Array.isArray(b.plans) ? b.plans.map(String) : []))
    .catch((err) => { if (isQuiet(err)) throw err; return []; }); // without the choices the list still works
  let body;
  let plans;
  try {
    [body, plans] = await Promise.all([
      getJSON(withQuery('/v1/at-risk', { limit: LIMIT, level: filters.level, plan: filters.plan, q: filters.q, min_score: filters.min_score, sort: filters.sort, cursor }), { signal: ctx.signal }),
      plansP]);
  } catch (err) {
    // keep the filters on screen so that a rejected one can be corrected
    err.view = [h('h1', { text: t('atRisk.title') }), filterForm(filters, await plansP.catch(() => []), ctx),
      h('p', { class: 'note', text: t('atRisk.readError') }), problemView(err)];
    throw err;
  }
  const form = filterForm(filters, plans, ctx);
  const items = Array.isArray(body.items) ? body.items : [];
  const filtered = filters.level !== '' || filters.plan !== '' || filters.q !== '' || filters.min_score !== '';
  const list = items.length
    ? atRiskTable(items, filters, ctx)
    : h('p', { id: 'at-risk-empty', class: 'empty', text: filtered
      ? (body.next_cursor ? t('atRisk.emptyFilteredNext') : t('atRisk.emptyFiltered'))
      : page > 1 ? t('atRisk.noMore') : t('atRisk.empty') });
  const next = h('button', { id: 'next-page', type: 'button', disabled: !body.next_cursor, text: t('atRisk.next') });
  next.addEventListener('click', () => ctx.navigate(hashFor(filters, body.next_cursor, page + 1)));
  const first = h('button', { id: 'first-page', type: 'button', disabled: page === 1, text: t('atRisk.first') });
  first.addEventListener('click', () => ctx.navigate(hashFor(filters)));
  return [
    h('h1', { text: t('atRisk.title') }),
    h('p', { class: 'lead', text: t('atRisk.lead') }),
    form,
    list,
    h('nav', { class: 'pager', 'aria-label': t('atRisk.pages') }, first,
      h('span', { id: 'page-number', class: 'page-number', text: t('atRisk.page', { n: page }) }), next),
  ];
}

/** The filter form; Apply goes to the first page with the new filters (the sort stays). */
function filterForm(filters, plans, ctx) {
  const level = h('select', { id: 'level', name: 'level' },
    [['', t('atRisk.level.any')], ['high', t('atRisk.level.high')], ['medium', t('atRisk.level.medium')]].map(([v, label]) =>
      h('option', { value: v, selected: v === filters.level, text: label })));
  const choices = [...new Set([...plans, filters.plan].filter(Boolean))];
  const plan = h('select', { id: 'plan', name: 'plan' }, h('option', { value: '', text: t('atRisk.allPlans') }),
    choices.map((v) => h('option', { value: v, selected: v.toLowerCase() === filters.plan.toLowerCase(), text: v })));
  const search = h('input', { id: 'search', name: 'q', type: 'search', value: filters.q, maxlength: '100', autocomplete: 'off', placeholder: t('atRisk.searchPlaceholder') });
  const shown = filters.min_score === '' ? '' : `${num(Number(filters.min_score) * 100, 4)}%`;
  const min = h('input', { id: 'min-score', name: 'min_score', type: 'text', inputmode: 'decimal', value: shown, size: '8', 'aria-describedby': 'min-score-help min-score-error' });
  const minError = h('span', { id: 'min-score-error', class: 'field-error', role: 'alert', hidden: true });
  const form = h('form', { id: 'filters', class: 'filters', 'aria-label': t('atRisk.filters'), novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'level', text: t('atRisk.level') }), level),
    h('div', { class: 'field' }, h('label', { for: 'plan', text: t('atRisk.plan') }), plan),
    h('div', { class: 'field' }, h('label', { for: 'search', text: t('atRisk.search') }), search),
    h('div', { class: 'field' }, h('label', { for: 'min-score', text: t('atRisk.minScore') }), min,
      h('span', { id: 'min-score-help', class: 'help', text: t('atRisk.minScoreHelp') }), minError),
    h('div', { class: 'field field-button' }, h('button', { id: 'apply-filters', type: 'submit', text: t('atRisk.apply') })));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const v = parseMinScore(min.value);
    if (v === null) {
      minError.textContent = t('atRisk.minScoreError');
      minError.hidden = false;
      min.setAttribute('aria-invalid', 'true');
      min.focus();
      return;
    }
    ctx.navigate(hashFor({ level: level.value, plan: plan.value, q: search.value.trim(), min_score: v === '' ? '' : String(v), sort: filters.sort }));
  });
  return form;
}

/** A change of score in points with an arrow: "▲ +12 pts", "▼ −3 pts"; a dash when unknown. */
function changeCell(change) {
  if (!isNum(change)) return missing(t('atRisk.noWeekAgo'));
  const pts = Math.round(change * 1000) / 10;
  const dir = pts > 0 ? 'up' : pts < 0 ? 'down' : 'flat';
  const arrow = { up: '▲', down: '▼', flat: '▬' }[dir];
  const sign = pts > 0 ? '+' : pts < 0 ? '−' : '±';
  const words = t('points.many', { n: `${sign}${num(Math.abs(pts), 1)}` });
  return h('span', { class: `change change-${dir}`, dataset: { change: String(change), dir }, title: t('atRisk.changeTitle') },
    h('span', { class: 'change-arrow', 'aria-hidden': 'true', text: arrow }), ' ',
    h('span', { class: 'visually-hidden', text: t('atRisk.' + dir) }), words);
}

/** A column header that sorts the list by its order (largest first). */
function sortHeader(key, filters, ctx) {
  const active = filters.sort === key;
  const b = h('button', { type: 'button', class: 'sort-button', id: `sort-${key}`, 'aria-pressed': active ? 'true' : 'false',
    text: sortLabel(key) + (active ? ' ▼' : '') });
  b.addEventListener('click', () => ctx.navigate(hashFor({ ...filters, sort: key })));
  return b;
}

/** The table of customers. */
function atRiskTable(items, filters, ctx) {
  const text = (v) => (v ? String(v) : missing());
  const rows = items.map((it) => [
    customerLink(String(it.customer_id)),
    { content: text(it.name), cls: 'col-name' },
    { content: text(it.owner), cls: 'col-owner' },
    { content: pct(it.score), cls: 'col-score' },
    { content: changeCell(it.change), cls: 'col-change' },
    riskBadge(it.risk_level),
    { content: text(it.plan), cls: 'col-plan' },
    it.mrr === null || it.mrr === undefined ? missing() : money(it.mrr),
    { content: it.revenue_at_risk === null || it.revenue_at_risk === undefined ? missing() : money(it.revenue_at_risk), cls: 'col-revenue' },
    text(it.top_driver),
  ]);
  const columns = [{ label: t('atRisk.col.customer') }, { label: t('atRisk.col.name') }, { label: t('atRisk.col.owner') },
    { label: sortLabel('score'), num: true, sort: 'score' }, { label: sortLabel('change'), num: true, sort: 'change' },
    { label: t('atRisk.col.risk') }, { label: t('atRisk.col.plan') }, { label: t('atRisk.col.mrr'), num: true },
    { label: sortLabel('revenue_at_risk'), num: true, sort: 'revenue_at_risk' }, { label: t('atRisk.col.topDriver') }];
  const tbl = table({
    id: 'at-risk-table',
    caption: t('atRisk.caption', { sort: sortLabel(filters.sort).toLowerCase(), n: items.length }),
    columns,
    rows,
  });
  // Sortable headers: a button in the th, aria-sort on the active one.
  const ths = tbl.querySelectorAll('thead th');
  columns.forEach((c, i) => {
    if (!c.sort || !ths[i]) return;
    ths[i].replaceChildren(sortHeader(c.sort, filters, ctx));
    if (filters.sort === c.sort) ths[i].setAttribute('aria-sort', 'descending');
  });
  return tbl;
}
