// The at-risk list: GET /v1/at-risk with the filters and the page cursor of
// the hash (#/at-risk?min_score=0.5&plan=growth&cursor=…&page=2).

import { getJSON, withQuery } from '../api.js';
import { customerLink, h, missing, problemView, riskBadge, table } from '../dom.js';
import { money, pct } from '../format.js';

const LIMIT = 25;

/** The page title. */
export const title = () => 'At-risk customers';

/** The hash of this page for filters and a page position. */
export function hashFor(filters, cursor = '', page = 1) {
  return withQuery('#/at-risk', { min_score: filters.min_score, plan: filters.plan, cursor, page: page > 1 ? page : '' });
}

/** Loads one page of the list and builds the filters, table and paging. */
export async function render(ctx) {
  const filters = { min_score: ctx.params.get('min_score') || '', plan: ctx.params.get('plan') || '' };
  const cursor = ctx.params.get('cursor') || '';
  const page = Math.max(1, parseInt(ctx.params.get('page') || '1', 10) || 1);
  ctx.session.lastAtRisk = location.hash || '#/at-risk';
  const form = filterForm(filters, ctx);
  let body;
  try {
    body = await getJSON(withQuery('/v1/at-risk', { limit: LIMIT, ...filters, cursor }), { signal: ctx.signal });
  } catch (err) {
    // keep the filters on screen so that a rejected one can be corrected
    err.view = [h('h1', { text: 'At-risk customers' }), form, problemView(err)];
    throw err;
  }
  const items = Array.isArray(body.items) ? body.items : [];
  const filtered = filters.min_score !== '' || filters.plan !== '';
  const list = items.length
    ? atRiskTable(items)
    : h('p', { id: 'at-risk-empty', class: 'empty', text: filtered
      ? 'No customers match these filters. Lower the minimum score or clear the plan.'
      : page > 1 ? 'There are no more customers on this page.' : 'No customers are at risk right now.' });
  const next = h('button', { id: 'next-page', type: 'button', disabled: !body.next_cursor, text: 'Next page' });
  next.addEventListener('click', () => ctx.navigate(hashFor(filters, body.next_cursor, page + 1)));
  const first = h('button', { id: 'first-page', type: 'button', disabled: page === 1, text: 'First page' });
  first.addEventListener('click', () => ctx.navigate(hashFor(filters)));
  return [
    h('h1', { text: 'At-risk customers' }),
    h('p', { class: 'lead', text: 'Customers with the highest predicted risk of churning first. Open a customer to see why.' }),
    form,
    list,
    h('nav', { class: 'pager', 'aria-label': 'Pages of the list' }, first,
      h('span', { id: 'page-number', class: 'page-number', text: `page ${page}` }), next),
  ];
}

/** The filter form; Apply goes to the first page with the new filters. */
function filterForm(filters, ctx) {
  const min = h('input', { id: 'min-score', name: 'min_score', type: 'number', min: '0', max: '1', step: '0.05', inputmode: 'decimal', value: filters.min_score, 'aria-describedby': 'min-score-help' });
  const plan = h('input', { id: 'plan', name: 'plan', type: 'text', value: filters.plan, autocomplete: 'off' });
  const form = h('form', { id: 'filters', class: 'filters', 'aria-label': 'Filter the list' },
    h('div', { class: 'field' }, h('label', { for: 'min-score', text: 'Minimum score' }), min,
      h('span', { id: 'min-score-help', class: 'help', text: 'from 0 to 1, e.g. 0.5 for 50%' })),
    h('div', { class: 'field' }, h('label', { for: 'plan', text: 'Plan' }), plan),
    h('div', { class: 'field field-button' }, h('button', { id: 'apply-filters', type: 'submit', text: 'Apply' })));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!form.reportValidity()) return;
    ctx.navigate(hashFor({ min_score: min.value.trim(), plan: plan.value.trim() }));
  });
  return form;
}

/** The table of customers. */
function atRiskTable(items) {
  const rows = items.map((it) => [
    customerLink(String(it.customer_id)),
    pct(it.score),
    riskBadge(it.risk_level),
    it.plan ? String(it.plan) : missing(),
    it.mrr === null || it.mrr === undefined ? missing() : money(it.mrr),
    it.revenue_at_risk === null || it.revenue_at_risk === undefined ? missing() : money(it.revenue_at_risk),
    it.top_driver ? String(it.top_driver) : missing(),
  ]);
  return table({
    id: 'at-risk-table',
    caption: `Customers by predicted churn risk (${items.length} shown)`,
    columns: [{ label: 'Customer' }, { label: 'Score', num: true }, { label: 'Risk' }, { label: 'Plan' },
      { label: 'MRR', num: true }, { label: 'Revenue at risk', num: true }, { label: 'Top driver' }],
    rows,
  });
}
