package training

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/churnrisk/churn/internal/data"
	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/model"
	"github.com/churnrisk/churn/internal/signals"
)

// candidate is a learner the trainer can fit.
type candidate struct {
	name string
	kind string
	fit  func(X [][]float64, y []float64, seed uint64) (model.Learner, error)
}

func candidates() []candidate {
	return []candidate{
		{"logistic_regression", model.KindLogistic, func(X [][]float64, y []float64, _ uint64) (model.Learner, error) {
			return model.FitLogistic(X, y, model.LogisticConfig{L2: 1e-3, MaxIter: 100})
		}},
		{"golearn_bagged_trees", model.KindForest, func(X [][]float64, y []float64, seed uint64) (model.Learner, error) {
			return model.FitForest(X, y, model.ForestConfig{Trees: 60, MaxDepth: 8, FeatureFraction: 0.5, MaxSamples: 20000, Seed: seed})
		}},
	}
}

// Fit builds the training rows of ds, fits every candidate on the training
// part, compares them by validation log loss, refits the best on all rows and
// returns the artifact (not yet saved). now stamps the metadata only; it does
// not influence the model.
func Fit(ds *data.Dataset, cfg Config, now time.Time) (*model.Artifact, error) {
	cfg.defaults()
	behaviour := ds.HasEvents["usage"] || ds.HasEvents["tickets"] || ds.HasEvents["page_views"]
	schema := features.NewSchema(ds.Customers, features.SchemaOptions{Behaviour: behaviour, LookbackDays: cfg.LookbackDays})
	meta := model.Metadata{
		CreatedAt: now.UTC(), DataFingerprint: ds.Fingerprint, Mode: string(ds.Mode), Seed: cfg.Seed,
		Features: schema.Names, ChosenBy: "lowest validation log loss", Calibration: "none (logistic loss fit, probabilities used as is)",
		Libraries: model.Libraries(),
	}
	var rows *Rows
	var train, valid []int
	switch ds.Mode {
	case data.ModeTime:
		days, err := Snapshots(ds, cfg)
		if err != nil {
			return nil, err
		}
		meta.HorizonDays, meta.LookbackDays, meta.SnapshotEveryDays = cfg.HorizonDays, cfg.LookbackDays, cfg.EveryDays
		for _, d := range days {
			meta.Snapshots = append(meta.Snapshots, signals.DayStart(d).Format(time.DateOnly))
		}
		rows = TimeRows(ds, schema, days, cfg.HorizonDays)
		if len(days) == 1 {
			train, valid = StratifiedSplit(rows.Y, cfg.ValidFraction, cfg.Seed)
		} else {
			nv := max(1, int(math.Round(float64(len(days))*cfg.ValidFraction)))
			from := days[len(days)-nv]
			meta.ValidationFrom = signals.DayStart(from).Format(time.DateOnly)
			for i, d := range rows.Day {
				if d >= from {
					valid = append(valid, i)
				} else {
					train = append(train, i)
				}
			}
		}
	default:
		if !hasLabels(ds) {
			return nil, fmt.Errorf("%w: static mode needs a churned column (or churned_at, or event files for time mode)", data.ErrBadInput)
		}
		rows = StaticRows(ds, schema, true)
		train, valid = StratifiedSplit(rows.Y, cfg.ValidFraction, cfg.Seed)
	}
	meta.Rows, meta.Positives = rows.Len(), rows.Positives()
	trainRows, validRows := rows.Subset(train), rows.Subset(valid)
	meta.TrainRows, meta.ValidationRows = trainRows.Len(), validRows.Len()
	for _, part := range []struct {
		name string
		r    *Rows
	}{{"training", trainRows}, {"validation", validRows}} {
		if p := part.r.Positives(); p == 0 || p == part.r.Len() {
			return nil, fmt.Errorf("%w: the %s rows (%d) hold %d churners; both classes are needed (more history, a longer --horizon or more customers)",
				ErrNotEnoughData, part.name, part.r.Len(), p)
		}
	}

	best, bestLoss := -1, math.Inf(1)
	var bestThreshold float64
	cands := candidates()
	for i, c := range cands {
		start := time.Now()
		l, err := c.fit(trainRows.X, trainRows.Y, cfg.Seed)
		cand := model.Candidate{Name: c.name, FitSeconds: math.Round(time.Since(start).Seconds()*1000) / 1000}
		if err != nil {
			cand.Error = err.Error()
			meta.Candidates = append(meta.Candidates, cand)
			continue
		}
		p := predict(l, validRows.X)
		th := model.ChooseThreshold(validRows.Y, p)
		m, err := model.Evaluate(validRows.Y, p, th)
		if err != nil {
			cand.Error = err.Error()
			meta.Candidates = append(meta.Candidates, cand)
			continue
		}
		cand.Metrics = m
		meta.Candidates = append(meta.Candidates, cand)
		if m.LogLoss < bestLoss {
			best, bestLoss, bestThreshold = i, m.LogLoss, th
			meta.Validation = m
		}
	}
	if best < 0 {
		return nil, fmt.Errorf("every candidate failed: %v", meta.Candidates)
	}
	chosen := cands[best]
	final, err := chosen.fit(rows.X, rows.Y, cfg.Seed)
	if err != nil {
		return nil, fmt.Errorf("refit %s on all rows: %w", chosen.name, err)
	}
	meta.Chosen = chosen.name
	meta.Threshold = bestThreshold
	meta.MediumThreshold = bestThreshold / 2
	return &model.Artifact{
		Kind: chosen.kind, Schema: schema, Learner: final,
		Threshold: meta.Threshold, MediumThreshold: meta.MediumThreshold, Meta: meta,
	}, nil
}

func hasLabels(ds *data.Dataset) bool {
	for _, l := range ds.Labels {
		if l >= 0 {
			return true
		}
	}
	return false
}

func predict(l model.Learner, X [][]float64) []float64 {
	p := make([]float64, len(X))
	for i, x := range X {
		p[i] = 1 / (1 + math.Exp(-l.Raw(x)))
	}
	return p
}

// ScoreRow is one line of `train score`.
type ScoreRow struct {
	CustomerID string
	Prediction model.Prediction
}

// AsOf returns the default as-of time for scoring ds with a model: the end of
// the data (time mode), and for evaluation that end minus the horizon.
func AsOf(ds *data.Dataset, a *model.Artifact, evaluate bool) time.Time {
	end := staticAsOf(ds)
	if evaluate && a.Meta.Mode == string(data.ModeTime) {
		return end.Add(-time.Duration(a.Meta.HorizonDays) * 24 * time.Hour)
	}
	return end
}

// Score scores every customer active at asOf (time mode) or every customer
// (static mode), highest score first.
func Score(ds *data.Dataset, a *model.Artifact, asOf time.Time) []ScoreRow {
	var out []ScoreRow
	x := make([]float64, a.Schema.Len())
	for i := range ds.Customers {
		if a.Meta.Mode == string(data.ModeTime) && !ds.Customers[i].ActiveAt(asOf) {
			continue
		}
		p := ProfileAt(ds, i, asOf)
		a.Schema.Vector(&p, ds.Histories[i], asOf, x)
		out = append(out, ScoreRow{CustomerID: p.ID, Prediction: a.Predict(x, 1)})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Prediction.Score > out[j].Prediction.Score })
	return out
}

// Evaluate scores ds as of asOf and compares with the actual outcome: in time
// mode churn within the model's horizon after asOf among customers active at
// asOf; in static mode the churned label.
func Evaluate(ds *data.Dataset, a *model.Artifact, asOf time.Time) (model.Metrics, error) {
	var y, p []float64
	x := make([]float64, a.Schema.Len())
	for i := range ds.Customers {
		c := &ds.Customers[i]
		var label float64
		if a.Meta.Mode == string(data.ModeTime) {
			if !c.ActiveAt(asOf) {
				continue
			}
			label = Label(c, asOf, a.Meta.HorizonDays)
		} else {
			if ds.Labels[i] < 0 {
				continue
			}
			label = float64(ds.Labels[i])
		}
		prof := ProfileAt(ds, i, asOf)
		a.Schema.Vector(&prof, ds.Histories[i], asOf, x)
		y = append(y, label)
		p = append(p, a.Probability(x))
	}
	if len(y) == 0 {
		return model.Metrics{}, fmt.Errorf("%w: no labelled customers at %s", ErrNotEnoughData, asOf.Format(time.RFC3339))
	}
	return model.Evaluate(y, p, a.Threshold)
}
