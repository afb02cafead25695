package training

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/churnrisk/churn/internal/data"
	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/model"
)

// Leakage guard thresholds: a feature whose validation ROC AUC alone (the
// larger of AUC and 1-AUC) reaches LeakDropAUC is left out before the fit;
// one that reaches LeakWarnAUC is kept with a warning.
const (
	LeakDropAUC = 0.975
	LeakWarnAUC = 0.85
)

// newSchema derives the feature schema of ds with the options of cfg. It
// returns an error wrapping data.ErrBadInput when a --date-attribute names
// no attribute column of the data.
func newSchema(ds *data.Dataset, cfg Config) (*features.Schema, error) {
	for _, name := range cfg.DateAttributes {
		if !hasAttribute(ds, name) {
			return nil, fmt.Errorf("%w: --date-attribute %s: customers.csv has no such attribute column (with a value)", data.ErrBadInput, name)
		}
	}
	behaviour := ds.HasEvents[data.Usage] || ds.HasEvents[data.Tickets] || ds.HasEvents[data.PageViews]
	return features.NewSchema(ds.Customers, features.SchemaOptions{Behaviour: behaviour, LookbackDays: cfg.LookbackDays,
		DateAttributes: cfg.DateAttributes}), nil
}

func hasAttribute(ds *data.Dataset, name string) bool {
	for i := range ds.Customers {
		if _, ok := ds.Customers[i].Attributes[name]; ok {
			return true
		}
	}
	return false
}

// guard is the leakage guard, run on the training rows before the fit. It
// records the date columns the schema left out, then scores every feature
// alone, and every attribute's missingness alone, by its ROC AUC on the
// validation rows (the rows the fit will hold out). A feature at
// LeakDropAUC or above is left out unless cfg.AllowFeatures names it or its
// column: an attribute column goes from the schema as a whole (the other
// levels of a one-hot block carry the same information), any other feature
// is masked (it reads as missing, so no learner can use it). It returns the
// rows and schema to fit on and records its findings and the kept feature
// names in meta.
func guard(rows *Rows, schema *features.Schema, cfg Config, meta *model.Metadata) (*Rows, *features.Schema, error) {
	cfg.defaults()
	var found []model.GuardFinding
	for _, c := range schema.DateColumns {
		found = append(found, model.GuardFinding{Feature: c, Action: model.GuardDropped,
			Reason: fmt.Sprintf("column %q holds dates, not categories: left out (--date-attribute %s turns it into the days before the as-of)", c, c)})
	}
	for _, name := range cfg.AllowFeatures {
		known := schema.Index(name) >= 0 || schema.AttributeFeatures(name) != nil || (name == "plan" && schema.Plan != nil)
		if !known {
			return nil, nil, fmt.Errorf("%w: --allow-feature %s: no such feature or attribute column (the features are listed in metadata.json)", data.ErrBadInput, name)
		}
	}
	_, valid := holdout(rows, cfg.ValidFraction, cfg.Seed)
	if p := valid.Positives(); p == 0 || p == valid.Len() {
		// Nothing to score against; the fit reports the missing class.
		meta.Guard = found
		return rows, schema, nil
	}
	column := featureColumns(schema)
	allowed := func(feature string) bool {
		return slices.Contains(cfg.AllowFeatures, feature) || slices.Contains(cfg.AllowFeatures, column[feature])
	}
	var dropCols, mask []string
	judge := func(feature, col string, auc float64, what string) {
		if math.IsNaN(auc) || auc < LeakWarnAUC {
			return
		}
		keep := feature
		if col != "" {
			keep = col
		}
		f := model.GuardFinding{Feature: feature, AUC: round4(auc)}
		switch {
		case auc < LeakDropAUC:
			f.Action = model.GuardWarned
			f.Reason = fmt.Sprintf("%s predicts churn almost alone (validation ROC AUC %.4f): kept; check that it is known before the churn", what, auc)
		case allowed(feature) || (col != "" && slices.Contains(cfg.AllowFeatures, col)):
			f.Action = model.GuardAllowed
			f.Reason = fmt.Sprintf("%s predicts churn alone (validation ROC AUC %.4f), a sign of leakage: kept as --allow-feature asked", what, auc)
		default:
			f.Action = model.GuardDropped
			f.Reason = fmt.Sprintf("%s predicts churn alone (validation ROC AUC %.4f), a sign of leakage: left out (--allow-feature %s keeps it)", what, auc, keep)
			switch {
			case col == "plan":
				mask = append(mask, planFeatures(schema)...)
			case col != "":
				dropCols = append(dropCols, col)
			default:
				mask = append(mask, feature)
			}
		}
		found = append(found, f)
	}
	col := make([]float64, valid.Len())
	masked := map[string]bool{}
	for _, n := range schema.Masked {
		masked[n] = true
	}
	for j, name := range schema.Names {
		if masked[name] {
			continue
		}
		for i, x := range valid.X {
			col[i] = x[j]
		}
		c := column[name]
		what := "feature " + name
		if c != "" && c != "plan" {
			what = fmt.Sprintf("feature %s (column %q)", name, c)
		}
		judge(name, c, soloAUC(valid.Y, col), what)
	}
	// Missingness: an attribute is missing when its feature is NaN or its
	// one-hot block is all zeros. A column already left out needs no more.
	oneHot := map[string]bool{"plan": true}
	for _, a := range schema.Attributes {
		oneHot[a.Name] = !a.Numeric && !a.Date
	}
	groups := map[string][]int{}
	for name, c := range column {
		groups[c] = append(groups[c], schema.Index(name))
	}
	cols := make([]string, 0, len(groups))
	for c := range groups {
		cols = append(cols, c)
	}
	slices.Sort(cols)
	for _, c := range cols {
		if slices.Contains(dropCols, c) {
			continue
		}
		idx := groups[c]
		for i, x := range valid.X {
			col[i] = 1
			for _, j := range idx {
				if !math.IsNaN(x[j]) && (x[j] != 0 || !oneHot[c]) {
					col[i] = 0
					break
				}
			}
		}
		judge("missing "+c, c, soloAUC(valid.Y, col), fmt.Sprintf("whether column %q is missing", c))
	}
	meta.Guard = found
	if len(dropCols) == 0 && len(mask) == 0 {
		return rows, schema, nil
	}
	slices.Sort(dropCols)
	kept := schema.Without(slices.Compact(dropCols), mask)
	meta.Features = kept.Names
	return project(rows, schema, kept), kept, nil
}

// featureColumns maps the features of attribute columns (and of the plan)
// to their column name.
func featureColumns(s *features.Schema) map[string]string {
	out := map[string]string{}
	for _, n := range planFeatures(s) {
		out[n] = "plan"
	}
	for _, a := range s.Attributes {
		for _, n := range s.AttributeFeatures(a.Name) {
			out[n] = a.Name
		}
	}
	return out
}

// planFeatures returns the names of the plan's one-hot block.
func planFeatures(s *features.Schema) []string {
	var out []string
	for _, n := range s.Names {
		if strings.HasPrefix(n, "plan_") {
			out = append(out, n)
		}
	}
	return out
}

// soloAUC is the ROC AUC of one feature alone against y, in the direction
// that predicts (max of AUC and 1-AUC), with missing values placed first
// and then last, keeping the larger: a feature whose presence alone
// predicts counts. NaN when y holds a single class or v is constant.
func soloAUC(y, v []float64) float64 {
	p := make([]float64, len(v))
	best := math.NaN()
	for _, fill := range []float64{math.Inf(-1), math.Inf(1)} {
		for i, x := range v {
			p[i] = x
			if math.IsNaN(x) {
				p[i] = fill
			}
		}
		a := model.ROCAUC(y, p)
		if math.IsNaN(a) {
			continue
		}
		a = math.Max(a, 1-a)
		if math.IsNaN(best) || a > best {
			best = a
		}
	}
	return best
}

// project returns rows with the columns of schema to, taken from the rows of
// schema from by feature name; masked features are NaN.
func project(rows *Rows, from, to *features.Schema) *Rows {
	src := make([]int, to.Len())
	for j, n := range to.Names {
		src[j] = from.Index(n)
	}
	for _, n := range to.Masked {
		if j := to.Index(n); j >= 0 {
			src[j] = -1
		}
	}
	p := to.Len()
	backing := make([]float64, rows.Len()*p)
	out := &Rows{X: make([][]float64, rows.Len()), Y: rows.Y, Day: rows.Day, Customer: rows.Customer}
	for i, x := range rows.X {
		r := backing[i*p : (i+1)*p : (i+1)*p]
		for j, k := range src {
			if k < 0 {
				r[j] = math.NaN()
			} else {
				r[j] = x[k]
			}
		}
		out.X[i] = r
	}
	return out
}

func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }
