// Webhooks (admin keys only): GET /v1/webhooks ({"webhooks": [...]}) and the
// last deliveries of each subscription ({"deliveries": [...]}). Subscriptions are rendered from whatever keys they have.

import { getJSON, isQuiet } from '../api.js';
import { customerLink, h, missing, problemView, section, table } from '../dom.js';
import { dateTime, int, isNum, yesNo } from '../format.js';
import { t } from '../i18n.js';

const DELIVERIES = 20;
/** The keys shown first, in this order (their labels are t('webhooks.col.' + key)). */
const KNOWN = ['id', 'url', 'events', 'thresholds', 'disabled', 'created_at'];

/** The page title. */
export const title = () => t('webhooks.title');

/** Builds the page; a non-admin key gets a message instead. */
export async function render(ctx) {
  const role = ctx.session.current && ctx.session.current.role;
  if (role !== 'admin') {
    return [h('h1', { text: t('webhooks.title') }),
      h('p', { id: 'webhooks-forbidden', class: 'notice', text: t('webhooks.forbidden', { role: role || t('risk.unknown') }) })];
  }
  const body = await getJSON('/v1/webhooks', { signal: ctx.signal });
  const subs = (Array.isArray(body.webhooks) ? body.webhooks : []).filter((x) => x && typeof x === 'object');
  if (!subs.length) {
    return [h('h1', { text: t('webhooks.title') }), h('p', { id: 'webhooks-empty', class: 'empty', text: t('webhooks.empty') })];
  }
  const deliveries = await Promise.allSettled(subs.map((s) =>
    getJSON(`/v1/webhooks/${encodeURIComponent(s.id)}/deliveries?limit=${DELIVERIES}`, { signal: ctx.signal })));
  const quiet = deliveries.find((r) => r.status === 'rejected' && isQuiet(r.reason));
  if (quiet) throw quiet.reason;
  return [
    h('h1', { text: t('webhooks.title') }),
    section('subscriptions', t('webhooks.subscriptions'), subscriptionsTable(subs)),
    subs.map((s, i) => deliveriesSection(s, i, deliveries[i])),
  ];
}

/** A subscription value as text, whatever its JSON type. */
export function show(key, v) {
  if (v === null || v === undefined || v === '') return missing();
  if (typeof v === 'boolean') return yesNo(v);
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return v.length ? v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ') : missing(t('common.none'));
  if (typeof v === 'object') {
    const pairs = Object.entries(v);
    return pairs.length ? pairs.map(([k, x]) => `${k}: ${typeof x === 'object' ? JSON.stringify(x) : String(x)}`).join(', ') : missing(t('common.none'));
  }
  if (/(_at|time)$/.test(key) && !Number.isNaN(Date.parse(v))) return dateTime(v);
  return String(v);
}

/** #webhooks-table: one row per subscription, one column per key present. */
function subscriptionsTable(subs) {
  const present = new Set(subs.flatMap((s) => Object.keys(s)));
  const known = KNOWN.filter((k) => present.has(k)).map((k) => [k, t('webhooks.col.' + k)]);
  const extra = [...present].filter((k) => !KNOWN.includes(k)).sort();
  const cols = [...known, ...extra.map((k) => [k, k.replace(/_/g, ' ')])];
  return table({
    id: 'webhooks-table', rowHeaders: cols[0] && cols[0][0] === 'id',
    caption: t('webhooks.caption'),
    columns: cols.map(([, label]) => ({ label })),
    rows: subs.map((s) => cols.map(([k]) => show(k, s[k]))),
  });
}

/** The last deliveries of one subscription. */
function deliveriesSection(sub, i, result) {
  const name = sub.url ? String(sub.url) : String(sub.id);
  const id = `deliveries-${i + 1}`;
  const body = result.status === 'rejected' ? problemView(result.reason, 'h3') : deliveriesTable(result.value, id, name);
  const s = section(id, t('webhooks.deliveriesTo', { name }), body);
  s.classList.add('deliveries');
  s.dataset.subscription = String(sub.id ?? '');
  return s;
}

/** A deliveries table, or a message when there are none. */
function deliveriesTable(body, id, name) {
  const items = Array.isArray(body.deliveries) ? body.deliveries : [];
  if (!items.length) return h('p', { class: 'empty', text: t('webhooks.noDeliveries') });
  return table({
    id: id + '-table', cls: 'deliveries-table',
    caption: t('webhooks.deliveriesCaption', { n: items.length, name }),
    columns: [{ label: t('webhooks.col.created_at') }, { label: t('webhooks.col.type') }, { label: t('webhooks.col.customer') }, { label: t('webhooks.col.status') },
      { label: t('webhooks.col.attempts'), num: true }, { label: t('webhooks.col.lastStatus'), num: true }, { label: t('webhooks.col.updated') }],
    rows: items.map((d) => [
      dateTime(d.created_at), d.type ? String(d.type) : missing(),
      d.customer_id ? customerLink(String(d.customer_id)) : missing(),
      d.status ? String(d.status) : missing(), isNum(d.attempts) ? int(d.attempts) : missing(),
      d.last_status === null || d.last_status === undefined || d.last_status === '' ? missing() : String(d.last_status),
      dateTime(d.updated_at),
    ]),
  });
}
