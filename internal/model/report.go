package model

import (
	"encoding/json"
	"reflect"

	"github.com/churnrisk/churn/internal/metrics"
)

// FeatureImportance is one feature's share of the model's importance.
type FeatureImportance struct {
	Feature    string  `json:"feature"`
	Importance float64 `json:"importance"`
}

// CalibrationSummary compares the validation predictions before and after
// calibration.
type CalibrationSummary struct {
	Method      string  `json:"method"`
	BrierBefore float64 `json:"brier_before"`
	BrierAfter  float64 `json:"brier_after"`
	ECEBefore   float64 `json:"ece_before"`
	ECEAfter    float64 `json:"ece_after"`
}

// DataSummary describes the training data of a model.
type DataSummary struct {
	Dir         string   `json:"dir"`
	Files       []string `json:"files"`
	Customers   int      `json:"customers"`
	From        string   `json:"from,omitempty"`
	To          string   `json:"to,omitempty"`
	Rows        int      `json:"rows"`
	Positives   int      `json:"positives"`
	Features    int      `json:"features"`
	Snapshots   []string `json:"snapshots,omitempty"`
	BadRows     int      `json:"bad_rows"`
	UnknownRows int      `json:"unknown_customer_rows"`
}

// Report is metrics.json: the figures of the model report. Its JSON
// (MarshalJSON) differs from its fields in one place: Validation is written
// as its figures under "metrics", with its calibration error and curves
// beside them.
type Report struct {
	// Version and CreatedAt (RFC 3339) identify the model version; Mode is
	// its data mode, Chosen the learner chosen and Threshold its decision
	// threshold.
	Version   string  `json:"version"`
	CreatedAt string  `json:"created_at"`
	Mode      string  `json:"mode"`
	Chosen    string  `json:"chosen"`
	Threshold float64 `json:"threshold"`
	// Data describes the training data.
	Data DataSummary `json:"data"`
	// Candidates are every learner fitted, with its validation figures.
	Candidates []Candidate `json:"candidates"`
	// Validation is the chosen model's evaluation on the validation rows,
	// calibrated; Calibration compares it with the uncalibrated one.
	Validation  Evaluation         `json:"validation"`
	Calibration CalibrationSummary `json:"calibration"`
	// Importance is every feature's share of the model's importance,
	// largest first.
	Importance []FeatureImportance `json:"importance"`
	// Guard is the leakage guard's findings (see Metadata.Guard).
	Guard []GuardFinding `json:"guard,omitempty"`
	// Churn is the actual churn table of the training data (time mode), with
	// the model's predicted churn beside it.
	Churn *metrics.Table `json:"churn,omitempty"`
}

// reportFile is the layout of metrics.json: Report's fields, in the same
// order with the same tags, but Validation spread out as validationFile.
// TestReportFileMatchesReport keeps the two in step.
type reportFile struct {
	Version     string              `json:"version"`
	CreatedAt   string              `json:"created_at"`
	Mode        string              `json:"mode"`
	Chosen      string              `json:"chosen"`
	Threshold   float64             `json:"threshold"`
	Data        DataSummary         `json:"data"`
	Candidates  []Candidate         `json:"candidates"`
	Validation  validationFile      `json:"validation"`
	Calibration CalibrationSummary  `json:"calibration"`
	Importance  []FeatureImportance `json:"importance"`
	Guard       []GuardFinding      `json:"guard,omitempty"`
	Churn       *metrics.Table      `json:"churn,omitempty"`
}

// validationFile is an Evaluation as metrics.json holds it: the figures
// under "metrics", the calibration error and the curves beside them.
type validationFile struct {
	Metrics     Evaluation `json:"metrics"` // the figures only (see Evaluation)
	ECE         float64    `json:"ece"`
	ROC         Curve      `json:"roc"`
	PR          Curve      `json:"pr"`
	Calibration []Bin      `json:"calibration"`
	Deciles     []Decile   `json:"deciles"`
}

// file returns r in the layout of metrics.json.
func (r *Report) file() reportFile {
	v := &r.Validation
	return reportFile{
		Version: r.Version, CreatedAt: r.CreatedAt, Mode: r.Mode, Chosen: r.Chosen, Threshold: r.Threshold,
		Data: r.Data, Candidates: r.Candidates,
		Validation:  validationFile{Metrics: *v, ECE: v.ECE, ROC: v.ROC, PR: v.PR, Calibration: v.Calibration, Deciles: v.Deciles},
		Calibration: r.Calibration, Importance: r.Importance, Guard: r.Guard, Churn: r.Churn,
	}
}

// report returns the Report that f lays out.
func (f *reportFile) report() Report {
	v := f.Validation.Metrics
	v.ECE, v.ROC, v.PR, v.Calibration, v.Deciles = f.Validation.ECE, f.Validation.ROC, f.Validation.PR, f.Validation.Calibration, f.Validation.Deciles
	return Report{
		Version: f.Version, CreatedAt: f.CreatedAt, Mode: f.Mode, Chosen: f.Chosen, Threshold: f.Threshold,
		Data: f.Data, Candidates: f.Candidates, Validation: v,
		Calibration: f.Calibration, Importance: f.Importance, Guard: f.Guard, Churn: f.Churn,
	}
}

// MarshalJSON writes r in the layout of metrics.json. NaN and infinite
// numbers, which JSON cannot hold, are written as null (they read back as
// 0, or as a nil pointer for a *float64 such as the rates of the churn
// table); without them the bytes are what encoding/json writes for the
// layout. It returns the error of a value's own MarshalJSON, if any.
func (r Report) MarshalJSON() ([]byte, error) {
	return json.Marshal(finiteJSON(reflect.ValueOf(r.file())))
}

// UnmarshalJSON reads r from the layout of metrics.json, replacing all of
// r. It returns the decoding error, if any.
func (r *Report) UnmarshalJSON(b []byte) error {
	var f reportFile
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*r = f.report()
	return nil
}
