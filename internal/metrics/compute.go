package metrics

import (
	"fmt"
	"math"
	"sort"
)

// MaxMonths is the longest range Compute reports; a longer range is cut to
// its first MaxMonths months, with a note.
const MaxMonths = 1200

// clvWindow is the number of trailing months whose churn rates CLV averages.
const clvWindow = 6

// cohortAges is the number of months after signup that cohort retention
// reports.
const cohortAges = 12

// Options say what Compute reports.
type Options struct {
	From, To Month // inclusive
	// GrossMargin scales CLV; 0 (or any value that is not > 0) means 1.
	GrossMargin float64
	// RevenueHistory says whether MRR comes from a monthly revenue history;
	// without it expansion and contraction are not measured and the table
	// says so.
	RevenueHistory bool
	// Predicted is the sum of the churn probabilities of the customers
	// active at the start of each month, for the months where it is known.
	Predicted map[Month]float64
	// LookbackDays is the lookback of the model whose predictions Predicted
	// holds, named in the note on months without a prediction (0: not named).
	LookbackDays int
	// RevenueAtRisk is copied into the table when set.
	RevenueAtRisk *float64
}

// MonthFigures are the figures of one month. Rates are fractions; a rate,
// ARPA, CLV or ratio is null when its denominator is zero.
type MonthFigures struct {
	Month          string `json:"month"` // YYYY-MM
	CustomersStart int64  `json:"customers_start"`
	New            int64  `json:"new"`
	Reactivated    int64  `json:"reactivated"`
	// Churned counts every customer that left in the month; ChurnedJoiners
	// those among them that joined in the same month, and ChurnedFromStart
	// those that were customers at its start (the numerator of the rate).
	Churned           int64    `json:"churned"`
	ChurnedJoiners    int64    `json:"churned_joiners"`
	ChurnedFromStart  int64    `json:"churned_from_start"`
	CustomersEnd      int64    `json:"customers_end"`
	CustomerChurnRate *float64 `json:"customer_churn_rate"`

	MRRStart          float64  `json:"mrr_start"`
	NewMRR            float64  `json:"new_mrr"`
	ReactivationMRR   float64  `json:"reactivation_mrr"`
	ChurnedMRR        float64  `json:"churned_mrr"`
	ExpansionMRR      float64  `json:"expansion_mrr"`
	ContractionMRR    float64  `json:"contraction_mrr"`
	MRREnd            float64  `json:"mrr_end"`
	GrossMRRChurnRate *float64 `json:"gross_mrr_churn_rate"`
	NetMRRChurnRate   *float64 `json:"net_mrr_churn_rate"`
	NRR               *float64 `json:"nrr"`

	ARPA *float64 `json:"arpa"`
	// CLV uses the mean customer churn rate of the trailing 6 months.
	CLV *float64 `json:"clv"`

	// PredictedChurn is Options.Predicted of the month (null when unknown);
	// PredictedToActual is PredictedChurn / ChurnedFromStart.
	PredictedChurn    *float64 `json:"predicted_churn"`
	PredictedToActual *float64 `json:"predicted_to_actual"`

	MissingMRR int64 `json:"missing_mrr"`
}

// Overall are the figures of the whole range: flows summed, rates over the
// summed start-of-month denominators (see the package documentation).
type Overall struct {
	From              string   `json:"from"`
	To                string   `json:"to"`
	CustomersStart    int64    `json:"customers_start"` // at the start of From
	CustomersEnd      int64    `json:"customers_end"`   // at the end of To
	CustomerMonths    int64    `json:"customer_months"` // sum of CustomersStart
	New               int64    `json:"new"`
	Reactivated       int64    `json:"reactivated"`
	Churned           int64    `json:"churned"`
	ChurnedJoiners    int64    `json:"churned_joiners"`
	ChurnedFromStart  int64    `json:"churned_from_start"`
	CustomerChurnRate *float64 `json:"customer_churn_rate"`

	MRRStart          float64  `json:"mrr_start"`  // at the start of From
	MRREnd            float64  `json:"mrr_end"`    // at the end of To
	MRRMonths         float64  `json:"mrr_months"` // sum of MRRStart
	NewMRR            float64  `json:"new_mrr"`
	ReactivationMRR   float64  `json:"reactivation_mrr"`
	ChurnedMRR        float64  `json:"churned_mrr"`
	ExpansionMRR      float64  `json:"expansion_mrr"`
	ContractionMRR    float64  `json:"contraction_mrr"`
	GrossMRRChurnRate *float64 `json:"gross_mrr_churn_rate"`
	NetMRRChurnRate   *float64 `json:"net_mrr_churn_rate"`
	NRR               *float64 `json:"nrr"`

	ARPA *float64 `json:"arpa"`
	CLV  *float64 `json:"clv"`

	// PredictedChurn sums Options.Predicted over the months of the range
	// where it is known; PredictedToActual divides it by ChurnedFromStart
	// of those same months.
	PredictedChurn    *float64 `json:"predicted_churn"`
	PredictedToActual *float64 `json:"predicted_to_actual"`

	MissingMRR int64 `json:"missing_mrr"`
}

// CohortRow is the retention of the customers who signed up in one month.
type CohortRow struct {
	Cohort string `json:"cohort"` // YYYY-MM
	Size   int64  `json:"size"`
	// Retained[k-1] is the number of the cohort still a customer (in its
	// first lifetime) at the start of Cohort+k, and Retention[k-1] that
	// number over Size, for k = 1..12 while Cohort+k <= To.
	Retained  []int64   `json:"retained"`
	Retention []float64 `json:"retention"`
}

// Table is the result of Compute.
type Table struct {
	Months         []MonthFigures `json:"months"`
	Overall        Overall        `json:"overall"`
	Cohorts        []CohortRow    `json:"cohorts"`
	Notes          []string       `json:"notes"`
	RevenueAtRisk  *float64       `json:"revenue_at_risk"`
	GrossMargin    float64        `json:"gross_margin"`
	RevenueHistory bool           `json:"revenue_history"`
}

// stock is the state at the start of a month.
type stock struct {
	customers int64
	mrr       Cents
}

// sat returns a + b, saturated at ±MaxSum: the prefix sums and range totals
// of Compute are exact while they stay inside MaxSum (a total MRR of some
// 9e16 currency units) and never wrap beyond it.
func sat(a, b Cents) Cents {
	v, err := AddSum(a, b)
	if err != nil {
		if float64(a)+float64(b) > 0 {
			return Cents(MaxSum)
		}
		return -Cents(MaxSum)
	}
	return v
}

// ratio returns num/den, or nil when den is not > 0 or the result is not
// finite.
func ratio(num, den float64) *float64 {
	if !(den > 0) {
		return nil
	}
	return finite(num / den)
}

func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// Compute returns the figures of a for the months o.From..o.To. It never
// fails: an empty or reversed range gives a table without months and a note,
// and figures without a denominator are null.
func Compute(a Aggregate, o Options) Table {
	gm := o.GrossMargin
	if !(gm > 0) || math.IsInf(gm, 0) {
		gm = 1
	}
	t := Table{
		Months:         []MonthFigures{},
		Cohorts:        []CohortRow{},
		Notes:          []string{},
		GrossMargin:    gm,
		RevenueHistory: o.RevenueHistory,
		Overall:        Overall{From: o.From.String(), To: o.To.String()},
	}
	if o.RevenueAtRisk != nil {
		t.RevenueAtRisk = finite(*o.RevenueAtRisk)
	}
	if !o.RevenueHistory {
		t.Notes = append(t.Notes, "expansion and contraction MRR are zero because there is no revenue history (revenue.csv): each customer has a single MRR value")
	}
	from, to := int64(o.From), int64(o.To)
	if from > to {
		t.Notes = append(t.Notes, fmt.Sprintf("empty range: from %s is after to %s", o.From, o.To))
		return t
	}
	if to-from+1 > MaxMonths {
		to = from + MaxMonths - 1
		t.Overall.To = Month(to).String()
		t.Notes = append(t.Notes, fmt.Sprintf("range cut to %d months: %s..%s", MaxMonths, o.From, Month(to)))
	}

	// Walk the flows in month order, keeping the prefix sums.
	months := make([]Month, 0, len(a.Flows))
	for m := range a.Flows {
		months = append(months, m)
	}
	sort.Slice(months, func(i, j int) bool { return months[i] < months[j] })
	lo := from - (clvWindow - 1)
	var st stock
	var missingBefore int64
	i := 0
	for i < len(months) && int64(months[i]) < lo {
		st = advance(st, a.Flows[months[i]])
		missingBefore += a.Flows[months[i]].MissingMRR
		i++
	}
	n := int(to - lo + 1)
	starts := make([]stock, n)
	flows := make([]Flow, n)
	rates := make([]*float64, n)
	for k := 0; k < n; k++ {
		m := lo + int64(k)
		starts[k] = st
		if i < len(months) && int64(months[i]) == m {
			flows[k] = a.Flows[months[i]]
			i++
		}
		st = advance(st, flows[k])
		rates[k] = ratio(float64(flows[k].Churned-flows[k].ChurnedJoiners), float64(starts[k].customers))
	}

	ov := &t.Overall
	// The range's money sums, exact in cents until converted below.
	var mrrMonths, newMRR, reactMRR, churnedMRR, expMRR, contrMRR Cents
	var predSum float64
	var predActual int64
	predKnown := false
	clvUndefined := false
	for k := int(from - lo); k < n; k++ {
		m := Month(lo + int64(k))
		s, f := starts[k], flows[k]
		fromStart := f.Churned - f.ChurnedJoiners
		end := advance(s, f)
		mf := MonthFigures{
			Month:             m.String(),
			CustomersStart:    s.customers,
			New:               f.New,
			Reactivated:       f.Reactivated,
			Churned:           f.Churned,
			ChurnedJoiners:    f.ChurnedJoiners,
			ChurnedFromStart:  fromStart,
			CustomersEnd:      end.customers,
			CustomerChurnRate: rates[k],
			MRRStart:          s.mrr.Float(),
			NewMRR:            f.NewMRR.Float(),
			ReactivationMRR:   f.ReactivationMRR.Float(),
			ChurnedMRR:        f.ChurnedMRR.Float(),
			ExpansionMRR:      f.ExpansionMRR.Float(),
			ContractionMRR:    f.ContractionMRR.Float(),
			MRREnd:            end.mrr.Float(),
			GrossMRRChurnRate: ratio(sat(f.ChurnedMRR, f.ContractionMRR).Float(), s.mrr.Float()),
			NetMRRChurnRate:   ratio(sat(sat(f.ChurnedMRR, f.ContractionMRR), -sat(f.ExpansionMRR, f.ReactivationMRR)).Float(), s.mrr.Float()),
			NRR:               ratio(sat(sat(s.mrr, -sat(f.ChurnedMRR, f.ContractionMRR)), f.ExpansionMRR).Float(), s.mrr.Float()),
			ARPA:              ratio(s.mrr.Float(), float64(s.customers)),
			MissingMRR:        f.MissingMRR,
		}
		// CLV: mean churn rate of the months k-5..k that had customers.
		var sum float64
		cnt := 0
		for j := k - (clvWindow - 1); j <= k; j++ {
			if rates[j] != nil {
				sum += *rates[j]
				cnt++
			}
		}
		if mf.ARPA != nil && cnt > 0 {
			if sum > 0 {
				mf.CLV = finite(*mf.ARPA * gm / (sum / float64(cnt)))
			} else {
				clvUndefined = true
			}
		}
		if p, ok := o.Predicted[m]; ok {
			mf.PredictedChurn = finite(p)
			if mf.PredictedChurn != nil {
				mf.PredictedToActual = ratio(p, float64(fromStart))
				predKnown = true
				predSum += p
				predActual += fromStart
			}
		}
		t.Months = append(t.Months, mf)

		if m == Month(from) {
			ov.CustomersStart, ov.MRRStart = s.customers, s.mrr.Float()
		}
		ov.CustomersEnd, ov.MRREnd = end.customers, end.mrr.Float()
		ov.CustomerMonths += s.customers
		mrrMonths = sat(mrrMonths, s.mrr)
		ov.New += f.New
		ov.Reactivated += f.Reactivated
		ov.Churned += f.Churned
		ov.ChurnedJoiners += f.ChurnedJoiners
		ov.ChurnedFromStart += fromStart
		newMRR = sat(newMRR, f.NewMRR)
		reactMRR = sat(reactMRR, f.ReactivationMRR)
		churnedMRR = sat(churnedMRR, f.ChurnedMRR)
		expMRR = sat(expMRR, f.ExpansionMRR)
		contrMRR = sat(contrMRR, f.ContractionMRR)
		ov.MissingMRR += f.MissingMRR
	}
	ov.MRRMonths, ov.NewMRR, ov.ReactivationMRR = mrrMonths.Float(), newMRR.Float(), reactMRR.Float()
	ov.ChurnedMRR, ov.ExpansionMRR, ov.ContractionMRR = churnedMRR.Float(), expMRR.Float(), contrMRR.Float()
	lost := sat(churnedMRR, contrMRR)
	ov.CustomerChurnRate = ratio(float64(ov.ChurnedFromStart), float64(ov.CustomerMonths))
	ov.GrossMRRChurnRate = ratio(lost.Float(), ov.MRRMonths)
	ov.NetMRRChurnRate = ratio(sat(lost, -sat(expMRR, reactMRR)).Float(), ov.MRRMonths)
	ov.NRR = ratio(sat(sat(mrrMonths, -lost), expMRR).Float(), ov.MRRMonths)
	ov.ARPA = ratio(ov.MRRMonths, float64(ov.CustomerMonths))
	if ov.ARPA != nil && ov.CustomerChurnRate != nil {
		if *ov.CustomerChurnRate > 0 {
			ov.CLV = finite(*ov.ARPA * gm / *ov.CustomerChurnRate)
		} else {
			clvUndefined = true
		}
	}
	if predKnown {
		ov.PredictedChurn = finite(predSum)
		ov.PredictedToActual = ratio(predSum, float64(predActual))
	}
	if n := predictedNote(o, Month(from), Month(to)); n != "" {
		t.Notes = append(t.Notes, n)
	}
	if clvUndefined {
		t.Notes = append(t.Notes, "CLV is undefined (null) where there was no customer churn in the trailing 6 months (or in the range, for the overall figure): the expected lifetime is unbounded")
	}
	if missing := missingBefore + sumMissing(flows); missing > 0 {
		t.Notes = append(t.Notes, fmt.Sprintf("%d customer joins up to %s have no MRR; they count as MRR 0", missing, Month(to)))
	}

	// Cohort retention.
	for c := from; c <= to; c++ {
		size := a.Cohorts[CohortKey{Cohort: Month(c), Age: 0}]
		if size <= 0 {
			continue
		}
		row := CohortRow{Cohort: Month(c).String(), Size: size, Retained: []int64{}, Retention: []float64{}}
		left := size
		for k := 1; k <= cohortAges && c+int64(k) <= to; k++ {
			left -= a.Cohorts[CohortKey{Cohort: Month(c), Age: k}]
			row.Retained = append(row.Retained, left)
			row.Retention = append(row.Retention, float64(left)/float64(size))
		}
		t.Cohorts = append(t.Cohorts, row)
	}
	return t
}

// advance returns the stock at the start of the month after one with flow f.
func advance(s stock, f Flow) stock {
	s.customers += f.New + f.Reactivated - f.Churned
	s.mrr = sat(sat(sat(s.mrr, f.NewMRR), sat(f.ReactivationMRR, f.ExpansionMRR)), -sat(f.ContractionMRR, f.ChurnedMRR))
	return s
}

func sumMissing(fs []Flow) int64 {
	var n int64
	for _, f := range fs {
		n += f.MissingMRR
	}
	return n
}
