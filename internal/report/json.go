package report

import (
	"encoding/json"
	"fmt"

	"github.com/churnrisk/churn/internal/model"
)

// MetricsJSON returns r as indented JSON (metrics.json), ending in a
// newline: exactly what json.MarshalIndent writes for r, so NaN and
// infinite numbers, which JSON cannot hold, are null (see
// model.Report.MarshalJSON). It returns ErrNilReport for a nil r.
func MetricsJSON(r *model.Report) ([]byte, error) {
	if r == nil {
		return nil, ErrNilReport
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("metrics.json: %w", err)
	}
	return append(b, '\n'), nil
}
