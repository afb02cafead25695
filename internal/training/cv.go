package training

import (
	"fmt"
	"math"
	"time"

	"github.com/churnrisk/churn/internal/data"
	"github.com/churnrisk/churn/internal/model"
)

// Stat is a mean and a (sample) standard deviation over folds.
type Stat struct {
	Mean float64 `json:"mean"`
	SD   float64 `json:"sd"`
}

// Fold is one fold's figures of one model on its held-out rows.
type Fold struct {
	ROCAUC     float64 `json:"roc_auc"`
	PRAUC      float64 `json:"pr_auc"`
	Brier      float64 `json:"brier"`
	LogLoss    float64 `json:"log_loss"`
	ECE        float64 `json:"ece"`
	FitSeconds float64 `json:"fit_seconds"`
}

// CVModel is a learner's cross-validated figures.
type CVModel struct {
	Name       string `json:"name"`
	ROCAUC     Stat   `json:"roc_auc"`
	PRAUC      Stat   `json:"pr_auc"`
	Brier      Stat   `json:"brier"`
	LogLoss    Stat   `json:"log_loss"`
	ECE        Stat   `json:"ece"`
	FitSeconds Stat   `json:"fit_seconds"`
	Folds      []Fold `json:"folds"`
	// ChosenIn counts the folds in which the trainer chose this learner.
	ChosenIn int `json:"chosen_in,omitempty"`
}

// CVResult is the outcome of CrossValidate.
type CVResult struct {
	Mode   data.Mode `json:"mode"`
	Method string    `json:"method"`
	K      int       `json:"k"`
	Seed   uint64    `json:"seed"`
	Rows   int       `json:"rows"`
	// Chosen is the model the trainer picked in each fold, as a whole: the
	// figure to compare with a data scientist's cross-validated model.
	Chosen     CVModel   `json:"chosen"`
	Candidates []CVModel `json:"candidates"`
}

// CrossValidate runs the whole training procedure (candidates, selection,
// calibration, refit) K times and measures every candidate and the chosen
// model on rows it did not see: stratified K folds of customers in static
// mode; rolling origin in time mode (each of the latest K snapshots is a
// test set, trained on the snapshots whose horizon ended by then).
func CrossValidate(ds *data.Dataset, cfg Config, k int) (*CVResult, error) {
	cfg.defaults()
	if k < 2 {
		return nil, fmt.Errorf("%w: --cv needs at least 2 folds", data.ErrBadInput)
	}
	schema, err := newSchema(ds, cfg)
	if err != nil {
		return nil, err
	}
	meta := model.Metadata{Mode: ds.Mode, Seed: cfg.Seed, Features: schema.Names}
	rows, err := BuildRows(ds, schema, cfg, &meta)
	if err != nil {
		return nil, err
	}
	if rows, schema, err = guard(rows, schema, cfg, &meta); err != nil {
		return nil, err
	}
	res := &CVResult{Mode: ds.Mode, K: k, Seed: cfg.Seed, Rows: rows.Len(), Chosen: CVModel{Name: "chosen"}}
	var folds [][2][]int // train, test row indices
	if ds.Mode == data.ModeTime {
		res.Method = "rolling origin over the latest snapshots"
		days := distinctDays(rows.Day)
		if len(days) < k+2 {
			return nil, fmt.Errorf("%w: %d snapshots; rolling-origin CV with %d folds needs %d (more history or a shorter --snapshot-every)",
				ErrNotEnoughData, len(days), k, k+2)
		}
		for _, test := range days[len(days)-k:] {
			var tr, te []int
			for i, d := range rows.Day {
				switch {
				case d == test:
					te = append(te, i)
				case d+int32(cfg.HorizonDays) <= test:
					tr = append(tr, i)
				}
			}
			folds = append(folds, [2][]int{tr, te})
		}
	} else {
		res.Method = "stratified k-fold"
		folds = stratifiedFolds(rows.Y, k, cfg.Seed)
	}
	byName := map[string]*CVModel{}
	var order []string
	prog := cfg.Progress
	cfg.Progress = nil // one line for the folds, not one per candidate and fold
	prog.Start(fmt.Sprintf("cross-validation (%d folds)", len(folds)), len(folds))
	defer prog.Done()
	for f, fold := range folds {
		train, test := rows.Subset(fold[0]), rows.Subset(fold[1])
		start := time.Now()
		result, all, err := fitRows(train, schema, cfg, meta, true)
		prog.Add(1)
		if err != nil {
			return nil, fmt.Errorf("fold %d: %w", f+1, err)
		}
		total := time.Since(start).Seconds()
		chosen := result.Artifact.Meta.Chosen
		for _, c := range candidates(nil) {
			ft, ok := all[c.name]
			if !ok {
				continue
			}
			m := byName[c.name]
			if m == nil {
				m = &CVModel{Name: c.name}
				byName[c.name] = m
				order = append(order, c.name)
			}
			fd, err := foldFigures(ft.artifact, test, ft.seconds)
			if err != nil {
				return nil, fmt.Errorf("fold %d, %s: %w", f+1, c.name, err)
			}
			m.Folds = append(m.Folds, fd)
			if c.name == chosen {
				m.ChosenIn++
				fd.FitSeconds = total
				res.Chosen.Folds = append(res.Chosen.Folds, fd)
			}
		}
	}
	summarize(&res.Chosen)
	for _, n := range order {
		summarize(byName[n])
		res.Candidates = append(res.Candidates, *byName[n])
	}
	return res, nil
}

func foldFigures(a *model.Artifact, test *Rows, seconds float64) (Fold, error) {
	p := make([]float64, test.Len())
	for i, x := range test.X {
		p[i] = a.Probability(x)
	}
	ev, err := model.Evaluate(test.Y, p, a.Threshold)
	if err != nil {
		return Fold{}, err
	}
	return Fold{ROCAUC: ev.ROCAUC, PRAUC: ev.PRAUC, Brier: ev.Brier, LogLoss: ev.LogLoss,
		ECE: ev.ECE, FitSeconds: seconds}, nil
}

func summarize(m *CVModel) {
	stat := func(get func(Fold) float64) Stat {
		var s Stat
		n := float64(len(m.Folds))
		if n == 0 {
			return s
		}
		for _, f := range m.Folds {
			s.Mean += get(f)
		}
		s.Mean /= n
		if n > 1 {
			for _, f := range m.Folds {
				d := get(f) - s.Mean
				s.SD += d * d
			}
			s.SD = math.Sqrt(s.SD / (n - 1))
		}
		return s
	}
	m.ROCAUC = stat(func(f Fold) float64 { return f.ROCAUC })
	m.PRAUC = stat(func(f Fold) float64 { return f.PRAUC })
	m.Brier = stat(func(f Fold) float64 { return f.Brier })
	m.LogLoss = stat(func(f Fold) float64 { return f.LogLoss })
	m.ECE = stat(func(f Fold) float64 { return f.ECE })
	m.FitSeconds = stat(func(f Fold) float64 { return f.FitSeconds })
}

// stratifiedFolds returns, per fold, the training and test row indices of
// StratifiedFolds.
func stratifiedFolds(y []float64, k int, seed uint64) [][2][]int {
	out := make([][2][]int, k)
	for i, f := range StratifiedFolds(y, k, seed) {
		for g := range out {
			if g == f {
				out[g][1] = append(out[g][1], i)
			} else {
				out[g][0] = append(out[g][0], i)
			}
		}
	}
	return out
}
