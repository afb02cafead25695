package signals

import (
	"os"
	"testing"
)

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
// The figures are logged with issue 15's acceptance bars (intent recall >=
// 0.85 with precision >= 0.90; negative recall >= 0.80 with accuracy >=
// 0.85). Not every bar is met yet (see the floors below), so the test fails
// below the figures measured when the lexicon was last changed, rounded
// down: a change to the lexicon cannot make reading worse unnoticed. With
// SIGNALS_EVAL_STRICT=1 it fails below the acceptance bars as well. The
// same figures come from `train text` (scripts/ticket-figures.sh).
func TestTicketsEval(t *testing.T) {
	// floors: intent precision, intent recall, negative recall, negative
	// accuracy, as measured on 2026-12-02 after the fourth tuning round
	// (tuning batches 10 and 11), rounded down. That round traded one
	// Traditional churn ticket and one negative Traditional ticket for
	// precision (zh-hant intent recall 0.918 -> 0.898, negative recall
	// 0.891 -> 0.873, intent precision 0.865 -> 0.917). Earlier floors:
	// 2026-12-02, third round: zh-hant {0.86, 0.91, 0.89, 0.88}, zh-hans
	// {0.88, 0.82, 0.88, 0.89}, en {0.88, 0.86, 0.83, 0.86}; 2026-12-01:
	// zh-hant {0.86, 0.91, 0.87, 0.86}, zh-hans {0.88, 0.82, 0.87, 0.85},
	// en {0.85, 0.86, 0.75, 0.80}.
	floors := map[string][4]float64{
		"zh-hant": {0.91, 0.89, 0.87, 0.89},
		"zh-hans": {0.95, 0.82, 0.88, 0.92},
		"en":      {0.90, 0.86, 0.82, 0.86},
	}
	strict := os.Getenv("SIGNALS_EVAL_STRICT") == "1"
	for _, lang := range []string{"zh-hant", "zh-hans", "en"} {
		t.Run(lang, func(t *testing.T) {
			f := measureTickets(t, "testdata/tickets/eval_"+lang+".tsv", false)
			t.Logf("eval_%s: %s", lang, f.summary())
			got := [4]float64{f.intentPrecision(), f.intentRecall(), f.negRecall(), f.negAccuracy()}
			names := [4]string{"intent precision", "intent recall", "negative recall", "negative accuracy"}
			bars := [4]float64{0.90, 0.85, 0.80, 0.85}
			for i := range got {
				if got[i] < bars[i] {
					t.Logf("%s %.3f: below issue 15's acceptance bar %.2f", names[i], got[i], bars[i])
					if strict {
						t.Errorf("%s %.3f below the acceptance bar %.2f (SIGNALS_EVAL_STRICT=1)", names[i], got[i], bars[i])
					}
				}
				if got[i] < floors[lang][i] {
					t.Errorf("%s %.3f below its floor %.2f: reading got worse", names[i], got[i], floors[lang][i])
				}
			}
		})
	}
}
