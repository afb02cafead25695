// Small SVG charts: lines, bars and paired bars over categorical x labels
// (months "YYYY-MM" or days "YYYY-MM-DD"). Each chart is an <svg role="img">
// with a <title> and an aria-label summarising the data; the viewBox makes it
// scale with its container. Colours and dash patterns come from console.css
// classes (series-0, series-1, …), so series differ by more than colour.

import { build, h, table } from './dom.js';
import { t } from './i18n.js';

const NS = 'http://www.w3.org/2000/svg';
const M = { top: 34, right: 16, bottom: 40, left: 60 };
let uid = 0;

/** Creates an SVG element (attrs and children as dom.h). */
export function s(tag, attrs = {}, ...children) {
  return build(document.createElementNS(NS, tag), attrs, children);
}

/**
 * "Nice" axis ticks covering [lo, hi]: about count steps of 1, 2, 2.5 or 5
 * times a power of ten.
 */
export function niceTicks(lo, hi, count = 5) {
  if (!(hi > lo)) {
    if (lo === 0 || !Number.isFinite(lo)) { lo = 0; hi = 1; } else if (lo > 0) { hi = lo * 1.25; lo = 0; } else { hi = 0; lo *= 1.25; }
  }
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10) * mag;
  const first = Math.floor(lo / step + 1e-9) * step;
  const last = Math.ceil(hi / step - 1e-9) * step;
  const ticks = [];
  for (let v = first; v <= last + step / 2; v += step) ticks.push(Number(v.toPrecision(12)));
  return { lo: ticks[0], hi: ticks[ticks.length - 1], ticks };
}

/** About how wide a label is drawn, in pixels: 7 a character, 14 a Chinese one. */
function textWidth(text) {
  let w = 0;
  for (const c of String(text)) w += c.codePointAt(0) >= 0x2e80 ? 14 : 7;
  return w;
}

/** The frame shared by every chart: scales, grid, axes, title and legend. */
function frame(o, values) {
  const width = o.width || 640;
  const height = o.height || 260;
  const n = Math.max(o.labels.length, 1);
  const plotW = width - M.left - M.right;
  const plotH = height - M.top - M.bottom;
  const finite = values.filter((v) => typeof v === 'number' && Number.isFinite(v));
  const lo = Math.min(0, ...finite, o.yMin ?? 0);
  const hi = Math.max(0, ...finite, o.yMax ?? 0);
  const y = niceTicks(lo, hi);
  const band = plotW / n;
  const sx = (i) => M.left + band * (i + 0.5);
  const sy = (v) => M.top + plotH - ((v - y.lo) / (y.hi - y.lo)) * plotH;
  const id = `chart-${++uid}`;
  const svg = s('svg', {
    id: o.id, class: ('chart ' + (o.cls || '')).trim(), viewBox: `0 0 ${width} ${height}`, role: 'img',
    'aria-label': o.summary || o.title, focusable: 'false',
  }, s('title', { id: id + '-title', text: o.title }));
  // y grid and labels
  const grid = s('g', { class: 'axis axis-y' });
  for (const t of y.ticks) {
    grid.append(s('line', { class: t === 0 ? 'zero' : 'grid', x1: M.left, x2: width - M.right, y1: sy(t), y2: sy(t) }),
      s('text', { class: 'tick-label', x: M.left - 6, y: sy(t), 'text-anchor': 'end', 'dominant-baseline': 'middle', text: o.yFormat(t) }));
  }
  if (o.yLabel) grid.append(s('text', { class: 'axis-title', x: 4, y: 14, text: o.yLabel }));
  // x axis labels, thinned to fit
  const xa = s('g', { class: 'axis axis-x' },
    s('line', { class: 'baseline', x1: M.left, x2: width - M.right, y1: M.top + plotH, y2: M.top + plotH }));
  const shown = o.labels.map((l) => String(o.xFormat ? o.xFormat(l) : l));
  const labelW = Math.max(...shown.map(textWidth), 28) + 12;
  const every = Math.max(1, Math.ceil(n / Math.max(1, Math.floor(plotW / labelW))));
  o.labels.forEach((l, i) => {
    if (i % every !== 0) return;
    xa.append(s('line', { class: 'tick', x1: sx(i), x2: sx(i), y1: M.top + plotH, y2: M.top + plotH + 4 }),
      s('text', { class: 'tick-label', x: sx(i), y: M.top + plotH + 18, 'text-anchor': 'middle', text: shown[i] }));
  });
  svg.append(grid, xa);
  if (o.legend && o.legend.length > 1) svg.append(legend(o.legend, width));
  return { svg, sx, sy, band, plotW, plotH, width, height, shown, zero: sy(Math.max(y.lo, Math.min(0, y.hi))) };
}

/** A legend row at the top right: a swatch and the name of each series. */
function legend(items, width) {
  const g = s('g', { class: 'legend' });
  let x = width - M.right;
  for (let i = items.length - 1; i >= 0; i--) {
    const it = items[i];
    const w = textWidth(it.name) + 34;
    x -= w;
    const swatch = it.kind === 'bar'
      ? s('rect', { class: `bar series-${i}`, x, y: 6, width: 18, height: 12 })
      : s('line', { class: `line series-${i}`, x1: x, x2: x + 22, y1: 12, y2: 12 });
    g.append(swatch, s('text', { x: x + 26, y: 12, 'dominant-baseline': 'middle', text: it.name }));
  }
  return g;
}

/**
 * A line chart. o: {id, title, summary, labels, series: [{name, values}],
 * yFormat, yMin, yMax, width, height, yLabel, marker, xFormat}. A null value
 * breaks its line. The labels are compared (the marker's place) as given
 * ("YYYY-MM-DD" sorts as days) and shown through xFormat.
 */
export function lineChart(o) {
  const f = frame({ ...o, legend: o.series.map((x) => ({ name: x.name, kind: 'line' })) }, o.series.flatMap((x) => x.values));
  const mk = o.marker ? marker(f, o) : null;
  if (mk) f.svg.append(mk.back);
  o.series.forEach((ser, k) => {
    let d = '';
    let pen = false;
    const dots = s('g', { class: `dots series-${k}` });
    ser.values.forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) { pen = false; return; }
      d += `${pen ? 'L' : 'M'}${f.sx(i).toFixed(1)},${f.sy(v).toFixed(1)}`;
      pen = true;
      dots.append(s('circle', { cx: f.sx(i).toFixed(1), cy: f.sy(v).toFixed(1), r: o.labels.length > 40 ? 2 : 3.5 },
        s('title', { text: `${f.shown[i]}: ${ser.name ? ser.name + ' ' : ''}${o.yFormat(v)}` })));
    });
    f.svg.append(s('path', { class: `line series-${k}`, d }), dots);
  });
  if (mk) f.svg.append(mk.front);
  return f.svg;
}

/**
 * A bar chart with one or more series side by side in each category. o:
 * {id, title, summary, labels, series: [{name, values}], yFormat, width, height,
 * yLabel, marker, xFormat} (labels as lineChart's). A null value draws no bar.
 */
export function barChart(o) {
  const f = frame({ ...o, legend: o.series.map((x) => ({ name: x.name, kind: 'bar' })) }, o.series.flatMap((x) => x.values));
  const mk = o.marker ? marker(f, o) : null;
  if (mk) f.svg.append(mk.back);
  const m = o.series.length;
  const groupW = f.band * (m > 1 ? 0.8 : 0.75);
  const barW = Math.max(groupW / m, 1);
  o.series.forEach((ser, k) => {
    const g = s('g', { class: `bars series-${k}` });
    ser.values.forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) return;
      const x = f.sx(i) - groupW / 2 + k * barW;
      const top = Math.min(f.sy(v), f.zero);
      const hgt = Math.max(Math.abs(f.sy(v) - f.zero), v === 0 ? 0 : 1);
      g.append(s('rect', { class: `bar series-${k}${v < 0 ? ' negative' : ''}`, x: x.toFixed(1), y: top.toFixed(1), width: (barW - (m > 1 ? 1 : 0)).toFixed(1), height: hgt.toFixed(1) },
        s('title', { text: `${f.shown[i]}: ${ser.name ? ser.name + ' ' : ''}${o.yFormat(v)}` })));
    });
    f.svg.append(g);
  });
  if (mk) f.svg.append(mk.front);
  return f.svg;
}

/**
 * A vertical marker line at the label o.marker.at (or the first label after
 * it) with a shaded region to the end of the plot and a text label: back
 * (the region, drawn under the data) and front (line and label, over it). Classes:
 * marker.cls on the line, marker.cls + "-region" and + "-label".
 */
function marker(f, o) {
  const mk = o.marker;
  const i = o.labels.findIndex((l) => String(l) >= String(mk.at));
  const g = s('g', { class: `${mk.cls}-group` });
  const front = s('g', { class: `${mk.cls}-front` });
  if (i < 0) return { back: g, front };
  const x = f.sx(i) - f.band / 2;
  const right = f.width - M.right;
  const y1 = M.top;
  const y2 = M.top + f.plotH;
  const nearEnd = x > M.left + f.plotW * 0.6;
  g.append(s('rect', { class: `${mk.cls}-region`, x: x.toFixed(1), y: y1, width: (right - x).toFixed(1), height: f.plotH }));
  // The line and its label go over the bars (drawn after them).
  front.append(
    s('line', { class: mk.cls, x1: x.toFixed(1), x2: x.toFixed(1), y1: y1 - 4, y2 }),
    s('text', { class: `${mk.cls}-label`, x: (nearEnd ? x - 6 : x + 6).toFixed(1), y: y1 + 14, 'text-anchor': nearEnd ? 'end' : 'start', text: mk.text }));
  g.dataset.at = String(o.labels[i]);
  return { back: g, front };
}

/**
 * "lowest …, highest …, latest …" over the non-null values, for a summary.
 */
export function describe(labels, values, fmt) {
  const pts = values.map((v, i) => [labels[i], v]).filter(([, v]) => typeof v === 'number' && Number.isFinite(v));
  if (!pts.length) return t('chart.noData');
  const lo = pts.reduce((a, b) => (b[1] < a[1] ? b : a));
  const hi = pts.reduce((a, b) => (b[1] > a[1] ? b : a));
  const last = pts[pts.length - 1];
  return t('chart.describe', { lo: fmt(lo[1]), loAt: lo[0], hi: fmt(hi[1]), hiAt: hi[0], last: fmt(last[1]), lastAt: last[0] });
}

/**
 * A figure of a chart, its caption and its figures as a table in a closed
 * <details> (the accessible alternative). tbl: {columns, rows} as dom.table.
 */
export function figure(id, caption, svg, tbl, ...notes) {
  return h('figure', { id, class: 'chart-figure' },
    h('figcaption', { text: caption }), svg, notes,
    tbl ? h('details', { class: 'chart-table' }, h('summary', { text: t('chart.showTable') }),
      table({ caption, columns: tbl.columns, rows: tbl.rows, rowHeaders: true })) : null);
}
