// The agent's name: who works the cases in this browser. The console asks
// for it once and keeps it in localStorage ('churn.agent', the name alone:
// the API key stays in sessionStorage); it is the owner "Assign to me"
// sets, the owner "My cases" lists and the author of the notes.

const STORE = 'churn.agent';

/** The most characters an owner may have (the API's cases.MaxOwner). */
export const MAX_AGENT = 128;

/** The name when storage is disabled. */
let memory = '';

/** The agent's name, or "" when not given yet. */
export function agentName() {
  try { return (localStorage.getItem(STORE) || '').trim(); } catch { return memory; }
}

/** Keeps the agent's name (trimmed); "" forgets it. */
export function setAgentName(name) {
  const v = String(name ?? '').trim().slice(0, MAX_AGENT);
  memory = v;
  try {
    if (v) localStorage.setItem(STORE, v);
    else localStorage.removeItem(STORE);
  } catch { /* storage disabled: the name lasts for this page */ }
  return v;
}
