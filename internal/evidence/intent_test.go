package evidence

import (
	"testing"

	"github.com/churnrisk/churn/internal/i18n"
	"github.com/churnrisk/churn/internal/signals"
)

// TestIntentPhrases: every churn intent says what the customer asked for,
// downgrade included.
func TestIntentPhrases(t *testing.T) {
	for _, in := range []signals.Intent{signals.IntentCancel, signals.IntentCompetitor, signals.IntentDowngrade, signals.IntentPrice, signals.IntentRefund} {
		if intentWords[in] == "" {
			t.Errorf("intent %q has no phrase", in)
		}
	}
	if got := intentPhrase(i18n.En, []signals.Intent{signals.IntentDowngrade, signals.IntentPrice}); got != "asked to downgrade and complained about the price" {
		t.Errorf("intentPhrase = %q", got)
	}
}
