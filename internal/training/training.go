// Package training turns a loaded data set into point-in-time training rows,
// fits and compares the candidate learners, and scores or evaluates a data
// set with a saved model. It is what `train fit`, `train score` and
// `train evaluate` run.
package training

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/churnrisk/churn/internal/data"
	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/progress"
	"github.com/churnrisk/churn/internal/signals"
)

// ErrNotEnoughData is returned when the data cannot give a training set.
var ErrNotEnoughData = errors.New("not enough data")

// Config holds the training options of `train fit`.
type Config struct {
	HorizonDays  int
	LookbackDays int
	EveryDays    int
	Seed         uint64
	// ValidFraction is the share of snapshot dates (time mode) or customers
	// (static mode) held out for validation; 0 means 0.2.
	ValidFraction float64
	// Progress shows the stages of a long run on a terminal; nil is silent.
	Progress *progress.Reporter
	// Unconstrained fits without the features' declared directions
	// (features.Schema.Directions); by default the learners honour them as
	// monotone constraints.
	Unconstrained bool
	// AllowFeatures are features (or attribute columns) the leakage guard
	// keeps whatever their validation ROC AUC alone (--allow-feature).
	AllowFeatures []string
	// DateAttributes are attribute columns read as dates, giving the days
	// before the as-of (--date-attribute); see features.SchemaOptions.
	DateAttributes []string
}

func (c *Config) defaults() {
	if c.HorizonDays <= 0 {
		c.HorizonDays = 30
	}
	if c.LookbackDays <= 0 {
		c.LookbackDays = 90
	}
	if c.EveryDays <= 0 {
		c.EveryDays = 30
	}
	if c.ValidFraction <= 0 || c.ValidFraction >= 1 {
		c.ValidFraction = 0.2
	}
}

// Rows is a training or evaluation matrix. X rows share one backing array.
type Rows struct {
	X        [][]float64
	Y        []float64
	Day      []int32 // snapshot day (time mode), 0 in static mode
	Customer []int   // index into the data set's customers
}

// Len returns the number of rows.
func (r *Rows) Len() int { return len(r.Y) }

// Positives returns the number of rows labelled 1.
func (r *Rows) Positives() int {
	n := 0
	for _, y := range r.Y {
		if y == 1 {
			n++
		}
	}
	return n
}

// Subset returns the rows at idx (sharing the feature slices).
func (r *Rows) Subset(idx []int) *Rows {
	out := &Rows{X: make([][]float64, len(idx)), Y: make([]float64, len(idx)), Day: make([]int32, len(idx)), Customer: make([]int, len(idx))}
	for k, i := range idx {
		out.X[k], out.Y[k], out.Day[k], out.Customer[k] = r.X[i], r.Y[i], r.Day[i], r.Customer[i]
	}
	return out
}

// DataEnd returns the first day after the data: the as-of time at which the
// data is "now".
func DataEnd(ds *data.Dataset) time.Time {
	if ds.End.IsZero() {
		return time.Time{}
	}
	return signals.DayStart(signals.EndDay(ds.End))
}

// eventStart returns the first day with any event, or the data start.
func eventStart(ds *data.Dataset) int32 {
	first := int32(math.MaxInt32)
	for _, h := range ds.Histories {
		if len(h) > 0 && h[0].Day < first {
			first = h[0].Day
		}
	}
	if first == math.MaxInt32 {
		return signals.DayNumber(ds.Start)
	}
	return first
}

// Snapshots returns the snapshot days of time mode, oldest first: anchored at
// the last day that still has a full horizon after it, stepping back by the
// snapshot interval while a full lookback of history lies before the snapshot.
func Snapshots(ds *data.Dataset, cfg Config) ([]int32, error) {
	cfg.defaults()
	if ds.End.IsZero() {
		return nil, fmt.Errorf("%w: no timestamps in the data", ErrNotEnoughData)
	}
	end := signals.EndDay(ds.End)
	start := eventStart(ds)
	last := end - int32(cfg.HorizonDays)
	var days []int32
	for t := last; t-int32(cfg.LookbackDays) >= start; t -= int32(cfg.EveryDays) {
		days = append(days, t)
	}
	if len(days) == 0 {
		return nil, fmt.Errorf("%w: the data spans %d days (%s to %s); a snapshot needs --lookback %dd of history before it and --horizon %dd after it",
			ErrNotEnoughData, end-start, signals.DayStart(start).Format(time.DateOnly), signals.DayStart(end-1).Format(time.DateOnly), cfg.LookbackDays, cfg.HorizonDays)
	}
	sort.Slice(days, func(i, j int) bool { return days[i] < days[j] })
	return days, nil
}

// ProfileAt returns customer i's profile as it was known at asOf: the MRR
// is the last monthly value of revenue.csv for a month that started before
// asOf (when there is such a history), and the churn date is hidden.
func ProfileAt(ds *data.Dataset, i int, asOf time.Time) features.Profile {
	p := ds.Customers[i]
	p.ChurnedAt = nil
	if ds.Revenue != nil && len(ds.Revenue[i]) > 0 {
		var mrr *float64
		for _, m := range ds.Revenue[i] {
			if !monthStart(m.Month).Before(asOf) {
				break
			}
			v := m.MRR
			mrr = &v
		}
		p.MRR = mrr
	}
	return p
}

func monthStart(m int32) time.Time {
	return time.Date(int(m/12), time.Month(m%12+1), 1, 0, 0, 0, 0, time.UTC)
}

// Label reports whether customer p churned within (t, t+horizon].
func Label(p *features.Profile, t time.Time, horizonDays int) float64 {
	if p.ChurnedAt == nil {
		return 0
	}
	if p.ChurnedAt.After(t) && !p.ChurnedAt.After(t.Add(time.Duration(horizonDays)*24*time.Hour)) {
		return 1
	}
	return 0
}

// TimeRows builds one row per customer active at each snapshot day, with
// features from data strictly before the snapshot and the label of the
// horizon after it. Rows come in snapshot order, then customer order.
func TimeRows(ds *data.Dataset, s *features.Schema, days []int32, horizonDays int) *Rows {
	type job struct {
		day int32
		idx []int
	}
	var jobs []job
	for _, d := range days {
		t := signals.DayStart(d)
		var idx []int
		for i := range ds.Customers {
			if ds.Customers[i].ActiveAt(t) {
				idx = append(idx, i)
			}
		}
		jobs = append(jobs, job{d, idx})
	}
	total := 0
	for _, j := range jobs {
		total += len(j.idx)
	}
	n := s.Len()
	backing := make([]float64, total*n)
	r := &Rows{X: make([][]float64, total), Y: make([]float64, total), Day: make([]int32, total), Customer: make([]int, total)}
	off := 0
	for _, j := range jobs {
		t := signals.DayStart(j.day)
		for k, i := range j.idx {
			row := off + k
			r.X[row] = backing[row*n : (row+1)*n : (row+1)*n]
			r.Day[row], r.Customer[row] = j.day, i
			r.Y[row] = Label(&ds.Customers[i], t, horizonDays)
		}
		off += len(j.idx)
	}
	fill(ds, s, r)
	return r
}

// fill computes the feature vectors of r in parallel; each row is written by
// one goroutine, so the result does not depend on scheduling.
func fill(ds *data.Dataset, s *features.Schema, r *Rows) {
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	chunk := (r.Len() + workers - 1) / workers
	for w := 0; w < workers; w++ {
		lo, hi := w*chunk, min((w+1)*chunk, r.Len())
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for row := lo; row < hi; row++ {
				i := r.Customer[row]
				t := signals.DayStart(r.Day[row])
				if r.Day[row] == 0 {
					t = staticAsOf(ds)
				}
				p := ProfileAt(ds, i, t)
				s.Vector(&p, ds.Histories[i], t, r.X[row])
			}
		}()
	}
	wg.Wait()
}

// staticAsOf is the as-of time of static mode: the end of the data, or the
// Unix epoch when the data has no timestamps at all (tenure is then unused).
func staticAsOf(ds *data.Dataset) time.Time {
	if t := DataEnd(ds); !t.IsZero() {
		return t
	}
	return time.Unix(0, 0).UTC()
}

// StaticRows builds one row per customer with a known label (static mode).
func StaticRows(ds *data.Dataset, s *features.Schema, requireLabel bool) *Rows {
	var idx []int
	for i := range ds.Customers {
		if !requireLabel || ds.Labels[i] >= 0 {
			idx = append(idx, i)
		}
	}
	n := s.Len()
	backing := make([]float64, len(idx)*n)
	r := &Rows{X: make([][]float64, len(idx)), Y: make([]float64, len(idx)), Day: make([]int32, len(idx)), Customer: idx}
	for k, i := range idx {
		r.X[k] = backing[k*n : (k+1)*n : (k+1)*n]
		if ds.Labels[i] == 1 {
			r.Y[k] = 1
		}
	}
	fill(ds, s, r)
	return r
}

// StratifiedSplit splits row indices into train and validation keeping the
// class shares, deterministically for a seed.
func StratifiedSplit(y []float64, frac float64, seed uint64) (train, valid []int) {
	for _, idx := range shuffledByClass(y, rand.New(rand.NewPCG(seed, 0x5eed))) {
		nv := int(math.Round(float64(len(idx)) * frac))
		valid = append(valid, idx[:nv]...)
		train = append(train, idx[nv:]...)
	}
	sort.Ints(train)
	sort.Ints(valid)
	return train, valid
}

// StratifiedFolds assigns every row to one of k folds (0..k-1), dealing each
// class's shuffled rows round-robin so the folds keep the class shares,
// deterministically for a seed.
func StratifiedFolds(y []float64, k int, seed uint64) []int {
	fold := make([]int, len(y))
	for _, idx := range shuffledByClass(y, rand.New(rand.NewPCG(seed, 0xf01d))) {
		for n, i := range idx {
			fold[i] = n % k
		}
	}
	return fold
}

// shuffledByClass returns the indices of the rows labelled 0 and of those
// labelled 1, each shuffled by rng.
func shuffledByClass(y []float64, rng *rand.Rand) [2][]int {
	var out [2][]int
	for i, v := range y {
		c := 0
		if v == 1 {
			c = 1
		}
		out[c] = append(out[c], i)
	}
	for _, idx := range out {
		rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
	}
	return out
}
