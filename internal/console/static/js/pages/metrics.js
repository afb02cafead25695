// Churn figures: GET /v1/metrics/churn — headline cards, charts of the
// monthly rates and of predicted against actual churn, the cohort retention
// heatmap and every month's figures.

import { getJSON } from '../api.js';
import { barChart, describe, figure, lineChart } from '../charts.js';
import { h, scroller, section, table } from '../dom.js';
import { int, isNum, money, num, pct } from '../format.js';

/** The page title. */
export const title = () => 'Churn figures';

const ratio = (x) => num(x, 2);
const one = (x) => num(x, 1);
const dollars = (x) => money(x, false);

/** Every figure of a month: [field, label, format]. */
const FIGURES = [
  ['customers_start', 'Customers at start', int],
  ['new', 'New customers', int],
  ['reactivated', 'Reactivated customers', int],
  ['churned', 'Churned customers', int],
  ['churned_joiners', 'Churned, joined in the month', int],
  ['churned_from_start', 'Churned, customers at start', int],
  ['customers_end', 'Customers at end', int],
  ['customer_churn_rate', 'Customer churn rate', pct],
  ['mrr_start', 'MRR at start', dollars],
  ['new_mrr', 'New MRR', dollars],
  ['reactivation_mrr', 'Reactivation MRR', dollars],
  ['churned_mrr', 'Churned MRR', dollars],
  ['expansion_mrr', 'Expansion MRR', dollars],
  ['contraction_mrr', 'Contraction MRR', dollars],
  ['mrr_end', 'MRR at end', dollars],
  ['gross_mrr_churn_rate', 'Gross MRR churn rate', pct],
  ['net_mrr_churn_rate', 'Net MRR churn rate', pct],
  ['nrr', 'Net revenue retention', pct],
  ['arpa', 'Average revenue per account', dollars],
  ['clv', 'Customer lifetime value', dollars],
  ['predicted_churn', 'Predicted churned customers', one],
  ['predicted_to_actual', 'Predicted ÷ actual', ratio],
  ['missing_mrr', 'Customers without MRR', int],
];

/** Loads the figures and builds the page. */
export async function render(ctx) {
  const m = await getJSON('/v1/metrics/churn', { signal: ctx.signal });
  const months = Array.isArray(m.months) ? m.months : [];
  const o = m.overall || {};
  const range = o.from && o.to ? `${o.from} to ${o.to}` : '';
  const notes = Array.isArray(m.notes) ? m.notes : [];
  return [
    h('h1', { text: 'Churn figures' }),
    h('p', { class: 'lead', text: `Actual churn by month${range ? ', ' + range : ''}, beside what the model predicted.` }),
    cards(m, o, range),
    h('div', { class: 'grid-2' }, churnRateChart(months), mrrChurnChart(months)),
    predictedChart(months),
    cohortSection(Array.isArray(m.cohorts) ? m.cohorts : []),
    monthsSection(months, o),
    notes.length ? section('notes', 'Notes', h('ul', { id: 'metrics-notes' }, notes.map((n) => h('li', { text: String(n) })))) : null,
  ];
}

/** The headline cards. */
function cards(m, o, range) {
  const card = (id, label, value, sub) => h('div', { class: 'card', id },
    h('dt', { text: label }), h('dd', { class: 'card-value', text: value }), sub ? h('dd', { class: 'card-sub', text: sub }) : null);
  const monthly = range ? `a month, ${range}` : 'a month';
  return h('dl', { id: 'headline', class: 'cards', 'aria-label': 'Headline figures' },
    card('card-churn-rate', 'Customer churn rate', pct(o.customer_churn_rate), monthly),
    card('card-gross-mrr-churn', 'Gross MRR churn', pct(o.gross_mrr_churn_rate), monthly),
    card('card-net-mrr-churn', 'Net MRR churn', pct(o.net_mrr_churn_rate), monthly),
    card('card-nrr', 'Net revenue retention', pct(o.nrr), range),
    card('card-clv', 'Customer lifetime value', isNum(o.clv) ? dollars(o.clv) : 'not defined',
      isNum(o.clv) ? (m.gross_margin && m.gross_margin !== 1 ? `at a gross margin of ${pct(m.gross_margin, 0)}` : 'ARPA ÷ churn rate') : 'no churn in the range'),
    card('card-revenue-at-risk', 'Revenue at risk', money(m.revenue_at_risk), 'MRR weighted by the current risk scores'));
}

/** Month labels and a field's values (null where missing). */
function series(months, field) {
  return months.map((x) => (isNum(x[field]) ? x[field] : null));
}

/** #churn-rate-chart: the customer churn rate by month. */
function churnRateChart(months) {
  const labels = months.map((x) => String(x.month));
  const values = series(months, 'customer_churn_rate');
  const svg = lineChart({
    id: 'churn-rate-chart', title: 'Customer churn rate by month', labels, series: [{ name: 'customer churn', values }],
    yFormat: (v) => pct(v, 1), summary: `Customer churn rate by month: ${describe(labels, values, pct)}.`, width: 560,
  });
  return section('churn-rate', 'Customer churn rate', figure('churn-rate-figure', 'Share of the customers at the start of each month who left in it', svg,
    { columns: [{ label: 'Month' }, { label: 'Customer churn rate', num: true }], rows: months.map((x, i) => [labels[i], pct(values[i])]) }));
}

/** #mrr-churn-chart: gross and net MRR churn rates by month. */
function mrrChurnChart(months) {
  const labels = months.map((x) => String(x.month));
  const gross = series(months, 'gross_mrr_churn_rate');
  const net = series(months, 'net_mrr_churn_rate');
  const svg = lineChart({
    id: 'mrr-churn-chart', title: 'Gross and net MRR churn rate by month', labels,
    series: [{ name: 'gross', values: gross }, { name: 'net', values: net }], yFormat: (v) => pct(v, 1), width: 560,
    summary: `Gross MRR churn rate: ${describe(labels, gross, pct)}. Net MRR churn rate (after expansion; negative means growth): ${describe(labels, net, pct)}.`,
  });
  return section('mrr-churn', 'MRR churn rate', figure('mrr-churn-figure', 'Gross (solid) and net (dashed) MRR churn rate; net below zero means expansion outweighed churn', svg,
    { columns: [{ label: 'Month' }, { label: 'Gross MRR churn', num: true }, { label: 'Net MRR churn', num: true }], rows: months.map((x, i) => [labels[i], pct(gross[i]), pct(net[i])]) }));
}

/** #predicted-chart: predicted against actual churned customers by month. */
function predictedChart(months) {
  const labels = months.map((x) => String(x.month));
  const predicted = series(months, 'predicted_churn');
  const actual = series(months, 'churned_from_start');
  const none = labels.filter((_, i) => predicted[i] === null);
  const svg = barChart({
    id: 'predicted-chart', title: 'Predicted and actual churned customers by month', labels,
    series: [{ name: 'predicted', values: predicted }, { name: 'actual', values: actual }], yFormat: (v) => num(v, 1), width: 1120, height: 260,
    summary: `Predicted churned customers: ${describe(labels, predicted, one)}. Actual churned customers: ${describe(labels, actual, int)}.`,
  });
  const note = none.length
    ? h('p', { id: 'predicted-note', class: 'note', text: none.length === labels.length
      ? 'No predictions are recorded for these months, so only the actual figures are drawn.'
      : `No prediction for ${none.join(', ')} (absent, not zero): a month is back-tested only when a full lookback of events lies before its start.` })
    : null;
  return section('predicted', 'Predicted against actual churn', figure('predicted-figure',
    'Churned customers (of those active at the start of the month) against the sum of their predicted churn probabilities', svg,
    { columns: [{ label: 'Month' }, { label: 'Predicted', num: true }, { label: 'Actual', num: true }, { label: 'Predicted ÷ actual', num: true }],
      rows: months.map((x, i) => [labels[i], one(predicted[i]), int(actual[i]), ratio(x.predicted_to_actual)]) }, note));
}

/** The heatmap class of a retention fraction: ret-0 … ret-9. */
export function retentionClass(r) {
  if (!isNum(r)) return 'ret-none';
  return 'ret-' + Math.max(0, Math.min(9, Math.floor(r * 10)));
}

/** #cohort-heatmap: retention of each signup cohort by months since. */
function cohortSection(cohorts) {
  if (!cohorts.length) return section('cohorts', 'Cohort retention', h('p', { class: 'empty', text: 'No cohorts in this range.' }));
  const width = Math.max(0, ...cohorts.map((c) => (Array.isArray(c.retention) ? c.retention.length : 0)));
  const columns = [{ label: 'Cohort' }, { label: 'Size', num: true }];
  for (let k = 1; k <= width; k++) columns.push({ label: `Month ${k}`, num: true });
  const rows = cohorts.map((c) => {
    const ret = Array.isArray(c.retention) ? c.retention : [];
    const kept = Array.isArray(c.retained) ? c.retained : [];
    const cells = [];
    for (let k = 0; k < width; k++) {
      cells.push(k < ret.length
        ? { content: h('span', { title: `${int(kept[k])} of ${int(c.size)}`, text: pct(ret[k], 0) }), cls: 'heat ' + retentionClass(ret[k]) }
        : { content: '', cls: 'heat ret-none' });
    }
    return [String(c.cohort), int(c.size), ...cells];
  });
  const tbl = table({
    id: 'cohort-heatmap', cls: 'heatmap', rowHeaders: true, columns, rows,
    caption: 'Share of each signup cohort still a customer, by months since signup (darker is higher)',
  });
  return section('cohorts', 'Cohort retention', scroller('Cohort retention table', tbl));
}

/** #metrics-table: every month's figures, one row per figure. */
function monthsSection(months, o) {
  const columns = [{ label: 'Figure' }, ...months.map((x) => ({ label: String(x.month), num: true })), { label: 'Overall', num: true }];
  const rows = FIGURES.map(([field, label, fmt]) => [label, ...months.map((x) => fmt(x[field])), fmt(o[field])]);
  return section('months', 'Every month', scroller('Monthly figures', table({
    id: 'metrics-table', cls: 'figures', rowHeaders: true, columns, rows,
    caption: 'Figures by month (rates as percentages of the start of the month) and over the whole range',
  })));
}
