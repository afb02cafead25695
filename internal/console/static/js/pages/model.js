// The model: GET /v1/model (the active model's figures and candidates),
// GET /v1/models (every version) and the HTML report as a download.

import { getBlob, getJSON, isQuiet } from '../api.js';
import { dl, h, missing, problemView, scroller, section, table } from '../dom.js';
import { dateTime, int, isNum, num, pct } from '../format.js';

/** The page title. */
export const title = () => 'Model';

/** Loads both answers and builds the page; no model (503) is shown in its section. */
export async function render(ctx) {
  const opts = { signal: ctx.signal };
  const [active, versions] = await Promise.allSettled([getJSON('/v1/model', opts), getJSON('/v1/models', opts)]);
  for (const r of [active, versions]) {
    if (r.status === 'rejected' && isQuiet(r.reason)) throw r.reason;
  }
  if (active.status === 'rejected' && active.reason.status !== 503) throw active.reason;
  if (versions.status === 'rejected') throw versions.reason;
  const m = active.status === 'fulfilled' ? active.value : null;
  return [
    h('h1', { text: 'Model' }),
    m ? figuresSection(m, ctx) : section('model-figures', 'Active model', problemView(active.reason, 'h3'),
      h('p', { text: 'Scores and the at-risk list need a model: train one and reload it.' })),
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
  const download = h('button', { id: 'download-report', type: 'button', text: 'Download the report' });
  download.addEventListener('click', () => downloadReport(m.version, download, status, ctx));
  return section('model-figures', 'Active model',
    h('div', { class: 'grid-3' },
      h('div', {}, h('h3', { text: 'Version' }), dl([
        ['Version', String(m.version ?? '')],
        ['Created', dateTime(m.created_at)],
        ['Status', m.status ? `${m.status}${m.status_reason ? ': ' + m.status_reason : ''}` : null],
        ['Chosen model', m.chosen ? String(m.chosen) : null],
        ['Why', m.chosen_by ? String(m.chosen_by) : null],
        ['Calibration', m.calibration ? String(m.calibration) : null],
      ], { class: 'facts' })),
      h('div', {}, h('h3', { text: 'Validation' }), dl([
        ['ROC AUC', f3(v.roc_auc)],
        ['PR AUC', f3(v.pr_auc)],
        ['Brier score', f3(v.brier)],
        ['Log loss', f3(v.log_loss)],
        ['Precision at the threshold', pct(v.precision)],
        ['Recall at the threshold', pct(v.recall)],
        ['F1 at the threshold', f3(v.f1)],
        ['Lift in the top decile', isNum(v.lift_top_decile) ? `${num(v.lift_top_decile, 2)}×` : null],
      ], { class: 'facts' })),
      h('div', {}, h('h3', { text: 'Data and thresholds' }), dl([
        ['High risk from', pct(m.threshold)],
        ['Medium risk from', pct(m.medium_threshold)],
        ['Mode', m.mode ? String(m.mode) : null],
        ['Horizon', isNum(m.horizon_days) ? `${int(m.horizon_days)} days` : null],
        ['Lookback', isNum(m.lookback_days) ? `${int(m.lookback_days)} days` : null],
        ['Rows', isNum(m.rows) ? `${int(m.rows)} (${int(m.positives)} churned)` : null],
        ['Training / validation rows', `${int(m.train_rows)} / ${int(m.validation_rows)}`],
        ['Validation rows churned', isNum(v.positives) ? `${int(v.positives)} of ${int(v.n)}` : null],
        ['Features', Array.isArray(m.features) ? int(m.features.length) : null],
      ], { class: 'facts' }))),
    h('p', { class: 'actions' }, download), status);
}

/** Fetches the HTML report with the key and saves it through a Blob URL. */
async function downloadReport(version, button, status, ctx) {
  button.disabled = true;
  status.textContent = 'Downloading the report…';
  try {
    const blob = await getBlob('/v1/model/report', { accept: 'text/html', signal: ctx.signal });
    const url = URL.createObjectURL(blob);
    const a = h('a', { href: url, download: `report-${String(version).replace(/[^A-Za-z0-9._-]/g, '_')}.html`, class: 'visually-hidden' });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    status.textContent = 'The report was downloaded.';
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
  if (!cands.length) return section('candidates', 'Candidates', h('p', { class: 'empty', text: 'No candidates recorded.' }));
  return section('candidates', 'Candidates', scroller('Candidates table', table({
    id: 'candidates-table', rowHeaders: true,
    caption: `Models compared on the validation rows; the chosen one is marked (${m.chosen_by || 'see above'})`,
    columns: ['Model', 'ROC AUC', 'PR AUC', 'Brier', 'Log loss', 'ECE', 'Precision', 'Recall', 'F1', 'Lift (top 10%)', 'Rounds', 'Fit time']
      .map((label, i) => ({ label, num: i > 0 })),
    rows: cands.map((c) => {
      const v = c.validation || {};
      const chosen = c.name === m.chosen;
      return [
        chosen ? h('span', {}, String(c.name), ' ', h('span', { class: 'tag', text: 'chosen' })) : String(c.name ?? ''),
        f3(v.roc_auc), f3(v.pr_auc), f3(v.brier), f3(v.log_loss), f3(c.ece),
        pct(v.precision), pct(v.recall), f3(v.f1), isNum(v.lift_top_decile) ? num(v.lift_top_decile, 2) : missing(),
        isNum(c.rounds) ? int(c.rounds) : missing('not applicable'), isNum(c.fit_seconds) ? `${num(c.fit_seconds, 2)} s` : missing(),
      ];
    }),
  })));
}

/** #versions-table: every stored version, the active one marked. */
function versionsSection(body) {
  const list = Array.isArray(body.models) ? body.models : [];
  if (!list.length) return section('versions', 'Versions', h('p', { class: 'empty', text: 'No model versions are stored.' }));
  return section('versions', 'Versions', scroller('Versions table', table({
    id: 'versions-table', rowHeaders: true,
    caption: 'Every stored version; the active one serves the scores',
    columns: [{ label: 'Version' }, { label: 'Created' }, { label: 'Mode' }, { label: 'Chosen model' }, { label: 'ROC AUC', num: true }, { label: 'Log loss', num: true }, { label: 'Status' }],
    rows: list.map((x) => {
      const active = x.version === body.active;
      return [
        active ? { content: h('span', {}, String(x.version), ' ', h('span', { class: 'tag tag-active', text: 'active' })), cls: 'active-version' } : String(x.version ?? ''),
        dateTime(x.created_at), x.mode ? String(x.mode) : missing(), x.chosen ? String(x.chosen) : missing(),
        f3(x.roc_auc), f3(x.log_loss),
        x.status ? `${x.status}${x.status_reason ? ': ' + x.status_reason : ''}` : missing(),
      ];
    }),
  })));
}
