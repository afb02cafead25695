package signals

import "testing"

// TestTicketsEval measures how support tickets are read on the frozen
// evaluation sets of issue 15 (testdata/tickets/eval_*.tsv, written on
// 2026-12-01 before the lexicon was changed and never tuned on; see the
// README there), per language:
//
//   - churn intent, as yes or no per ticket (a ticket has intent when its
//     intents column is not "-"; Read found any intent): precision and
//     recall, with per-intent figures logged;
//   - negative tone, against the negative column: a ticket is read as
//     negative when its sentiment (Read, DefaultAnalyzer's) is below
//     NegativeSentiment (-0.05): recall and accuracy.
//
// The test fails below the acceptance bars of issue 15 (intent recall >=
// 0.85 with precision >= 0.90; negative recall >= 0.80 with accuracy >=
// 0.85), so that a change to the lexicon cannot quietly make reading
// worse. The same figures come from `train text` (scripts/ticket-figures.sh).
func TestTicketsEval(t *testing.T) {
	for _, lang := range []string{"zh-hant", "zh-hans", "en"} {
		t.Run(lang, func(t *testing.T) {
			f := measureTickets(t, "testdata/tickets/eval_"+lang+".tsv", false)
			t.Logf("eval_%s: %s", lang, f.summary())
			checkBars(t, f)
		})
	}
}
