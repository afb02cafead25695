// Number and date formatting (en-US). Every function answers a string and
// copes with null / undefined / NaN by answering "—" (callers that want a
// screen-reader friendly blank use dom.missing instead).

const DASH = '—';
const percent = (digits) => new Intl.NumberFormat('en-US', { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits });
const pct1 = percent(1);
const pct0 = percent(0);
const money0 = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 0, maximumFractionDigits: 0 });
const money2 = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const ints = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** True for a finite number. */
export const isNum = (x) => typeof x === 'number' && Number.isFinite(x);

/** 0.853 → "85.3%" (digits decimals, 1 by default). */
export function pct(x, digits = 1) {
  if (!isNum(x)) return DASH;
  return (digits === 1 ? pct1 : digits === 0 ? pct0 : percent(digits)).format(x);
}

/** Money in dollars; cents when asked, by default when x is not whole. */
export function money(x, cents = isNum(x) && !Number.isInteger(x)) {
  return isNum(x) ? (cents ? money2 : money0).format(x) : DASH;
}

/** A whole number with thousands separators. */
export function int(x) {
  return isNum(x) ? ints.format(x) : DASH;
}

/** A number with up to digits decimals (3 by default). */
export function num(x, digits = 3) {
  return isNum(x) ? new Intl.NumberFormat('en-US', { maximumFractionDigits: digits }).format(x) : DASH;
}

/** A number with an explicit sign: +0.44 / −0.46. */
export function signed(x, digits = 2) {
  if (!isNum(x)) return DASH;
  const s = new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits, signDisplay: 'always' }).format(x);
  return s.replace('-', '−');
}

/**
 * Probability points with a sign: 0.12 → "+12 pts", −0.031 → "−3 pts",
 * 0.01 → "+1 pt"; under half a point one decimal, 0.004 → "+0.4 pts";
 * under 0.05 points "under 0.1 pts".
 */
export function points(x) {
  if (!isNum(x)) return DASH;
  const p = x * 100;
  if (p === 0) return '0 pts';
  if (Math.abs(p) < 0.05) return 'under 0.1 pts';
  const digits = Math.abs(p) < 0.5 ? 1 : 0;
  const s = signed(p, digits);
  return `${s} ${/^[+−]1$/.test(s) ? 'pt' : 'pts'}`;
}

/** "2026-11-22T19:17:32Z" or a date → "2026-11-22" (UTC). */
export function date(v) {
  if (v === null || v === undefined || v === '') return DASH;
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return v;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? String(v) : d.toISOString().slice(0, 10);
}

/** A timestamp → "2026-11-22 19:17 UTC". */
export function dateTime(v) {
  if (v === null || v === undefined || v === '') return DASH;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return String(v);
  const iso = d.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** A sentiment score in [-1, 1] in words. */
export function sentimentWord(s) {
  if (!isNum(s)) return 'no score';
  if (s <= -0.5) return 'angry';
  if (s < -0.05) return 'unhappy';
  if (s <= 0.05) return 'neutral';
  if (s < 0.5) return 'satisfied';
  return 'happy';
}

/** Yes / no. */
export const yesNo = (b) => (b ? 'yes' : 'no');
