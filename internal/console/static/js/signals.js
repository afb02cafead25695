// The signals of a risk answer: the concrete events behind the score
// (churn-intent and negative ticket excerpts, risk-page visits, the day usage
// stopped), strongest first, as text only.

import { h, problemView, section } from './dom.js';
import { date } from './format.js';

const KINDS = {
  churn_intent_ticket: 'Churn-intent ticket',
  negative_ticket: 'Negative ticket',
  risk_page_visit: 'Risk page visit',
  usage_stopped: 'Usage stopped',
};

/** #signals: the list #signals-list of the risk answer's signals (a settled promise). */
export function signalsSection(risk) {
  if (risk.status !== 'fulfilled') return section('signals', 'What happened', problemView(risk.reason, 'h3'));
  const items = Array.isArray(risk.value.signals) ? risk.value.signals : [];
  const body = items.length
    ? h('ul', { id: 'signals-list', class: 'signals' }, items.map((s) => h('li', { class: 'signal', dataset: { kind: String(s.kind ?? '') } },
      h('span', { class: 'signal-when', text: date(s.at) }), ' ',
      h('strong', { class: 'signal-kind', text: KINDS[s.kind] || String(s.kind ?? '') }), ': ',
      h('span', { class: 'signal-text', text: String(s.text ?? '') }))))
    : h('p', { id: 'signals-empty', class: 'empty', text: 'No risk signals: no churn-intent or negative tickets, no risk-page visits and no stopped usage in the model\'s lookback.' });
  return section('signals', 'What happened', h('p', { class: 'help', text: 'The events behind the score, strongest first.' }), body);
}
