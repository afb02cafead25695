// The model: GET /v1/model (the active model's figures and candidates),
// GET /v1/model/performance (how the scores turned out, month by month),
// GET /v1/models (every version) and the HTML report as a download.

import { getBlob, getJSON, isQuiet } from '../api.js';
import { barChart, describe, figure, lineChart } from '../charts.js';
import { dl, h, missing, problemView, scroller, section, table } from '../dom.js';
import { dateTime, int, isNum, month, num, pct } from '../format.js';
import { t } from '../i18n.js';

/** The page title. */
export const title = () => t('model.title');

/** Loads both answers and builds the page; no model (503) is shown in its section. */
export async function render(ctx) {
  const opts = { signal: ctx.signal };
  const [active, versions, performance] = await Promise.allSettled([getJSON('/v1/model', opts), getJSON('/v1/models', opts),
    getJSON('/v1/model/performance', opts)]);
  for (const r of [active, versions, performance]) {
    if (r.status === 'rejected' && isQuiet(r.reason)) throw r.reason;
  }
  if (active.status === 'rejected' && active.reason.status !== 503) throw active.reason;
  if (versions.status === 'rejected') throw versions.reason;
  const m = active.status === 'fulfilled' ? active.value : null;
  return [
    h('h1', { text: t('model.title') }),
    m ? figuresSection(m, ctx) : section('model-figures', t('model.active'), problemView(active.reason, 'h3'),
      h('p', { text: t('model.needsModel') })),
    performanceSection(performance),
    m ? candidatesSection(m) : null,
    versionsSection(versions.value),
  ];
}

/** Formats a metric in [0, 1] with 3 decimals. */
const f3 = (x) => num(x, 3);

/** #model-figures: the active model's version, choice, validation and thresholds. */
function figuresSection(m, ctx) {
  const v = m.validation || {};
  const status = h('p', { id: 'download-status', class: 'help', 'aria-live': 'polite' });
  const download = h('button', { id: 'download-report', type: 'button', text: t('model.download') });
  download.addEventListener('click', () => downloadReport(m.version, download, status, ctx));
  return section('model-figures', t('model.active'),
    h('div', { class: 'grid-3' },
      h('div', {}, h('h3', { text: t('model.version') }), dl([
        [t('model.version'), String(m.version ?? '')],
        [t('model.created'), dateTime(m.created_at)],
        [t('model.status'), m.status ? `${m.status}${m.status_reason ? ': ' + m.status_reason : ''}` : null],
        [t('model.chosen'), m.chosen ? String(m.chosen) : null],
        [t('model.why'), m.chosen_by ? String(m.chosen_by) : null],
        [t('model.calibration'), m.calibration ? String(m.calibration) : null],
      ], { class: 'facts' })),
      h('div', {}, h('h3', { text: t('model.validation') }), dl([
        [t('model.rocAuc'), f3(v.roc_auc)],
        [t('model.prAuc'), f3(v.pr_auc)],
        [t('model.brier'), f3(v.brier)],
        [t('model.logLoss'), f3(v.log_loss)],
        [t('model.precision'), pct(v.precision)],
        [t('model.recall'), pct(v.recall)],
        [t('model.f1'), f3(v.f1)],
        [t('model.lift'), isNum(v.lift_top_decile) ? `${num(v.lift_top_decile, 2)}×` : null],
      ], { class: 'facts' })),
      h('div', {}, h('h3', { text: t('model.data') }), dl([
        [t('model.highFrom'), pct(m.threshold)],
        [t('model.mediumFrom'), pct(m.medium_threshold)],
        [t('model.mode'), m.mode ? String(m.mode) : null],
        [t('model.horizon'), isNum(m.horizon_days) ? t('model.days', { n: int(m.horizon_days) }) : null],
        [t('model.lookback'), isNum(m.lookback_days) ? t('model.days', { n: int(m.lookback_days) }) : null],
        [t('model.rows'), isNum(m.rows) ? t('model.rowsChurned', { n: int(m.rows), churned: int(m.positives) }) : null],
        [t('model.trainRows'), `${int(m.train_rows)} / ${int(m.validation_rows)}`],
        [t('model.validationChurned'), isNum(v.positives) ? t('model.of', { n: int(v.positives), total: int(v.n) }) : null],
        [t('model.features'), Array.isArray(m.features) ? int(m.features.length) : null],
      ], { class: 'facts' }))),
    h('p', { class: 'actions' }, download), status);
}

/** Fetches the HTML report with the key and saves it through a Blob URL. */
async function downloadReport(version, button, status, ctx) {
  button.disabled = true;
  status.textContent = t('model.downloading');
  try {
    const blob = await getBlob('/v1/model/report', { accept: 'text/html', signal: ctx.signal });
    const url = URL.createObjectURL(blob);
    const a = h('a', { href: url, download: `report-${String(version).replace(/[^A-Za-z0-9._-]/g, '_')}.html`, class: 'visually-hidden' });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    status.textContent = t('model.downloaded');
  } catch (err) {
    if (isQuiet(err)) return;
    status.textContent = '';
    status.replaceChildren(problemView(err, 'h3'));
  } finally {
    button.disabled = false;
  }
}

/** #candidates-table: every candidate model's validation figures. */
function candidatesSection(m) {
  const cands = Array.isArray(m.candidates) ? m.candidates : [];
  if (!cands.length) return section('candidates', t('model.candidates'), h('p', { class: 'empty', text: t('model.noCandidates') }));
  return section('candidates', t('model.candidates'), scroller(t('model.candidatesRegion'), table({
    id: 'candidates-table', rowHeaders: true,
    caption: t('model.candidatesCaption', { why: m.chosen_by || t('model.seeAbove') }),
    columns: ['model.col.model', 'model.rocAuc', 'model.prAuc', 'model.col.brier', 'model.logLoss', 'model.col.ece', 'model.col.precision',
      'model.col.recall', 'model.col.f1', 'model.col.lift', 'model.col.rounds', 'model.col.fitTime']
      .map((key, i) => ({ label: t(key), num: i > 0 })),
    rows: cands.map((c) => {
      const v = c.validation || {};
      const chosen = c.name === m.chosen;
      return [
        chosen ? h('span', {}, String(c.name), ' ', h('span', { class: 'tag', text: t('model.chosenTag') })) : String(c.name ?? ''),
        f3(v.roc_auc), f3(v.pr_auc), f3(v.brier), f3(v.log_loss), f3(c.ece),
        pct(v.precision), pct(v.recall), f3(v.f1), isNum(v.lift_top_decile) ? num(v.lift_top_decile, 2) : missing(),
        isNum(c.rounds) ? int(c.rounds) : missing(t('common.notApplicable')), isNum(c.fit_seconds) ? t('model.seconds', { n: num(c.fit_seconds, 2) }) : missing(),
      ];
    }),
  })));
}

/** #versions-table: every stored version, the active one marked. */
function versionsSection(body) {
  const list = Array.isArray(body.models) ? body.models : [];
  if (!list.length) return section('versions', t('model.versions'), h('p', { class: 'empty', text: t('model.noVersions') }));
  return section('versions', t('model.versions'), scroller(t('model.versionsRegion'), table({
    id: 'versions-table', rowHeaders: true,
    caption: t('model.versionsCaption'),
    columns: [{ label: t('model.version') }, { label: t('model.created') }, { label: t('model.mode') }, { label: t('model.chosen') },
      { label: t('model.rocAuc'), num: true }, { label: t('model.logLoss'), num: true }, { label: t('model.status') }],
    rows: list.map((x) => {
      const active = x.version === body.active;
      return [
        active ? { content: h('span', {}, String(x.version), ' ', h('span', { class: 'tag tag-active', text: t('model.activeTag') })), cls: 'active-version' } : String(x.version ?? ''),
        dateTime(x.created_at), x.mode ? String(x.mode) : missing(), x.chosen ? String(x.chosen) : missing(),
        f3(x.roc_auc), f3(x.log_loss),
        x.status ? `${x.status}${x.status_reason ? ': ' + x.status_reason : ''}` : missing(),
      ];
    }),
  })));
}

/**
 * #model-performance: per month of snapshots, how the scores turned out
 * once the horizon has passed (ROC AUC, precision and recall of the
 * flagged, predicted churn beside actual) as two charts and a table; the
 * months still inside their horizon are marked pending.
 */
export function performanceSection(result) {
  const id = 'model-performance';
  if (result.status === 'rejected') return section(id, t('perf.title'), problemView(result.reason, 'h3'));
  const months = (Array.isArray(result.value.months) ? result.value.months : []).filter((x) => x && typeof x === 'object');
  if (!months.length) return section(id, t('perf.title'), h('p', { id: 'performance-empty', class: 'empty', text: t('perf.empty') }));
  const settled = months.filter((x) => x.settled);
  const labels = settled.map((x) => String(x.month));
  const shown = labels.map(month);
  const charts = settled.length ? h('div', { class: 'grid-2' },
    figure('performance-figure', t('perf.qualityCaption'), lineChart({
      id: 'performance-chart', title: t('perf.qualityTitle'), labels, xFormat: month, yMin: 0, yMax: 1, yFormat: (v) => num(v, 2), width: 560, height: 240,
      series: [{ name: t('model.rocAuc'), values: settled.map((x) => (isNum(x.roc_auc) ? x.roc_auc : null)) },
        { name: t('perf.precision'), values: settled.map((x) => (isNum(x.precision) ? x.precision : null)) },
        { name: t('perf.recall'), values: settled.map((x) => (isNum(x.recall) ? x.recall : null)) }],
      summary: t('perf.qualitySummary', { d: describe(shown, settled.map((x) => (isNum(x.roc_auc) ? x.roc_auc : null)), (v) => num(v, 3)) }),
    })),
    figure('predicted-actual-figure', t('perf.churnCaption'), barChart({
      id: 'predicted-actual-chart', title: t('perf.churnTitle'), labels, xFormat: month, yFormat: (v) => num(v, 1), width: 560, height: 240,
      series: [{ name: t('perf.predicted'), values: settled.map((x) => (isNum(x.predicted) ? x.predicted : null)) },
        { name: t('perf.actual'), values: settled.map((x) => (isNum(x.actual) ? x.actual : null)) }],
      summary: t('perf.churnSummary', { d: describe(shown, settled.map((x) => (isNum(x.actual) ? x.actual : null)), (v) => num(v, 1)) }),
    })))
    : h('p', { id: 'performance-pending', class: 'notice', text: t('perf.allPending') });
  const pending = (x) => (x.settled ? null : { content: h('span', { class: 'tag', text: t('perf.pending') }), cls: 'pending' });
  const cell = (x, v) => pending(x) || v;
  return section(id, t('perf.title'),
    h('p', { class: 'help', text: t('perf.lead') }),
    charts,
    scroller(t('perf.title'), table({
      id: 'performance-table',
      caption: t('perf.caption'),
      columns: [{ label: t('common.month') }, { label: t('perf.customers'), num: true }, { label: t('perf.churned'), num: true }, { label: t('model.rocAuc'), num: true },
        { label: t('perf.flagged'), num: true }, { label: t('perf.precision'), num: true }, { label: t('perf.recall'), num: true },
        { label: t('perf.predicted'), num: true }, { label: t('perf.actual'), num: true }],
      rows: months.map((x) => [
        month(x.month), int(x.customers),
        cell(x, int(x.churned)), cell(x, isNum(x.roc_auc) ? f3(x.roc_auc) : missing()), cell(x, int(x.flagged)),
        cell(x, isNum(x.precision) ? pct(x.precision) : missing()), cell(x, isNum(x.recall) ? pct(x.recall) : missing()),
        cell(x, num(x.predicted, 1)), cell(x, int(x.actual)),
      ]),
      rowHeaders: true,
    })));
}
