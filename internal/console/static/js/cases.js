// The parts of a case shared by the Cases page and the customer page: the
// agent's name form, the status and outcome in words, and the actions an
// agent takes on a case (assign to me, set the status, add a note), each a
// PATCH /v1/cases/{id} whose answer replaces the case on screen.

import { agentName, MAX_AGENT, setAgentName } from './agent.js';
import { sendJSON, isQuiet } from './api.js';
import { h, problemView } from './dom.js';
import { date } from './format.js';
import { t } from './i18n.js';

/** The statuses of a case in the order of the work (as the API names them). */
export const STATUSES = ['open', 'contacted', 'saved', 'dismissed'];

/** A status in words (an unknown one as the API names it). */
export function statusWord(s) {
  return STATUSES.includes(s) ? t('case.status.' + s) : String(s || t('common.notKnown'));
}

/** A status badge. */
export function statusBadge(s) {
  const known = STATUSES.includes(s);
  return h('span', { class: `badge case-status-${known ? s : 'unknown'}`, text: statusWord(s) });
}

/** The outcome of a case in words: churned or retained with its date, or pending until the horizon ends. */
export function outcomeWords(c) {
  if (c.outcome === 'churned' || c.outcome === 'retained') {
    return t('case.outcome.' + c.outcome, { date: date(c.outcome_at) });
  }
  return t('case.outcome.pending', { date: date(c.horizon_ends) });
}

/** Whether the team still works on the case (open or contacted). */
export const isActive = (c) => c.status === 'open' || c.status === 'contacted';

/** Whether the signed-in key may change cases (the write and admin roles). */
export function canWrite(session) {
  const role = session.current && session.current.role;
  return role === 'write' || role === 'admin';
}

/**
 * The form that asks for the agent's name (#agent-form, #agent-name,
 * #save-agent): shown once, kept in this browser, editable. onSaved(name)
 * runs after a change.
 */
export function agentForm(ctx, onSaved) {
  const name = agentName();
  const input = h('input', { id: 'agent-name', name: 'agent', type: 'text', value: name, maxlength: String(MAX_AGENT), autocomplete: 'name', 'aria-describedby': 'agent-help' });
  const form = h('form', { id: 'agent-form', class: 'filters agent-form', 'aria-label': t('agent.form'), novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'agent-name', text: t('agent.label') }), input,
      h('span', { id: 'agent-help', class: 'help', text: name ? t('agent.helpKnown') : t('agent.help') })),
    h('div', { class: 'field field-button' }, h('button', { id: 'save-agent', type: 'submit', text: t('agent.save') })));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const saved = setAgentName(input.value);
    ctx.announce(saved ? t('agent.saved', { name: saved }) : t('agent.cleared'));
    onSaved(saved);
  });
  return form;
}

/** Sends a change of a case: {owner?, status?, note?, author?}; answers the case as it now is. */
export function patchCase(id, change, signal) {
  return sendJSON('/v1/cases/' + encodeURIComponent(id), 'PATCH', change, { signal });
}

/**
 * The actions of a case (div.case-actions): "Assign to me"
 * (button.assign-me), the status (select.case-status and button.set-status)
 * and a note (textarea.case-note and button.add-note), with an error area
 * (.case-error) that shows a refused change and its fields. onUpdated(case,
 * action) gets the case the API answers and the data-action of the control
 * used (the caller shows the case anew and gives that control the focus).
 */
export function caseActions(c, ctx, onUpdated) {
  const who = String(c.customer_id ?? '');
  const error = h('div', { class: 'case-error' });
  const me = agentName();
  const assign = h('button', { type: 'button', class: 'assign-me', dataset: { action: 'assign' },
    'aria-label': t('case.assignLabel', { customer: who }), disabled: !!me && c.owner === me, text: t('case.assign') });
  const sid = `status-${c.id}`;
  const select = h('select', { id: sid, class: 'case-status', dataset: { action: 'status-select' } },
    STATUSES.map((s) => h('option', { value: s, selected: s === c.status, text: statusWord(s) })));
  const setStatus = h('button', { type: 'button', class: 'set-status', dataset: { action: 'status' },
    'aria-label': t('case.setStatusLabel', { customer: who }), text: t('case.setStatus') });
  const nid = `note-${c.id}`;
  const note = h('textarea', { id: nid, class: 'case-note', rows: '2', maxlength: '4000', dataset: { action: 'note-text' } });
  const addNote = h('button', { type: 'button', class: 'add-note', dataset: { action: 'note' },
    'aria-label': t('case.addNoteLabel', { customer: who }), text: t('case.addNote') });

  /** Sends change; on success hands the new case over, otherwise shows why and keeps the focus on control. */
  async function send(change, control, done) {
    error.replaceChildren();
    control.disabled = true;
    try {
      const updated = await patchCase(c.id, change, ctx.signal);
      ctx.announce(done);
      onUpdated(updated, control.dataset.action);
    } catch (err) {
      if (isQuiet(err)) return;
      control.disabled = false;
      error.replaceChildren(problemView(err, 'h4'));
      ctx.announce(t('case.refused'));
      control.focus();
    }
  }
  /** The agent's name, or null after asking for it. */
  function named(control) {
    const name = agentName();
    if (name) return name;
    error.replaceChildren(h('p', { class: 'error-text', role: 'alert', text: t('case.needName') }));
    const field = document.getElementById('agent-name');
    (field || control).focus();
    return null;
  }
  assign.addEventListener('click', () => {
    const name = named(assign);
    if (name) send({ owner: name }, assign, t('case.assigned', { customer: who, name }));
  });
  setStatus.addEventListener('click', () => {
    send({ status: select.value }, setStatus, t('case.statusSet', { customer: who, status: statusWord(select.value) }));
  });
  addNote.addEventListener('click', () => {
    const name = named(addNote);
    if (name) send({ note: note.value, author: name }, addNote, t('case.noted', { customer: who }));
  });
  return h('div', { class: 'case-actions', role: 'group', 'aria-label': t('case.actionsLabel', { customer: who }) },
    assign,
    h('span', { class: 'case-action' }, h('label', { for: sid, text: t('case.status') }), select, setStatus),
    h('span', { class: 'case-action case-note-field' }, h('label', { for: nid, text: t('case.note') }), note, addNote),
    error);
}

/**
 * Puts el in place of old and gives the focus to its control of action
 * (when that is now disabled, as "Assign to me" once assigned, to the
 * status choice).
 */
export function replaceKeepingFocus(old, el, action) {
  old.replaceWith(el);
  const target = el.querySelector(`[data-action="${action}"]:not([disabled])`) || el.querySelector('[data-action="status-select"]') || el.querySelector('a');
  if (target) target.focus();
}
