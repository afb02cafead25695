// Number and date formatting in the console's language (i18n.js): en-US,
// zh-TW or zh-CN. Every function answers a string and copes with null /
// undefined / NaN by answering "—" (callers that want a screen-reader
// friendly blank use dom.missing instead). Money is the MRR figure of the
// data, whose currency the console does not know: in English it is shown
// in dollars as before, in Chinese as the number with its thousands
// grouping.

import { lang, locale, t } from './i18n.js';

const DASH = '—';

const cache = new Map();
/** An Intl.NumberFormat of the current locale, made once per options. */
function nf(options) {
  const key = locale() + JSON.stringify(options);
  if (!cache.has(key)) cache.set(key, new Intl.NumberFormat(locale(), options));
  return cache.get(key);
}
const chinese = () => lang() !== 'en';

/** True for a finite number. */
export const isNum = (x) => typeof x === 'number' && Number.isFinite(x);

/** 0.853 → "85.3%" (digits decimals, 1 by default). */
export function pct(x, digits = 1) {
  if (!isNum(x)) return DASH;
  return nf({ style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits }).format(x);
}

/** Money: "$2,578.02" in English, "2,578.02" in Chinese; cents when asked, by default when x is not whole. */
export function money(x, cents = isNum(x) && !Number.isInteger(x)) {
  if (!isNum(x)) return DASH;
  const digits = cents ? 2 : 0;
  const dollars = chinese() ? {} : { style: 'currency', currency: 'USD' };
  return nf({ ...dollars, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(x);
}

/** A whole number with thousands separators. */
export function int(x) {
  return isNum(x) ? nf({ maximumFractionDigits: 0 }).format(x) : DASH;
}

/** A number with up to digits decimals (3 by default). */
export function num(x, digits = 3) {
  return isNum(x) ? nf({ maximumFractionDigits: digits }).format(x) : DASH;
}

/** A number with an explicit sign: +0.44 / −0.46. */
export function signed(x, digits = 2) {
  if (!isNum(x)) return DASH;
  const s = nf({ minimumFractionDigits: digits, maximumFractionDigits: digits, signDisplay: 'always' }).format(x);
  return s.replace('-', '−');
}

/**
 * Probability points with a sign: 0.12 → "+12 pts", −0.031 → "−3 pts",
 * 0.01 → "+1 pt"; under half a point one decimal, 0.004 → "+0.4 pts";
 * under 0.05 points "under 0.1 pts". In Chinese "+12 個百分點".
 */
export function points(x) {
  if (!isNum(x)) return DASH;
  const p = x * 100;
  if (p === 0) return t('points.zero');
  if (Math.abs(p) < 0.05) return t('points.under');
  const digits = Math.abs(p) < 0.5 ? 1 : 0;
  const s = signed(p, digits);
  return t(/^[+−]1$/.test(s) ? 'points.one' : 'points.many', { n: s });
}

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The parts of a day: a "YYYY-MM-DD" string as it is, anything else as a time in UTC; null when not a time. */
function dayOf(v) {
  if (typeof v === 'string' && ISO_DAY.test(v)) return v;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d.toISOString().slice(0, 10);
}

/** A "YYYY-MM-DD" day in Chinese: "2026年11月22日". */
function chineseDay(iso) {
  const [y, m, d] = iso.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/** "2026-11-22T19:17:32Z" or a date → "2026-11-22" (UTC); "2026年11月22日" in Chinese. */
export function date(v) {
  if (v === null || v === undefined || v === '') return DASH;
  const iso = dayOf(v);
  if (iso === null) return String(v);
  return chinese() ? chineseDay(iso) : iso;
}

/** A timestamp → "2026-11-22 19:17 UTC" ("2026年11月22日 19:17 UTC" in Chinese). */
export function dateTime(v) {
  if (v === null || v === undefined || v === '') return DASH;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return String(v);
  const iso = d.toISOString();
  return `${date(iso.slice(0, 10))} ${iso.slice(11, 16)} UTC`;
}

/** A month "2026-11" → "2026-11" ("2026年11月" in Chinese). */
export function month(v) {
  const m = /^(\d{4})-(\d{2})$/.exec(String(v ?? ''));
  if (!m) return v === null || v === undefined || v === '' ? DASH : String(v);
  return chinese() ? `${Number(m[1])}年${Number(m[2])}月` : m[0];
}

/** A sentiment score in [-1, 1] in words. */
export function sentimentWord(s) {
  if (!isNum(s)) return t('sentiment.none');
  if (s <= -0.5) return t('sentiment.angry');
  if (s < -0.05) return t('sentiment.unhappy');
  if (s <= 0.05) return t('sentiment.neutral');
  if (s < 0.5) return t('sentiment.satisfied');
  return t('sentiment.happy');
}

/** Yes / no. */
export const yesNo = (b) => (b ? t('common.yes') : t('common.no'));
