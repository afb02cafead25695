// One customer: score and drivers, 90 days of history (score, usage,
// tickets, risk pages), profile and the alerts sent. The four requests run in
// parallel; each section shows its own error, and only a failed profile
// (e.g. an unknown customer) fails the whole page.

import { getJSON, isQuiet } from '../api.js';
import { barChart, describe, figure, lineChart } from '../charts.js';
import { dl, h, missing, problemView, riskBadge, section, table } from '../dom.js';
import { date, dateTime, int, isNum, money, num, pct, points, sentimentWord, signed, yesNo } from '../format.js';
import { signalsSection } from '../signals.js';

const DAYS = 90;
const RISK_PAGES = ['cancel', 'downgrade', 'pricing', 'billing', 'refund', 'export', 'competitor'];

/** The page title. */
export const title = (ctx) => `Customer ${ctx.id}`;

/** Loads the customer's four answers and builds the sections. */
export async function render(ctx) {
  const base = '/v1/customers/' + encodeURIComponent(ctx.id);
  const opts = { signal: ctx.signal };
  const results = await Promise.allSettled([
    getJSON(base, opts),
    getJSON(base + '/risk', opts),
    getJSON(`${base}/history?days=${DAYS}`, opts),
    getJSON(base + '/alerts?limit=50', opts),
  ]);
  const quiet = results.find((r) => r.status === 'rejected' && isQuiet(r.reason));
  if (quiet) throw quiet.reason;
  const [profile, risk, history, alerts] = results;
  if (profile.status === 'rejected') throw profile.reason;
  const back = h('a', { id: 'back-to-list', class: 'back-link', href: ctx.session.lastAtRisk || '#/at-risk' }, '← Back to the at-risk customers');
  return [
    h('p', {}, back),
    h('h1', {}, 'Customer ', h('span', { class: 'customer-id', text: ctx.id })),
    h('div', { class: 'grid-2' }, scoreSection(risk), profileSection(profile.value)),
    signalsSection(risk),
    driversSection(risk),
    historySections(history),
    alertsSection(alerts),
  ];
}

/** Either the built section body or the error of its request. */
function orError(result, build) {
  return result.status === 'fulfilled' ? build(result.value) : problemView(result.reason, 'h3');
}

/** #customer-score: the score, level, flag, model version and time. */
function scoreSection(risk) {
  return section('customer-score', 'Risk score', orError(risk, (r) => [
    h('p', { class: 'big-score' }, h('span', { class: 'big-number', text: pct(r.score) }), ' ', riskBadge(r.risk_level)),
    h('p', { class: 'help', text: 'Predicted probability of churning within the model\'s horizon.' }),
    dl([
      ['Flagged', yesNo(r.flagged)],
      ['Model version', r.model_version ? String(r.model_version) : null],
      ['As of', dateTime(r.as_of)],
    ], { class: 'facts' }),
  ]));
}

/** #profile: plan, MRR, dates and every attribute. */
function profileSection(p) {
  const attrs = p.attributes && typeof p.attributes === 'object' ? p.attributes : {};
  const pairs = [
    ['Plan', p.plan ? String(p.plan) : null],
    ['MRR', isNum(p.mrr) ? money(p.mrr) : null],
    ['Signed up', p.signup_at ? date(p.signup_at) : null],
    ['Churned at', p.churned_at ? date(p.churned_at) : 'not churned'],
    ...Object.keys(attrs).sort().map((k) => [k, text(attrs[k])]),
  ];
  return section('profile', 'Profile', dl(pairs, { class: 'facts' }));
}

/** An attribute value as text. */
function text(v) {
  if (v === null || v === undefined) return null;
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/**
 * #drivers-table: each driver's reason, feature, value and impact in
 * probability points, after #base-score: the average customer's score the
 * points start from.
 */
function driversSection(risk) {
  return section('drivers', 'Why this score', orError(risk, (r) => {
    const drivers = Array.isArray(r.drivers) ? r.drivers : [];
    const base = isNum(r.base_score)
      ? h('p', { id: 'base-score', class: 'help' }, h('strong', { text: `Average customer: ${pct(r.base_score)}.` }),
        ` Each reason adds or removes points on the way to this customer's ${pct(r.score)}.`)
      : null;
    if (!drivers.length) return [base, h('p', { class: 'empty', text: 'The model gave no drivers for this score.' })];
    return [base, table({
      id: 'drivers-table',
      caption: 'What drives the score: points of churn probability each reason adds to or removes from the average customer\'s.',
      columns: [{ label: 'Reason' }, { label: 'Feature' }, { label: 'Value', num: true }, { label: 'Impact', num: true }],
      rows: drivers.map((d) => [
        d.reason ? String(d.reason) : missing(),
        h('code', { text: String(d.feature ?? '') }),
        num(d.value),
        impact(d),
      ]),
    })];
  }));
}

/** A driver's impact in points with its direction in words (the log-odds contribution as a tooltip). */
function impact(d) {
  const x = isNum(d.impact) ? d.impact : null;
  if (x === null) return missing();
  const up = x > 0;
  return h('span', { class: `impact ${up ? 'contrib-up' : 'contrib-down'}`, title: isNum(d.contribution) ? `log-odds ${signed(d.contribution, 2)}` : null },
    h('span', { class: 'impact-pts', text: points(x) }), ' ',
    h('span', { class: 'contrib-word', text: up ? '(raises risk)' : x < 0 ? '(lowers risk)' : '(no effect)' }));
}

/** The sections built from the history answer. */
function historySections(history) {
  if (history.status === 'rejected') {
    return section('history', `The last ${DAYS} days`, problemView(history.reason, 'h3'));
  }
  const hist = history.value;
  const days = (Array.isArray(hist.days) ? hist.days : []).slice().sort((a, b) => String(a.date).localeCompare(String(b.date)));
  return [
    h('div', { class: 'grid-2' }, scoreChart(days), usageChart(days, hist.usage_drop)),
    ticketsSection(days),
    pagesSection(days),
  ];
}

/** #score-chart: the daily score as a line. */
function scoreChart(days) {
  const labels = days.map((d) => date(d.date));
  const values = days.map((d) => (isNum(d.score) ? d.score : null));
  const body = values.some((v) => v !== null)
    ? figure('score-figure', `Risk score by day, ${labels[0]} to ${labels[labels.length - 1]}`,
      lineChart({
        id: 'score-chart', title: 'Risk score by day', labels, series: [{ name: 'score', values }], yFormat: (v) => pct(v, 0),
        summary: `Risk score by day: ${describe(labels, values, (v) => pct(v))}.`, width: 560, height: 260,
      }),
      { columns: [{ label: 'Date' }, { label: 'Score', num: true }], rows: days.filter((d) => isNum(d.score)).map((d) => [date(d.date), pct(d.score)]) })
    : h('p', { id: 'score-chart-empty', class: 'empty', text: `No daily scores were recorded in the last ${DAYS} days.` });
  return section('score-history', `Risk score, last ${DAYS} days`, body);
}

/** #usage-chart: daily usage as bars, with the detected usage drop marked. */
function usageChart(days, drop) {
  if (!days.length) return section('usage', 'Daily usage', h('p', { class: 'empty', text: 'No history.' }));
  const labels = days.map((d) => date(d.date));
  const values = days.map((d) => (isNum(d.usage) ? d.usage : 0));
  const dropText = drop && drop.date
    ? `usage drop: from ${num(drop.baseline, 1)}/day to ${num(drop.recent, 1)}/day` : '';
  const svg = barChart({
    id: 'usage-chart', title: 'Usage per day', labels, series: [{ name: 'usage', values }], yFormat: (v) => num(v, 1),
    summary: `Usage per day: ${describe(labels, values, (v) => num(v, 1))}.${dropText ? ` A ${dropText} starting ${date(drop.date)}.` : ''}`,
    marker: dropText ? { at: date(drop.date), text: dropText, cls: 'usage-drop' } : null, width: 560, height: 260,
  });
  const note = dropText
    ? h('p', { id: 'usage-drop-note', class: 'note' }, `Usage dropped on ${date(drop.date)}: from ${num(drop.baseline, 1)} a day before to ${num(drop.recent, 1)} a day since.`)
    : h('p', { class: 'note', text: 'No usage drop was detected.' });
  return section('usage', 'Daily usage', figure('usage-figure', `Usage per day, ${labels[0]} to ${labels[labels.length - 1]}`, svg,
    { columns: [{ label: 'Date' }, { label: 'Usage', num: true }, { label: 'Usage events', num: true }], rows: days.map((d) => [date(d.date), num(d.usage, 1), int(d.usage_events)]) },
    note));
}

/** A sentiment as "−0.40 angry". */
function sentiment(s) {
  return isNum(s) ? `${signed(s, 2)} ${sentimentWord(s)}` : missing('no score');
}

/** #tickets-chart and #tickets-table: the days with support tickets. */
function ticketsSection(days) {
  const withTickets = days.filter((d) => isNum(d.tickets) && d.tickets > 0);
  if (!withTickets.length) {
    return section('tickets', 'Support tickets', h('p', { id: 'tickets-empty', class: 'empty', text: `No support tickets in the last ${DAYS} days.` }));
  }
  const labels = withTickets.map((d) => date(d.date));
  const means = withTickets.map((d) => (isNum(d.sentiment_mean) ? d.sentiment_mean : null));
  const mins = withTickets.map((d) => (isNum(d.sentiment_min) ? d.sentiment_min : null));
  const chart = barChart({
    id: 'tickets-chart', title: 'Ticket sentiment by day', labels, yMin: -1, yMax: 1, yFormat: (v) => num(v, 2),
    series: [{ name: 'mean', values: means }, { name: 'lowest', values: mins }], width: 1120, height: 220,
    summary: `Ticket sentiment on ${labels.length} days with tickets, from −1 (angry) to +1 (happy): mean ${describe(labels, means, (v) => num(v, 2))}.`,
  });
  const tbl = table({
    id: 'tickets-table',
    caption: 'Days with support tickets (sentiment from −1 angry to +1 happy)',
    columns: [{ label: 'Date' }, { label: 'Tickets', num: true }, { label: 'Negative', num: true }, { label: 'Churn intent', num: true },
      { label: 'Mean sentiment', num: true }, { label: 'Lowest sentiment', num: true }],
    rows: withTickets.map((d) => [date(d.date), int(d.tickets), int(d.negative_tickets), int(d.intent_tickets), sentiment(d.sentiment_mean), sentiment(d.sentiment_min)]),
    rowHeaders: true,
  });
  return section('tickets', 'Support tickets',
    h('figure', { class: 'chart-figure' }, h('figcaption', { text: 'Sentiment of the tickets of each day (mean and lowest), from −1 angry to +1 happy' }), chart),
    tbl);
}

/** #pages-table: the days with visits to risk pages and their categories. */
function pagesSection(days) {
  const visits = days.map((d) => ({ date: d.date, pages: pageCounts(d.risk_pages) })).filter((d) => d.pages.length);
  const body = visits.length
    ? table({
      id: 'pages-table',
      caption: 'Days with visits to pages that signal churn risk',
      columns: [{ label: 'Date' }, { label: 'Pages visited (visits)' }],
      rows: visits.map((d) => [date(d.date), d.pages.map(([k, n]) => `${k}: ${int(n)}`).join(', ')]),
      rowHeaders: true,
    })
    : h('p', { id: 'pages-empty', class: 'empty', text: `No visits to risk pages (cancel, downgrade, pricing, billing, refund, export, competitor) in the last ${DAYS} days.` });
  return section('risk-pages', 'Risk page visits', body);
}

/** The non-zero [category, count] pairs of a day's risk_pages, known ones first. */
function pageCounts(rp) {
  if (!rp || typeof rp !== 'object') return [];
  const keys = [...RISK_PAGES, ...Object.keys(rp).filter((k) => !RISK_PAGES.includes(k)).sort()];
  return keys.filter((k) => isNum(rp[k]) && rp[k] > 0).map((k) => [k, rp[k]]);
}

/** #alerts-table: the alerts sent about this customer. */
function alertsSection(alerts) {
  return section('alerts', 'Alerts sent', orError(alerts, (a) => {
    const items = Array.isArray(a.items) ? a.items : [];
    if (!items.length) return h('p', { id: 'alerts-empty', class: 'empty', text: 'No alerts sent' });
    return table({
      id: 'alerts-table',
      caption: 'Webhook alerts about this customer',
      columns: [{ label: 'Created' }, { label: 'Type' }, { label: 'Status' }, { label: 'Attempts', num: true }, { label: 'Last status', num: true }, { label: 'Score', num: true }],
      rows: items.map((it) => [
        dateTime(it.created_at), text(it.type), text(it.status), int(it.attempts),
        it.last_status === undefined || it.last_status === null || it.last_status === '' ? missing() : String(it.last_status),
        isNum(payloadScore(it.payload)) ? pct(payloadScore(it.payload)) : missing(),
      ]),
    });
  }));
}

/** The score of an alert's payload: payload.data.score (the webhook body) or payload.score. */
function payloadScore(p) {
  if (!p || typeof p !== 'object') return null;
  if (p.data && typeof p.data === 'object' && isNum(p.data.score)) return p.data.score;
  return isNum(p.score) ? p.score : null;
}
