// The measured effect of outreach: GET /v1/retention/impact (per group the
// settled cases, churned and churn rate; the difference control minus
// treated with its 95% interval, drawn as a point on an interval bar; the
// customers and MRR saved; per play; the sizes needed while the interval
// includes 0; the method), and the two churn curves since opening, drawn
// from the cases themselves (GET /v1/cases?group=treatment|control; the
// control group is listed to admin keys only).

import { getJSON, isQuiet, withQuery } from '../api.js';
import { describe, figure, lineChart, niceTicks, s } from '../charts.js';
import { h, missing, problemView, scroller, section, table } from '../dom.js';
import { int, isNum, money, num, pct, points } from '../format.js';
import { t } from '../i18n.js';

/** The page size of the case lists read for the curves, and the most pages read. */
const PAGE = 500;
const MAX_PAGES = 20;
const DAY = 24 * 3600 * 1000;
const GROUPS = ['treatment', 'control'];

/** The page title. */
export const title = () => t('impact.title');

/** Loads the report and the cases and builds the page. */
export async function render(ctx) {
  const admin = ctx.session.current && ctx.session.current.role === 'admin';
  const opts = { signal: ctx.signal };
  const [report, treated, control] = await Promise.allSettled([
    getJSON('/v1/retention/impact', opts),
    allCases('treatment', opts),
    admin ? allCases('control', opts) : Promise.resolve(null),
  ]);
  for (const r of [report, treated, control]) {
    if (r.status === 'rejected' && isQuiet(r.reason)) throw r.reason;
  }
  if (report.status === 'rejected') throw report.reason;
  const body = report.value || {};
  const r = body.report && typeof body.report === 'object' ? body.report : {};
  const names = playNames(treated.status === 'fulfilled' ? treated.value.items : []);
  return [
    h('h1', { text: t('impact.title') }),
    h('p', { class: 'lead', text: t('impact.lead') }),
    groupsSection(r),
    differenceSection(r, body),
    curvesSection(admin, treated, control),
    playsSection(r, names),
  ];
}

/** Every case of a group, page by page (at most MAX_PAGES pages): {items, truncated}. */
async function allCases(group, opts) {
  const items = [];
  let cursor = '';
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = await getJSON(withQuery('/v1/cases', { group, limit: PAGE, cursor }), opts);
    items.push(...(Array.isArray(page.items) ? page.items : []));
    cursor = page.next_cursor || '';
    if (!cursor) return { items, truncated: false };
  }
  return { items, truncated: true };
}

/** The plays' names by id, from the cases that carry them. */
function playNames(cases) {
  const names = new Map();
  for (const c of cases) {
    if (c.play && c.play.id && c.play.name && !names.has(c.play.id)) names.set(c.play.id, String(c.play.name));
  }
  return names;
}

/** A group's name. */
const groupName = (g) => t('impact.group.' + g);

/** An arm of the report ({cases, churned, churn_rate}) or an empty one. */
function arm(effect, g) {
  const a = effect && effect.groups && effect.groups[g];
  return a && typeof a === 'object' ? a : { cases: 0, churned: 0, churn_rate: null };
}

/** #impact-groups-table: settled cases, churned and churn rate of each group, and the pending cases. */
function groupsSection(r) {
  return section('impact-groups', t('impact.groups'),
    table({
      id: 'impact-groups-table',
      caption: t('impact.groupsCaption'),
      columns: [{ label: t('impact.col.group') }, { label: t('impact.col.cases'), num: true }, { label: t('impact.col.churned'), num: true }, { label: t('impact.col.rate'), num: true }],
      rows: GROUPS.map((g) => {
        const a = arm(r, g);
        return [groupName(g), int(a.cases), int(a.churned), isNum(a.churn_rate) ? pct(a.churn_rate) : missing()];
      }),
      rowHeaders: true,
    }),
    h('p', { id: 'impact-pending', class: 'help', text: t('impact.pending', { n: int(r.pending ?? 0) }) }));
}

/** A difference in points with its interval: "+15 pts (95% interval +5 pts to +25 pts)". */
function withInterval(d, iv) {
  return t('impact.withInterval', { value: points(d), lo: points(iv.lo), hi: points(iv.hi) });
}

/** #impact-difference: the difference with its interval (drawn and in words), what it saved, the sizes needed and the method. */
function differenceSection(r, body) {
  const iv = r.interval && isNum(r.interval.lo) && isNum(r.interval.hi) ? r.interval : null;
  const parts = [];
  if (isNum(r.difference) && iv) {
    parts.push(intervalChart(r.difference, iv),
      h('p', { id: 'impact-difference-text', class: 'impact-difference' },
        h('strong', { text: t('impact.differenceIs', { text: withInterval(r.difference, iv) }) }), ' ',
        t(r.significant ? 'impact.significant' : 'impact.notSignificant')));
    const saved = [];
    if (r.customers_saved && isNum(r.customers_saved.value)) {
      const c = r.customers_saved;
      saved.push(h('li', { id: 'impact-customers-saved', text: t('impact.customersSaved', { value: num1(c.value), lo: num1(c.interval.lo), hi: num1(c.interval.hi) }) }));
    }
    if (r.mrr_saved && isNum(r.mrr_saved.value)) {
      const m = r.mrr_saved;
      saved.push(h('li', { id: 'impact-mrr-saved', text: t('impact.mrrSaved', { value: money(m.value, false), lo: money(m.interval.lo, false), hi: money(m.interval.hi, false) }) }));
    }
    if (saved.length) parts.push(h('ul', { class: 'impact-saved' }, saved));
  } else {
    parts.push(h('p', { id: 'impact-difference-text', class: 'empty', text: t('impact.noDifference') }));
  }
  if (r.needed) parts.push(h('p', { id: 'impact-needed', class: 'notice', text: neededText(r.needed) }));
  // The API states its method in English.
  parts.push(h('p', { id: 'impact-method', class: 'help' }, h('strong', { text: t('impact.method') }), ' ',
    body.method ? h('span', { lang: 'en', text: String(body.method) }) : missing(),
    body.difference_of ? [` (${t('impact.differenceOf')} `, h('span', { lang: 'en', text: String(body.difference_of) }), ')'] : ''));
  return section('impact-difference', t('impact.difference'), parts);
}

/** A count of customers with one decimal. */
const num1 = (x) => num(x, 1);

/** The sizes sentence of a power calculation. */
function neededText(n) {
  return t('impact.needed', {
    effect: points(n.effect), treatment: int(n.treatment), control: int(n.control),
    moreTreatment: int(n.more_treatment), moreControl: int(n.more_control),
  });
}

/**
 * svg#impact-interval: the difference as a point on its 95% interval bar,
 * over an axis of probability points with 0 (no effect) marked.
 */
function intervalChart(d, iv) {
  const width = 640;
  const height = 90;
  const left = 24;
  const right = 24;
  const axis = niceTicks(Math.min(iv.lo, 0, d), Math.max(iv.hi, 0, d), 6);
  const sx = (v) => left + ((v - axis.lo) / (axis.hi - axis.lo)) * (width - left - right);
  const y = 38;
  const words = t('impact.intervalSummary', { text: withInterval(d, iv) });
  const svg = s('svg', { id: 'impact-interval', class: 'chart interval-chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': words, focusable: 'false' },
    s('title', { text: words }));
  const g = s('g', { class: 'axis axis-x' }, s('line', { class: 'baseline', x1: left, x2: width - right, y1: 64, y2: 64 }));
  for (const v of axis.ticks) {
    g.append(s('line', { class: 'tick', x1: sx(v), x2: sx(v), y1: 64, y2: 68 }),
      s('text', { class: 'tick-label', x: sx(v), y: 82, 'text-anchor': 'middle', text: points(v) }));
  }
  svg.append(g,
    s('line', { class: 'zero-effect', x1: sx(0), x2: sx(0), y1: 10, y2: 64 }),
    s('text', { class: 'zero-label', x: sx(0) + 4, y: 18, text: t('impact.noEffect') }),
    s('line', { class: 'interval-bar', x1: sx(iv.lo), x2: sx(iv.hi), y1: y, y2: y }),
    s('line', { class: 'interval-cap', x1: sx(iv.lo), x2: sx(iv.lo), y1: y - 8, y2: y + 8 }),
    s('line', { class: 'interval-cap', x1: sx(iv.hi), x2: sx(iv.hi), y1: y - 8, y2: y + 8 }),
    s('circle', { class: 'interval-point', cx: sx(d), cy: y, r: 6 }));
  return svg;
}

/**
 * The share of a group's cases that churned within each day since opening,
 * 0…days: one minus the Kaplan–Meier survival, where a case churns on the
 * day of its outcome_at (churned) and is followed until its horizon ends,
 * its outcome (retained) or now, whichever comes first. Answers null for
 * the days after the last case followed that long.
 */
export function churnCurve(cases, days, now = Date.now()) {
  const followed = [];
  const churnedOn = [];
  for (const c of cases) {
    const opened = Date.parse(c.opened_at);
    if (!Number.isFinite(opened)) continue;
    const churnAt = c.outcome === 'churned' ? Date.parse(c.outcome_at) : NaN;
    if (Number.isFinite(churnAt)) {
      const day = Math.max(0, Math.floor((churnAt - opened) / DAY));
      churnedOn.push(day);
      followed.push(day);
      continue;
    }
    const ends = [now, Date.parse(c.horizon_ends), c.outcome === 'retained' ? Date.parse(c.outcome_at) : NaN].filter(Number.isFinite);
    followed.push(Math.max(0, Math.floor((Math.min(...ends) - opened) / DAY)));
  }
  const out = [];
  let survival = 1;
  const longest = followed.length ? Math.max(...followed) : -1;
  for (let d = 0; d <= days; d++) {
    if (d > longest) { out.push(null); continue; }
    const atRisk = followed.filter((f) => f >= d).length;
    const churned = churnedOn.filter((f) => f === d).length;
    if (atRisk > 0) survival *= 1 - churned / atRisk;
    out.push(1 - survival);
  }
  return out;
}

/** The days a case is followed: the longest horizon of the cases (90 without any). */
function horizonDays(cases) {
  let days = 0;
  for (const c of cases) {
    const span = (Date.parse(c.horizon_ends) - Date.parse(c.opened_at)) / DAY;
    if (Number.isFinite(span)) days = Math.max(days, Math.ceil(span));
  }
  return days || 90;
}

/** #churn-curves: the two churn curves since opening (admin keys), or why they are not shown. */
function curvesSection(admin, treated, control) {
  if (!admin) return section('impact-curves', t('impact.curves'), h('p', { id: 'curves-need-admin', class: 'notice', text: t('impact.curvesNeedAdmin') }));
  const failed = [treated, control].find((r) => r.status === 'rejected');
  if (failed) return section('impact-curves', t('impact.curves'), problemView(failed.reason, 'h3'));
  const groups = { treatment: treated.value.items, control: control.value.items };
  if (!groups.treatment.length && !groups.control.length) {
    return section('impact-curves', t('impact.curves'), h('p', { id: 'curves-empty', class: 'empty', text: t('impact.curvesEmpty') }));
  }
  const days = horizonDays([...groups.treatment, ...groups.control]);
  const labels = Array.from({ length: days + 1 }, (_, d) => d);
  const dayWord = (d) => t('impact.day', { n: d });
  const series = GROUPS.map((g) => ({ name: groupName(g), values: churnCurve(groups[g], days) }));
  const shown = labels.map(dayWord);
  const chart = lineChart({
    id: 'churn-curves', title: t('impact.curvesTitle'), labels, xFormat: dayWord, series, yFormat: (v) => pct(v, 0),
    summary: series.map((x) => `${x.name}: ${describe(shown, x.values, (v) => pct(v))}`).join('; '), width: 720, height: 280,
  });
  const truncated = treated.value.truncated || control.value.truncated;
  const step = Math.max(1, Math.round(days / 12));
  const rows = labels.filter((d) => d % step === 0 || d === days).map((d) => [dayWord(d), ...series.map((x) => (isNum(x.values[d]) ? pct(x.values[d]) : missing()))]);
  return section('impact-curves', t('impact.curves'),
    figure('churn-curves-figure', t('impact.curvesCaption', { treated: int(groups.treatment.length), control: int(groups.control.length) }), chart,
      { columns: [{ label: t('impact.col.day') }, ...series.map((x) => ({ label: x.name, num: true }))], rows },
      h('p', { class: 'help', text: t('impact.curvesHow') }),
      truncated ? h('p', { class: 'note', text: t('impact.curvesTruncated', { n: int(PAGE * MAX_PAGES) }) }) : null));
}

/** #impact-plays-table: the same figures per play. */
function playsSection(r, names) {
  const plays = Array.isArray(r.plays) ? r.plays : [];
  if (!plays.length) return section('impact-plays', t('impact.plays'), h('p', { id: 'impact-plays-empty', class: 'empty', text: t('impact.playsEmpty') }));
  const rate = (a) => (isNum(a.churn_rate) ? t('impact.rateOf', { rate: pct(a.churn_rate), churned: int(a.churned), cases: int(a.cases) }) : missing());
  return section('impact-plays', t('impact.plays'), scroller(t('impact.plays'), table({
    id: 'impact-plays-table',
    caption: t('impact.playsCaption'),
    columns: [{ label: t('impact.col.play') }, { label: groupName('treatment'), num: true }, { label: groupName('control'), num: true },
      { label: t('impact.col.difference'), num: true }, { label: t('impact.col.interval'), num: true }, { label: t('impact.col.significant') }],
    rows: plays.map((p) => {
      const iv = p.interval && isNum(p.interval.lo) ? p.interval : null;
      return [
        names.get(p.play) || String(p.play ?? ''),
        rate(arm(p, 'treatment')), rate(arm(p, 'control')),
        isNum(p.difference) ? points(p.difference) : missing(),
        iv ? t('impact.range', { lo: points(iv.lo), hi: points(iv.hi) }) : missing(),
        iv ? t(p.significant ? 'common.yes' : 'common.no') : (p.needed ? neededText(p.needed) : missing()),
      ];
    }),
    rowHeaders: true,
  })));
}
