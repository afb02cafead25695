package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/churnrisk/churn/internal/features"
)

// FormatVersion is the version of model.json this build reads and writes.
const FormatVersion = 1

// Learner kinds recorded in model.json.
const (
	KindLogistic = "logistic"
	KindForest   = "golearn_forest"
	KindGBT      = "gbt"
)

// File names inside a version directory.
const (
	ModelFile    = "model.json"
	MetadataFile = "metadata.json"
	CurrentFile  = "current"
	// ReportFile is the training report written beside the model.
	ReportFile = "report.html"
)

var (
	// ErrCorrupt is returned for an artifact that cannot be read.
	ErrCorrupt = errors.New("corrupt model artifact")
	// ErrIncompatible is returned for an artifact this build cannot serve.
	ErrIncompatible = errors.New("incompatible model artifact")
	// ErrNoModel is returned when no model has been trained yet.
	ErrNoModel = errors.New("no model")
)

// Artifact is a trained model ready to score: the feature schema, the fitted
// learner and the decision thresholds. Metadata describes how it was made.
type Artifact struct {
	Version string
	// Dir is the version directory Load read the artifact from ("" for an
	// artifact not loaded from disk).
	Dir     string
	Kind    string
	Schema  *features.Schema
	Learner Learner
	// Reference holds the training distribution of every feature, for drift
	// (nil in models trained before it existed).
	Reference *DriftReference
	// Calibration maps the learner's raw log-odds to calibrated log-odds.
	Calibration     Platt
	Threshold       float64
	MediumThreshold float64
	Meta            Metadata
}

// modelFile is the on-disk form of model.json. It holds only what scoring
// needs, so that the same data and seed give the same bytes.
type modelFile struct {
	FormatVersion   int              `json:"format_version"`
	Kind            string           `json:"learner"`
	Threshold       float64          `json:"threshold"`
	MediumThreshold float64          `json:"medium_threshold"`
	Calibration     *Platt           `json:"calibration"`
	Schema          *features.Schema `json:"schema"`
	Logistic        *Logistic        `json:"logistic,omitempty"`
	Forest          *Forest          `json:"forest,omitempty"`
	GBT             *GBT             `json:"gbt,omitempty"`
	Reference       *DriftReference  `json:"drift_reference,omitempty"`
}

// Candidate is one learner the trainer fitted, with its validation figures.
type Candidate struct {
	Name       string     `json:"name"`
	Metrics    Evaluation `json:"validation"`
	ECE        float64    `json:"ece"`
	Rounds     int        `json:"rounds,omitempty"` // boosting rounds kept by early stopping
	FitSeconds float64    `json:"fit_seconds"`
	Error      string     `json:"error,omitempty"`
	// Ineligible says why a candidate that fitted could not be chosen.
	Ineligible string `json:"ineligible,omitempty"`
}

// Metadata is metadata.json: how, when and on what the model was trained.
type Metadata struct {
	Version           string            `json:"version"`
	CreatedAt         time.Time         `json:"created_at"`
	DataFingerprint   string            `json:"data_fingerprint"`
	Mode              features.Mode     `json:"mode"`
	HorizonDays       int               `json:"horizon_days,omitempty"`
	LookbackDays      int               `json:"lookback_days,omitempty"`
	SnapshotEveryDays int               `json:"snapshot_every_days,omitempty"`
	Snapshots         []string          `json:"snapshots,omitempty"`
	ValidationFrom    string            `json:"validation_from,omitempty"`
	Seed              uint64            `json:"seed"`
	Rows              int               `json:"rows"`
	Positives         int               `json:"positives"`
	TrainRows         int               `json:"train_rows"`
	ValidationRows    int               `json:"validation_rows"`
	Features          []string          `json:"features"`
	Candidates        []Candidate       `json:"candidates"`
	Chosen            string            `json:"chosen"`
	ChosenBy          string            `json:"chosen_by"`
	Calibration       string            `json:"calibration"`
	CalibrationFit    *Platt            `json:"calibration_fit,omitempty"`
	Threshold         float64           `json:"threshold"`
	MediumThreshold   float64           `json:"medium_threshold"`
	Validation        Evaluation        `json:"validation"`
	Libraries         map[string]string `json:"libraries"`
	// Status is the version's place in the lifecycle: current when it was
	// promoted, candidate when written without promotion, rejected when
	// the promotion gate refused it (StatusReason says why). models/current
	// is the authority on which version is current now.
	Status       Status `json:"status,omitempty"`
	StatusReason string `json:"status_reason,omitempty"`
	// TrainingDrift is the PSI of this model's training rows against the
	// training distribution of the model that was current when it was
	// trained, per feature, largest first.
	TrainingDrift []FeaturePSI `json:"training_drift,omitempty"`
	// Monotone reports whether the learners honoured the declared
	// directions of the features in Directions (feature name to
	// "increasing" or "decreasing" risk) as monotone constraints; the
	// directions are listed either way.
	Monotone   bool              `json:"monotone"`
	Directions map[string]string `json:"directions,omitempty"`
	// Guard lists the features the leakage guard left out, warned about or
	// was told to keep, and the date columns it left out, before the fit.
	Guard []GuardFinding `json:"guard,omitempty"`
}

// Guard actions, as recorded in GuardFinding.Action.
const (
	GuardDropped = "dropped"
	GuardWarned  = "warned"
	GuardAllowed = "allowed"
)

// GuardFinding is one finding of the leakage guard: a feature (or an
// attribute's missingness, or a date column) with its validation ROC AUC
// alone (max of AUC and 1-AUC; 0 for a date column) and what was done.
type GuardFinding struct {
	Feature string  `json:"feature"`
	AUC     float64 `json:"auc,omitempty"`
	Action  string  `json:"action"`
	// Reason says why in words, with the flag that changes it.
	Reason string `json:"reason"`
}

// FeaturePSI is one feature's population stability index.
type FeaturePSI struct {
	Feature string  `json:"feature"`
	PSI     float64 `json:"psi"`
}

// Libraries returns the Go version and the versions of the main modules this
// binary was built with, for the metadata.
func Libraries() map[string]string {
	out := map[string]string{}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return out
	}
	out["go"] = bi.GoVersion
	for _, d := range bi.Deps {
		for _, m := range []string{"github.com/sjwhitworth/golearn", "gonum.org/v1/gonum", "github.com/jonreiter/govader"} {
			if d.Path == m {
				out[m] = d.Version
			}
		}
	}
	return out
}

// MarshalModel returns the bytes of model.json.
func (a *Artifact) MarshalModel() ([]byte, error) {
	cal := a.Calibration
	f := modelFile{FormatVersion: FormatVersion, Kind: a.Kind, Threshold: a.Threshold, MediumThreshold: a.MediumThreshold, Schema: a.Schema, Calibration: &cal,
		Reference: a.Reference}
	switch l := a.Learner.(type) {
	case *Logistic:
		f.Logistic = l
	case *Forest:
		f.Forest = l
	case *GBT:
		f.GBT = l
	default:
		return nil, fmt.Errorf("marshal model: unknown learner %T", a.Learner)
	}
	return json.MarshalIndent(f, "", " ")
}

// WriteFileAtomic writes data to a temporary file beside path, fsyncs it,
// renames it over path and fsyncs the directory.
func WriteFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after a successful rename
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// Resolve turns a --model argument into a version directory: the pointer file
// models/current, a version directory, or a models directory (its current
// version).
func Resolve(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("model %s: %w (train one with `train fit`)", path, ErrNoModel)
		}
		return "", fmt.Errorf("model %s: %w", path, err)
	}
	if !st.IsDir() {
		return readPointer(path)
	}
	if _, err := os.Stat(filepath.Join(path, ModelFile)); err == nil {
		return path, nil
	}
	cur := filepath.Join(path, CurrentFile)
	if _, err := os.Stat(cur); err != nil {
		return "", fmt.Errorf("model %s: no %s and no %s: %w", path, ModelFile, CurrentFile, ErrNoModel)
	}
	return readPointer(cur)
}

func readPointer(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("model pointer %s: %w", path, err)
	}
	v := strings.TrimSpace(string(b))
	if v == "" || strings.ContainsAny(v, `/\`) || v == "." || v == ".." {
		return "", fmt.Errorf("model pointer %s: bad version %q: %w", path, v, ErrCorrupt)
	}
	return filepath.Join(filepath.Dir(path), v), nil
}

// Load reads and validates the artifact that path names (see Resolve). A
// corrupt or incompatible artifact gives an error wrapping ErrCorrupt or
// ErrIncompatible; nothing is returned half-loaded.
func Load(path string) (*Artifact, error) {
	dir, err := Resolve(path)
	if err != nil {
		return nil, err
	}
	return readArtifact(dir)
}

// readArtifact reads and validates the artifact of the version directory dir.
func readArtifact(dir string) (*Artifact, error) {
	body, err := os.ReadFile(filepath.Join(dir, ModelFile))
	if err != nil {
		return nil, fmt.Errorf("load model %s: %w", dir, errors.Join(ErrCorrupt, err))
	}
	var f modelFile
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("load model %s: %s: %w", dir, err.Error(), ErrCorrupt)
	}
	if f.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("load model %s: format version %d, this build reads %d: %w", dir, f.FormatVersion, FormatVersion, ErrIncompatible)
	}
	if f.Schema == nil {
		return nil, fmt.Errorf("load model %s: no feature schema: %w", dir, ErrCorrupt)
	}
	if err := f.Schema.Init(); err != nil {
		return nil, fmt.Errorf("load model %s: %s: %w", dir, err.Error(), ErrIncompatible)
	}
	a := &Artifact{Version: filepath.Base(dir), Dir: dir, Kind: f.Kind, Schema: f.Schema, Threshold: f.Threshold, MediumThreshold: f.MediumThreshold, Calibration: Identity,
		Reference: f.Reference}

	n := f.Schema.Len()
	switch f.Kind {
	case KindLogistic:
		if f.Logistic == nil || len(f.Logistic.Coef) != n || len(f.Logistic.Mean) != n || len(f.Logistic.Std) != n {
			return nil, fmt.Errorf("load model %s: logistic weights do not match %d features: %w", dir, n, ErrCorrupt)
		}
		a.Learner = f.Logistic
	case KindForest:
		if f.Forest == nil {
			return nil, fmt.Errorf("load model %s: no forest: %w", dir, ErrCorrupt)
		}
		if err := f.Forest.Check(n); err != nil {
			return nil, fmt.Errorf("load model %s: %s: %w", dir, err.Error(), ErrCorrupt)
		}
		a.Learner = f.Forest
	case KindGBT:
		if f.GBT == nil {
			return nil, fmt.Errorf("load model %s: no gbt: %w", dir, ErrCorrupt)
		}
		if err := f.GBT.Check(n); err != nil {
			return nil, fmt.Errorf("load model %s: %s: %w", dir, err.Error(), ErrCorrupt)
		}
		a.Learner = f.GBT
	default:
		return nil, fmt.Errorf("load model %s: unknown learner %q: %w", dir, f.Kind, ErrIncompatible)
	}
	if f.Calibration != nil {
		if !isFinite(f.Calibration.A) || !isFinite(f.Calibration.B) || f.Calibration.A <= 0 {
			return nil, fmt.Errorf("load model %s: calibration %+v out of range: %w", dir, *f.Calibration, ErrCorrupt)
		}
		a.Calibration = *f.Calibration
	}
	if !(a.Threshold > 0 && a.Threshold < 1) || !(a.MediumThreshold >= 0 && a.MediumThreshold <= a.Threshold) {
		return nil, fmt.Errorf("load model %s: thresholds %v/%v out of range: %w", dir, a.MediumThreshold, a.Threshold, ErrCorrupt)
	}
	if meta, err := os.ReadFile(filepath.Join(dir, MetadataFile)); err == nil {
		if err := json.Unmarshal(meta, &a.Meta); err != nil {
			return nil, fmt.Errorf("load model %s: %s: %s: %w", dir, MetadataFile, err.Error(), ErrCorrupt)
		}
	} else {
		return nil, fmt.Errorf("load model %s: %w", dir, errors.Join(ErrCorrupt, err))
	}
	return a, nil
}
