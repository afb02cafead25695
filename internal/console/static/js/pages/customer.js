// One customer: score and drivers, its cases (with the agent's actions, or
// the hold-out mark of a control customer), 90 days of history (score,
// usage, tickets, risk pages), profile and the alerts sent. The five
// requests run in parallel; each section shows its own error, and only a
// failed profile (e.g. an unknown customer) fails the whole page.

import { getJSON, isQuiet } from '../api.js';
import { barChart, describe, figure, lineChart } from '../charts.js';
import { dl, h, missing, problemView, riskBadge, section, table } from '../dom.js';
import { date, dateTime, int, isNum, money, num, pct, points, sentimentWord, signed, yesNo } from '../format.js';
import { t } from '../i18n.js';
import { signalsSection } from '../signals.js';
import { agentForm, canWrite, caseActions, isActive, outcomeWords, replaceKeepingFocus, statusBadge } from '../cases.js';

const DAYS = 90;
const RISK_PAGES = ['cancel', 'downgrade', 'pricing', 'billing', 'refund', 'export', 'competitor'];

/** The page title. */
export const title = (ctx) => t('customer.title', { id: ctx.id });

/** Loads the customer's five answers and builds the sections. */
export async function render(ctx) {
  const base = '/v1/customers/' + encodeURIComponent(ctx.id);
  const opts = { signal: ctx.signal };
  const results = await Promise.allSettled([
    getJSON(base, opts),
    getJSON(base + '/risk', opts),
    getJSON(`${base}/history?days=${DAYS}`, opts),
    getJSON(base + '/alerts?limit=50', opts),
    getJSON(base + '/cases', opts),
  ]);
  const quiet = results.find((r) => r.status === 'rejected' && isQuiet(r.reason));
  if (quiet) throw quiet.reason;
  const [profile, risk, history, alerts, cases] = results;
  if (profile.status === 'rejected') throw profile.reason;
  const back = h('a', { id: 'back-to-list', class: 'back-link', href: ctx.session.lastAtRisk || '#/at-risk' }, t('customer.back'));
  return [
    h('p', {}, back),
    h('h1', {}, t('customer.heading'), h('span', { class: 'customer-id', text: ctx.id })),
    holdoutMark(cases),
    h('div', { class: 'grid-2' }, scoreSection(risk), profileSection(profile.value)),
    casesSection(cases, ctx),
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
  return section('customer-score', t('customer.score'), orError(risk, (r) => [
    h('p', { class: 'big-score' }, h('span', { class: 'big-number', text: pct(r.score) }), ' ', riskBadge(r.risk_level)),
    h('p', { class: 'help', text: t('customer.scoreHelp') }),
    dl([
      [t('customer.flagged'), yesNo(r.flagged)],
      [t('customer.modelVersion'), r.model_version ? String(r.model_version) : null],
      [t('customer.asOf'), dateTime(r.as_of)],
    ], { class: 'facts' }),
  ]));
}

/** #profile: plan, MRR, dates and every attribute. */
function profileSection(p) {
  const attrs = p.attributes && typeof p.attributes === 'object' ? p.attributes : {};
  const pairs = [
    [t('customer.plan'), p.plan ? String(p.plan) : null],
    [t('customer.mrr'), isNum(p.mrr) ? money(p.mrr) : null],
    [t('customer.signedUp'), p.signup_at ? date(p.signup_at) : null],
    [t('customer.churnedAt'), p.churned_at ? date(p.churned_at) : t('customer.notChurned')],
    ...Object.keys(attrs).sort().map((k) => [k, text(attrs[k])]),
  ];
  return section('profile', t('customer.profile'), dl(pairs, { class: 'facts' }));
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
  return section('drivers', t('drivers.title'), orError(risk, (r) => {
    const drivers = Array.isArray(r.drivers) ? r.drivers : [];
    const base = isNum(r.base_score)
      ? h('p', { id: 'base-score', class: 'help' }, h('strong', { text: t('drivers.average', { pct: pct(r.base_score) }) }),
        t('drivers.averageAfter', { pct: pct(r.score) }))
      : null;
    if (!drivers.length) return [base, h('p', { class: 'empty', text: t('drivers.none') })];
    return [base, table({
      id: 'drivers-table',
      caption: t('drivers.caption'),
      columns: [{ label: t('drivers.reason') }, { label: t('drivers.feature') }, { label: t('drivers.value'), num: true }, { label: t('drivers.impact'), num: true }],
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
  return h('span', { class: `impact ${up ? 'contrib-up' : 'contrib-down'}`, title: isNum(d.contribution) ? t('drivers.logOdds', { n: signed(d.contribution, 2) }) : null },
    h('span', { class: 'impact-pts', text: points(x) }), ' ',
    h('span', { class: 'contrib-word', text: up ? t('drivers.raises') : x < 0 ? t('drivers.lowers') : t('drivers.noEffect') }));
}

/** The sections built from the history answer. */
function historySections(history) {
  if (history.status === 'rejected') {
    return section('history', t('history.title', { n: DAYS }), problemView(history.reason, 'h3'));
  }
  const hist = history.value;
  const days = (Array.isArray(hist.days) ? hist.days : []).slice().sort((a, b) => String(a.date).localeCompare(String(b.date)));
  return [
    h('div', { class: 'grid-2' }, scoreChart(days), usageChart(days, hist.usage_drop)),
    ticketsSection(days),
    pagesSection(days),
  ];
}

/** The days of the history as chart labels: "YYYY-MM-DD" (sorted as days), shown by date(). */
const dayLabels = (days) => days.map((d) => String(d.date));

/** #score-chart: the daily score as a line. */
function scoreChart(days) {
  const labels = dayLabels(days);
  const shown = labels.map(date);
  const values = days.map((d) => (isNum(d.score) ? d.score : null));
  const body = values.some((v) => v !== null)
    ? figure('score-figure', t('scoreChart.caption', { from: shown[0], to: shown[shown.length - 1] }),
      lineChart({
        id: 'score-chart', title: t('scoreChart.title'), labels, xFormat: date, series: [{ name: t('scoreChart.series'), values }], yFormat: (v) => pct(v, 0),
        summary: t('scoreChart.summary', { d: describe(shown, values, (v) => pct(v)) }), width: 560, height: 260,
      }),
      { columns: [{ label: t('common.date') }, { label: t('common.score'), num: true }], rows: days.filter((d) => isNum(d.score)).map((d) => [date(d.date), pct(d.score)]) })
    : h('p', { id: 'score-chart-empty', class: 'empty', text: t('scoreChart.empty', { n: DAYS }) });
  return section('score-history', t('scoreChart.section', { n: DAYS }), body);
}

/** #usage-chart: daily usage as bars, with the detected usage drop marked. */
function usageChart(days, drop) {
  if (!days.length) return section('usage', t('usage.title'), h('p', { class: 'empty', text: t('usage.noHistory') }));
  const labels = dayLabels(days);
  const shown = labels.map(date);
  const values = days.map((d) => (isNum(d.usage) ? d.usage : 0));
  const dropText = drop && drop.date
    ? t('usage.drop', { from: num(drop.baseline, 1), to: num(drop.recent, 1) }) : '';
  const svg = barChart({
    id: 'usage-chart', title: t('usage.chartTitle'), labels, xFormat: date, series: [{ name: t('usage.series'), values }], yFormat: (v) => num(v, 1),
    summary: t('usage.summary', { d: describe(shown, values, (v) => num(v, 1)) }) + (dropText ? t('usage.summaryDrop', { drop: dropText, date: date(drop.date) }) : ''),
    marker: dropText ? { at: String(drop.date).slice(0, 10), text: dropText, cls: 'usage-drop' } : null, width: 560, height: 260,
  });
  const note = dropText
    ? h('p', { id: 'usage-drop-note', class: 'note' }, t('usage.dropNote', { date: date(drop.date), from: num(drop.baseline, 1), to: num(drop.recent, 1) }))
    : h('p', { class: 'note', text: t('usage.noDrop') });
  return section('usage', t('usage.title'), figure('usage-figure', t('usage.caption', { from: shown[0], to: shown[shown.length - 1] }), svg,
    { columns: [{ label: t('common.date') }, { label: t('usage.usage'), num: true }, { label: t('usage.events'), num: true }], rows: days.map((d) => [date(d.date), num(d.usage, 1), int(d.usage_events)]) },
    note));
}

/** A sentiment as "−0.40 angry". */
function sentiment(s) {
  return isNum(s) ? `${signed(s, 2)} ${sentimentWord(s)}` : missing(t('sentiment.none'));
}

/** #tickets-chart and #tickets-table: the days with support tickets. */
function ticketsSection(days) {
  const withTickets = days.filter((d) => isNum(d.tickets) && d.tickets > 0);
  if (!withTickets.length) {
    return section('tickets', t('tickets.title'), h('p', { id: 'tickets-empty', class: 'empty', text: t('tickets.empty', { n: DAYS }) }));
  }
  const labels = dayLabels(withTickets);
  const shown = labels.map(date);
  const means = withTickets.map((d) => (isNum(d.sentiment_mean) ? d.sentiment_mean : null));
  const mins = withTickets.map((d) => (isNum(d.sentiment_min) ? d.sentiment_min : null));
  const chart = barChart({
    id: 'tickets-chart', title: t('tickets.chartTitle'), labels, xFormat: date, yMin: -1, yMax: 1, yFormat: (v) => num(v, 2),
    series: [{ name: t('tickets.seriesMean'), values: means }, { name: t('tickets.seriesLowest'), values: mins }], width: 1120, height: 220,
    summary: t('tickets.summary', { n: labels.length, d: describe(shown, means, (v) => num(v, 2)) }),
  });
  const tbl = table({
    id: 'tickets-table',
    caption: t('tickets.caption'),
    columns: [{ label: t('common.date') }, { label: t('tickets.tickets'), num: true }, { label: t('tickets.negative'), num: true }, { label: t('tickets.intent'), num: true },
      { label: t('tickets.mean'), num: true }, { label: t('tickets.lowest'), num: true }],
    rows: withTickets.map((d) => [date(d.date), int(d.tickets), int(d.negative_tickets), int(d.intent_tickets), sentiment(d.sentiment_mean), sentiment(d.sentiment_min)]),
    rowHeaders: true,
  });
  return section('tickets', t('tickets.title'),
    h('figure', { class: 'chart-figure' }, h('figcaption', { text: t('tickets.figcaption') }), chart),
    tbl);
}

/** #pages-table: the days with visits to risk pages and their categories. */
function pagesSection(days) {
  const visits = days.map((d) => ({ date: d.date, pages: pageCounts(d.risk_pages) })).filter((d) => d.pages.length);
  const body = visits.length
    ? table({
      id: 'pages-table',
      caption: t('pages.caption'),
      columns: [{ label: t('common.date') }, { label: t('pages.visited') }],
      rows: visits.map((d) => [date(d.date), d.pages.map(([k, n]) => t('pages.visits', { page: pageName(k), n: int(n) })).join(t('common.list'))]),
      rowHeaders: true,
    })
    : h('p', { id: 'pages-empty', class: 'empty', text: t('pages.empty', { n: DAYS }) });
  return section('risk-pages', t('pages.title'), body);
}

/** A risk-page category in words (an unknown one as the API names it). */
function pageName(k) {
  return RISK_PAGES.includes(k) ? t('page.' + k) : k;
}

/** The non-zero [category, count] pairs of a day's risk_pages, known ones first. */
function pageCounts(rp) {
  if (!rp || typeof rp !== 'object') return [];
  const keys = [...RISK_PAGES, ...Object.keys(rp).filter((k) => !RISK_PAGES.includes(k)).sort()];
  return keys.filter((k) => isNum(rp[k]) && rp[k] > 0).map((k) => [k, rp[k]]);
}

/** #alerts-table: the alerts sent about this customer. */
function alertsSection(alerts) {
  return section('alerts', t('alerts.title'), orError(alerts, (a) => {
    const items = Array.isArray(a.items) ? a.items : [];
    if (!items.length) return h('p', { id: 'alerts-empty', class: 'empty', text: t('alerts.empty') });
    return table({
      id: 'alerts-table',
      caption: t('alerts.caption'),
      columns: [{ label: t('alerts.created') }, { label: t('alerts.type') }, { label: t('alerts.status') }, { label: t('alerts.attempts'), num: true },
        { label: t('alerts.lastStatus'), num: true }, { label: t('common.score'), num: true }],
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

/** The cases of the answer, the ones still worked first, then newest first (the API's order). */
function caseItems(result) {
  const items = result.status === 'fulfilled' && Array.isArray(result.value.items) ? result.value.items : [];
  return [...items.filter(isActive), ...items.filter((c) => !isActive(c))];
}

/** #holdout-mark: a control customer (a case held out) is not to be contacted. */
function holdoutMark(result) {
  const held = caseItems(result).find((c) => c.holdout);
  if (!held) return null;
  return h('p', { id: 'holdout-mark', class: 'holdout-mark', role: 'note' },
    h('strong', { text: t('case.holdoutTitle') }), ' ', t('case.holdoutText'));
}

/** #customer-cases: each case of the customer (the one still worked first) with its actions. */
function casesSection(result, ctx) {
  return section('customer-cases', t('customerCases.title'), orError(result, () => {
    const items = caseItems(result);
    if (!items.length) return h('p', { id: 'cases-none', class: 'empty', text: t('customerCases.none') });
    const write = canWrite(ctx.session);
    const needsName = write && items.some((c) => !c.holdout);
    return [
      needsName ? agentForm(ctx, () => ctx.navigate(location.hash)) : null,
      write ? null : h('p', { class: 'notice', text: t('case.readOnly') }),
      items.map((c) => caseCard(c, ctx, write)),
    ];
  }));
}

/**
 * One case (article.case-card): status, opening figures, play and its text,
 * outcome, notes and, for a treated case, the actions. The drivers at
 * opening are left out: the API keeps their sentences in English only, and
 * the page's "Why this score" gives today's in the console's language.
 */
function caseCard(c, ctx, write) {
  const play = c.play && typeof c.play === 'object' ? c.play : {};
  const notes = Array.isArray(c.notes) ? c.notes : [];
  const hid = `case-${c.id}-heading`;
  const card = h('article', { class: 'case-card' + (c.holdout ? ' case-holdout' : ''), 'aria-labelledby': hid, dataset: { caseId: String(c.id ?? '') } },
    h('h3', { id: hid }, t('customerCases.opened', { date: date(c.opened_at) }), ' ', statusBadge(c.status)),
    c.holdout ? h('p', { class: 'holdout-mark holdout-case', text: c.holdout_note ? String(c.holdout_note) : t('case.holdoutText') }) : null,
    dl([
      [t('cases.col.score'), pct(c.score)],
      [t('cases.col.revenue'), isNum(c.revenue_at_risk) ? money(c.revenue_at_risk) : null],
      [t('cases.col.owner'), c.owner ? String(c.owner) : missing(t('case.noOwner'))],
      [t('customerCases.outcome'), h('span', { class: 'case-outcome', dataset: { outcome: String(c.outcome || '') }, text: outcomeWords(c) })],
      [t('cases.col.play'), play.name ? String(play.name) : null],
    ], { class: 'facts' }),
    play.text ? h('p', { class: 'play-text', text: String(play.text) }) : null,
    h('h4', { text: t('customerCases.notes') }),
    notes.length
      ? h('ul', { class: 'case-notes' }, notes.map((n) => h('li', {},
        h('span', { class: 'note-meta', text: t('customerCases.noteBy', { author: String(n.author ?? ''), at: dateTime(n.at) }) }), ' ',
        h('span', { class: 'note-text', text: String(n.text ?? '') }))))
      : h('p', { class: 'empty', text: t('customerCases.noNotes') }),
    write && !c.holdout ? caseActions(c, ctx, (updated, action) => replaceKeepingFocus(card, caseCard(updated, ctx, write), action)) : null);
  return card;
}
