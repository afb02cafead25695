// The signals of a risk answer: the concrete events behind the score
// (churn-intent and negative ticket excerpts, risk-page visits, the day usage
// stopped), strongest first, as text only.

import { h, problemView, section } from './dom.js';
import { date } from './format.js';
import { t } from './i18n.js';

const KINDS = ['churn_intent_ticket', 'negative_ticket', 'risk_page_visit', 'usage_stopped'];

/** #signals: the list #signals-list of the risk answer's signals (a settled promise). */
export function signalsSection(risk) {
  if (risk.status !== 'fulfilled') return section('signals', t('signals.title'), problemView(risk.reason, 'h3'));
  const items = Array.isArray(risk.value.signals) ? risk.value.signals : [];
  const body = items.length
    ? h('ul', { id: 'signals-list', class: 'signals' }, items.map((s) => h('li', { class: 'signal', dataset: { kind: String(s.kind ?? '') } },
      h('span', { class: 'signal-when', text: date(s.at) }), ' ',
      h('strong', { class: 'signal-kind', text: KINDS.includes(s.kind) ? t('signals.kind.' + s.kind) : String(s.kind ?? '') }), t('signals.sep'),
      h('span', { class: 'signal-text', text: String(s.text ?? '') }))))
    : h('p', { id: 'signals-empty', class: 'empty', text: t('signals.empty') });
  return section('signals', t('signals.title'), h('p', { class: 'help', text: t('signals.help') }), body);
}
