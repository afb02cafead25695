// DOM helpers. Everything that comes from the API is put in the page as text
// (textContent / text nodes), never parsed as HTML.

import { t } from './i18n.js';

/**
 * Creates an element. attrs: "class", "text" (textContent), "dataset" (an
 * object), "on" (an object of event listeners), anything else as an attribute
 * (skipped when null, undefined or false; true gives an empty attribute).
 * Children: nodes, strings (as text), null/undefined/false (skipped), arrays.
 */
export function h(tag, attrs = {}, ...children) {
  return build(document.createElement(tag), attrs, children);
}

/** Fills an element created by h or by the charts module. */
export function build(el, attrs, children) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.setAttribute('class', v);
    else if (k === 'text') el.textContent = String(v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'on') for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

/** Appends children (see h) to el. */
export function append(el, children) {
  for (const c of [children].flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** A dash for a missing value, read out as "not known". */
export function missing(words = t('common.notKnown')) {
  return h('span', { class: 'missing' },
    h('span', { 'aria-hidden': 'true', text: '—' }),
    h('span', { class: 'visually-hidden', text: words }));
}

/**
 * A data table. columns: [{label, num}] (num right-aligns the column);
 * rows: arrays of cells, each a string, a node or {content, cls}. With
 * rowHeaders the first cell of each row is a th scope=row.
 */
export function table({ id, caption, columns, rows, rowHeaders = false, cls = '' }) {
  const head = h('thead', {}, h('tr', {}, columns.map((c) =>
    h('th', { scope: 'col', class: c.num ? 'num' : null, text: c.label }))));
  const body = h('tbody', {}, rows.map((row) => h('tr', {}, row.map((cell, i) => {
    const plain = cell === null || cell === undefined || typeof cell !== 'object' || cell instanceof Node;
    const content = plain ? cell : cell.content;
    const classes = [columns[i] && columns[i].num ? 'num' : '', plain ? '' : cell.cls || ''].join(' ').trim();
    const tag = rowHeaders && i === 0 ? 'th' : 'td';
    return h(tag, { scope: tag === 'th' ? 'row' : null, class: classes || null }, content ?? missing());
  }))));
  return h('table', { id, class: ['data', cls].join(' ').trim() }, h('caption', { text: caption }), head, body);
}

/** Wraps a wide table so that it scrolls sideways and can be scrolled by keyboard. */
export function scroller(label, child) {
  return h('div', { class: 'scroller', role: 'region', 'aria-label': label, tabindex: '0' }, child);
}

/** A description list from [term, value] pairs (value: string or node). */
export function dl(pairs, attrs = {}) {
  return h('dl', attrs, pairs.map(([t, v]) => [h('dt', { text: t }), h('dd', {}, v ?? missing())]));
}

/** A titled section: <section id><h2>title</h2>…</section>. */
export function section(id, title, ...children) {
  const hid = id + '-heading';
  return h('section', { id, class: 'panel', 'aria-labelledby': hid }, h('h2', { id: hid, text: title }), children);
}

/**
 * The view of an API error (an ApiError of api.js or any Error): its title,
 * detail and field errors in an element with role="alert".
 */
export function problemView(err, heading = 'h2') {
  const p = (err && err.problem) || {};
  const title = p.title || (err && err.message) || t('problem.generic');
  const status = err && err.status ? t('problem.status', { status: err.status }) : '';
  const fields = Array.isArray(p.errors) ? p.errors : [];
  return h('div', { class: 'problem', role: 'alert' },
    h(heading, { class: 'problem-title', text: title + status }),
    p.detail ? h('p', { class: 'problem-detail', text: p.detail }) : null,
    fields.length ? h('ul', { class: 'problem-fields' }, fields.map((f) =>
      h('li', {}, h('code', { text: f.field || '' }), ': ', f.message || ''))) : null);
}

/** A risk level badge: the level in words, coloured by class. */
export function riskBadge(level) {
  const known = ['high', 'medium', 'low'].includes(level);
  const words = known ? t('risk.' + level) : String(level || t('risk.unknown'));
  return h('span', { class: `badge risk-${known ? level : 'unknown'}`, text: words });
}

/** A link to a customer's page. */
export function customerLink(id) {
  return h('a', { class: 'customer-link', href: '#/customers/' + encodeURIComponent(id), text: id });
}
