package console

import (
	"testing"
)

// TestCaseHelpers runs the DOM-free helpers of the cases under node: the
// queue's views and queries, the routes answered in the console's language,
// the agent's name, a case's outcome in words and the churn curve since
// opening (one minus the Kaplan–Meier survival, checked against figures
// worked out by hand).
func TestCaseHelpers(t *testing.T) {
	out := runNode(t, "cases.js", `
import { queryOf, viewOf } from './js/pages/cases.js';
import { churnCurve } from './js/pages/impact.js';
import { inLanguage } from './js/api.js';
import { agentName, setAgentName } from './js/agent.js';
import { isActive, outcomeWords } from './js/cases.js';
const q = (s) => new URLSearchParams(s);
const opened = '2026-01-01T10:00:00Z', ends = '2026-01-31T10:00:00Z';
const cases = [
  { opened_at: opened, horizon_ends: ends, outcome: 'churned', outcome_at: '2026-01-03T12:00:00Z' },  // churns on day 2
  { opened_at: opened, horizon_ends: ends, outcome: 'retained', outcome_at: ends },                  // followed 30 days
  { opened_at: '2026-01-17T10:00:00Z', horizon_ends: '2026-02-16T10:00:00Z' },                        // opened later, followed until now: 15 days
  { opened_at: opened, horizon_ends: ends, outcome: 'churned', outcome_at: '2026-01-21T11:00:00Z' },  // churns on day 20
  { opened_at: 'not a time' },
];
const curve = churnCurve(cases, 32, Date.parse('2026-02-01T10:00:00Z'));
const before = agentName();
console.log(JSON.stringify({
  views: [viewOf(q('view=open'), 'ana'), viewOf(q(''), 'ana'), viewOf(q(''), ''), viewOf(q('view=x'), ''), viewOf(q('view=mine'), '')],
  queries: [queryOf('mine', 'ana b'), queryOf('open', 'ana', 'c1')],
  lang: [inLanguage('/v1/cases?status=open'), inLanguage('/v1/cases/case_1'), inLanguage('/v1/customers/c%2F1/cases'), inLanguage('/v1/retention/impact'), inLanguage('/v1/cases/case_1/x')],
  agent: [before, setAgentName('  Ana Lee  '), agentName(), setAgentName(''), agentName()],
  curve: [0, 1, 2, 15, 19, 20, 30, 31, 32].map((d) => curve[d]),
  empty: churnCurve([], 2),
  outcome: [outcomeWords({ outcome: 'churned', outcome_at: '2026-01-03T12:00:00Z' }), outcomeWords({ outcome: 'retained', outcome_at: ends }), outcomeWords({ horizon_ends: ends })],
  active: ['open', 'contacted', 'saved', 'dismissed'].map((status) => isActive({ status })),
}));
`)
	want := `{"views":["open","mine","open","open","mine"],` +
		`"queries":["/v1/cases?owner=ana+b&limit=25","/v1/cases?status=open&limit=25&cursor=c1"],` +
		`"lang":["/v1/cases?status=open&lang=en","/v1/cases/case_1?lang=en","/v1/customers/c%2F1/cases?lang=en","/v1/retention/impact","/v1/cases/case_1/x"],` +
		`"agent":["","Ana Lee","Ana Lee","",""],` +
		`"curve":[0,0,0.25,0.25,0.25,0.625,0.625,null,null],` +
		`"empty":[null,null,null],` +
		`"outcome":["Churned on 2026-01-03","Retained: the horizon passed on 2026-01-31 without churn","Not known yet: known by 2026-01-31 at the latest"],` +
		`"active":[true,true,false,false]}`
	if out != want {
		t.Errorf("helpers answered\n%s\nwant\n%s", out, want)
	}
}
