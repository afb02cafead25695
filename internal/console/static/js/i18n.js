// The console's language: English, Traditional Chinese (Taiwan) or
// Simplified Chinese (mainland). The first choice comes from the browser's
// languages (navigator.languages), matched as the API matches
// Accept-Language; a choice made in the header is remembered in this
// browser (localStorage, the language only: the API key stays in
// sessionStorage). t() answers a page's strings from the table of the
// current language (js/strings/*.js), falling back to English.

import en from './strings/en.js';
import zhTW from './strings/zh-TW.js';
import zhCN from './strings/zh-CN.js';

/** The languages, each with its own name (shown in the language choice) and the locale of its numbers and dates. */
export const LANGS = [
  { code: 'en', name: 'English', locale: 'en-US' },
  { code: 'zh-TW', name: '繁體中文', locale: 'zh-TW' },
  { code: 'zh-CN', name: '简体中文', locale: 'zh-CN' },
];

const TABLES = { en, 'zh-TW': zhTW, 'zh-CN': zhCN };
const STORE = 'churn.lang';

/**
 * The language of a list of BCP 47 tags (navigator.languages), the first
 * that matches: zh-TW, zh-HK, zh-MO and any zh-Hant give zh-TW; zh, zh-CN,
 * zh-SG and zh-Hans give zh-CN; en-* gives en. None: en.
 */
export function matchLang(tags) {
  for (const raw of tags || []) {
    const tag = String(raw || '').toLowerCase().replace(/_/g, '-');
    const parts = tag.split('-');
    if (parts[0] === 'en') return 'en';
    if (parts[0] !== 'zh') continue;
    if (parts.includes('hant') || ['tw', 'hk', 'mo'].includes(parts[1])) return 'zh-TW';
    if (parts.length === 1 || parts.includes('hans') || ['cn', 'sg', 'my'].includes(parts[1])) return 'zh-CN';
  }
  return 'en';
}

/** A known language code, or null. */
function known(code) {
  return LANGS.some((l) => l.code === code) ? code : null;
}

/** The remembered choice, or null (storage may be disabled). */
function remembered() {
  try { return known(localStorage.getItem(STORE)); } catch { return null; }
}

function browserLangs() {
  if (typeof navigator === 'undefined') return [];
  return navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language];
}

let current = remembered() || matchLang(browserLangs());

/** The current language code: 'en', 'zh-TW' or 'zh-CN'. */
export function lang() {
  return current;
}

/** The locale of the current language, for Intl. */
export function locale() {
  return LANGS.find((l) => l.code === current).locale;
}

/** Chooses a language and remembers the choice in this browser. */
export function setLang(code) {
  current = known(code) || 'en';
  try { localStorage.setItem(STORE, current); } catch { /* storage disabled: the choice lasts for this page */ }
}

/**
 * A string of the current language: the table's text for key with each
 * {name} replaced by vars[name]; the English text when the table lacks it,
 * the key itself when English does too.
 */
export function t(key, vars = {}) {
  const table = TABLES[current] || en;
  const text = Object.hasOwn(table, key) ? table[key] : Object.hasOwn(en, key) ? en[key] : key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (Object.hasOwn(vars, name) ? String(vars[name]) : m));
}

/** The string tables by language code (for tests). */
export const tables = TABLES;
