// Churn figures: GET /v1/metrics/churn — headline cards, charts of the
// monthly rates and of predicted against actual churn, the cohort retention
// heatmap and every month's figures.

import { getJSON } from '../api.js';
import { barChart, describe, figure, lineChart } from '../charts.js';
import { h, scroller, section, table } from '../dom.js';
import { int, isNum, money, month, num, pct } from '../format.js';
import { t } from '../i18n.js';

/** The page title. */
export const title = () => t('metrics.title');

const ratio = (x) => num(x, 2);
const one = (x) => num(x, 1);
const dollars = (x) => money(x, false);

/** Every figure of a month: [field, format]; its label is t('figure.' + field). */
const FIGURES = [
  ['customers_start', int],
  ['new', int],
  ['reactivated', int],
  ['churned', int],
  ['churned_joiners', int],
  ['churned_from_start', int],
  ['customers_end', int],
  ['customer_churn_rate', pct],
  ['mrr_start', dollars],
  ['new_mrr', dollars],
  ['reactivation_mrr', dollars],
  ['churned_mrr', dollars],
  ['expansion_mrr', dollars],
  ['contraction_mrr', dollars],
  ['mrr_end', dollars],
  ['gross_mrr_churn_rate', pct],
  ['net_mrr_churn_rate', pct],
  ['nrr', pct],
  ['arpa', dollars],
  ['clv', dollars],
  ['predicted_churn', one],
  ['predicted_to_actual', ratio],
  ['missing_mrr', int],
];

/** The months of the answer as chart labels ("YYYY-MM", sorted as months), shown by month(). */
const monthLabels = (months) => months.map((x) => String(x.month));

/** Loads the figures and builds the page. */
export async function render(ctx) {
  const m = await getJSON('/v1/metrics/churn', { signal: ctx.signal });
  const months = Array.isArray(m.months) ? m.months : [];
  const o = m.overall || {};
  const range = o.from && o.to ? t('metrics.range', { from: month(o.from), to: month(o.to) }) : '';
  const notes = Array.isArray(m.notes) ? m.notes : [];
  return [
    h('h1', { text: t('metrics.title') }),
    h('p', { class: 'lead', text: range ? t('metrics.leadRange', { range }) : t('metrics.lead') }),
    cards(m, o, range),
    h('div', { class: 'grid-2' }, churnRateChart(months), mrrChurnChart(months)),
    predictedChart(months),
    cohortSection(Array.isArray(m.cohorts) ? m.cohorts : []),
    monthsSection(months, o),
    notes.length ? section('notes', t('metrics.notes'), h('ul', { id: 'metrics-notes' }, notes.map((n) => h('li', { text: String(n) })))) : null,
  ];
}

/** The headline cards. */
function cards(m, o, range) {
  const card = (id, label, value, sub) => h('div', { class: 'card', id },
    h('dt', { text: label }), h('dd', { class: 'card-value', text: value }), sub ? h('dd', { class: 'card-sub', text: sub }) : null);
  const monthly = range ? t('metrics.monthlyRange', { range }) : t('metrics.monthly');
  return h('dl', { id: 'headline', class: 'cards', 'aria-label': t('metrics.headline') },
    card('card-churn-rate', t('metrics.card.churnRate'), pct(o.customer_churn_rate), monthly),
    card('card-gross-mrr-churn', t('metrics.card.grossMrrChurn'), pct(o.gross_mrr_churn_rate), monthly),
    card('card-net-mrr-churn', t('metrics.card.netMrrChurn'), pct(o.net_mrr_churn_rate), monthly),
    card('card-nrr', t('metrics.card.nrr'), pct(o.nrr), range),
    card('card-clv', t('metrics.card.clv'), isNum(o.clv) ? dollars(o.clv) : t('metrics.clvNotDefined'),
      isNum(o.clv) ? (m.gross_margin && m.gross_margin !== 1 ? t('metrics.clvMargin', { pct: pct(m.gross_margin, 0) }) : t('metrics.clvFormula')) : t('metrics.clvNoChurn')),
    card('card-revenue-at-risk', t('metrics.card.revenueAtRisk'), money(m.revenue_at_risk), t('metrics.revenueAtRiskSub')));
}

/** Month labels and a field's values (null where missing). */
function series(months, field) {
  return months.map((x) => (isNum(x[field]) ? x[field] : null));
}

/** #churn-rate-chart: the customer churn rate by month. */
function churnRateChart(months) {
  const labels = monthLabels(months);
  const shown = labels.map(month);
  const values = series(months, 'customer_churn_rate');
  const svg = lineChart({
    id: 'churn-rate-chart', title: t('metrics.churnRate.chart'), labels, xFormat: month, series: [{ name: t('metrics.churnRate.series'), values }],
    yFormat: (v) => pct(v, 1), summary: t('metrics.churnRate.summary', { d: describe(shown, values, pct) }), width: 560,
  });
  return section('churn-rate', t('metrics.churnRate.title'), figure('churn-rate-figure', t('metrics.churnRate.caption'), svg,
    { columns: [{ label: t('common.month') }, { label: t('figure.customer_churn_rate'), num: true }], rows: months.map((x, i) => [shown[i], pct(values[i])]) }));
}

/** #mrr-churn-chart: gross and net MRR churn rates by month. */
function mrrChurnChart(months) {
  const labels = monthLabels(months);
  const shown = labels.map(month);
  const gross = series(months, 'gross_mrr_churn_rate');
  const net = series(months, 'net_mrr_churn_rate');
  const svg = lineChart({
    id: 'mrr-churn-chart', title: t('metrics.mrrChurn.chart'), labels, xFormat: month,
    series: [{ name: t('metrics.mrrChurn.gross'), values: gross }, { name: t('metrics.mrrChurn.net'), values: net }], yFormat: (v) => pct(v, 1), width: 560,
    summary: t('metrics.mrrChurn.summary', { gross: describe(shown, gross, pct), net: describe(shown, net, pct) }),
  });
  return section('mrr-churn', t('metrics.mrrChurn.title'), figure('mrr-churn-figure', t('metrics.mrrChurn.caption'), svg,
    { columns: [{ label: t('common.month') }, { label: t('metrics.mrrChurn.grossCol'), num: true }, { label: t('metrics.mrrChurn.netCol'), num: true }], rows: months.map((x, i) => [shown[i], pct(gross[i]), pct(net[i])]) }));
}

/** #predicted-chart: predicted against actual churned customers by month. */
function predictedChart(months) {
  const labels = monthLabels(months);
  const shown = labels.map(month);
  const predicted = series(months, 'predicted_churn');
  const actual = series(months, 'churned_from_start');
  const none = shown.filter((_, i) => predicted[i] === null);
  const svg = barChart({
    id: 'predicted-chart', title: t('metrics.predicted.chart'), labels, xFormat: month,
    series: [{ name: t('metrics.predicted.seriesPredicted'), values: predicted }, { name: t('metrics.predicted.seriesActual'), values: actual }],
    yFormat: (v) => num(v, 1), width: 1120, height: 260,
    summary: t('metrics.predicted.summary', { p: describe(shown, predicted, one), a: describe(shown, actual, int) }),
  });
  const note = none.length
    ? h('p', { id: 'predicted-note', class: 'note', text: none.length === labels.length
      ? t('metrics.predicted.none')
      : t('metrics.predicted.some', { months: none.join(t('common.list')) }) })
    : null;
  return section('predicted', t('metrics.predicted.title'), figure('predicted-figure', t('metrics.predicted.caption'), svg,
    { columns: [{ label: t('common.month') }, { label: t('metrics.predicted.predicted'), num: true }, { label: t('metrics.predicted.actual'), num: true },
      { label: t('metrics.predicted.ratio'), num: true }],
    rows: months.map((x, i) => [shown[i], one(predicted[i]), int(actual[i]), ratio(x.predicted_to_actual)]) }, note));
}

/** The heatmap class of a retention fraction: ret-0 … ret-9. */
export function retentionClass(r) {
  if (!isNum(r)) return 'ret-none';
  return 'ret-' + Math.max(0, Math.min(9, Math.floor(r * 10)));
}

/** #cohort-heatmap: retention of each signup cohort by months since. */
function cohortSection(cohorts) {
  if (!cohorts.length) return section('cohorts', t('metrics.cohorts.title'), h('p', { class: 'empty', text: t('metrics.cohorts.empty') }));
  const width = Math.max(0, ...cohorts.map((c) => (Array.isArray(c.retention) ? c.retention.length : 0)));
  const columns = [{ label: t('metrics.cohorts.cohort') }, { label: t('metrics.cohorts.size'), num: true }];
  for (let k = 1; k <= width; k++) columns.push({ label: t('metrics.cohorts.month', { k }), num: true });
  const rows = cohorts.map((c) => {
    const ret = Array.isArray(c.retention) ? c.retention : [];
    const kept = Array.isArray(c.retained) ? c.retained : [];
    const cells = [];
    for (let k = 0; k < width; k++) {
      cells.push(k < ret.length
        ? { content: h('span', { title: t('metrics.cohorts.kept', { kept: int(kept[k]), size: int(c.size) }), text: pct(ret[k], 0) }), cls: 'heat ' + retentionClass(ret[k]) }
        : { content: '', cls: 'heat ret-none' });
    }
    return [month(c.cohort), int(c.size), ...cells];
  });
  const tbl = table({
    id: 'cohort-heatmap', cls: 'heatmap', rowHeaders: true, columns, rows,
    caption: t('metrics.cohorts.caption'),
  });
  return section('cohorts', t('metrics.cohorts.title'), scroller(t('metrics.cohorts.region'), tbl));
}

/** #metrics-table: every month's figures, one row per figure. */
function monthsSection(months, o) {
  const columns = [{ label: t('metrics.months.figure') }, ...months.map((x) => ({ label: month(x.month), num: true })), { label: t('metrics.months.overall'), num: true }];
  const rows = FIGURES.map(([field, fmt]) => [t('figure.' + field), ...months.map((x) => fmt(x[field])), fmt(o[field])]);
  return section('months', t('metrics.months.title'), scroller(t('metrics.months.region'), table({
    id: 'metrics-table', cls: 'figures', rowHeaders: true, columns, rows,
    caption: t('metrics.months.caption'),
  })));
}
