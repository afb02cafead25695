package metrics

import "fmt"

// DefaultMonths is the number of months a churn table shows when no range
// is asked for: the month of its end and the 11 before it.
const DefaultMonths = 12

// FirstChurn returns the first month in which a customer left, and false
// when no customer ever left.
func (a Aggregate) FirstChurn() (Month, bool) {
	var first Month
	found := false
	for m, f := range a.Flows {
		if f.Churned > 0 && (!found || m < first) {
			first, found = m, true
		}
	}
	return first, found
}

// DefaultFrom returns the first month of the range shown when only its end
// to is known: DefaultMonths months ending at to, but none before the first
// month in which a customer left. An export holds the customers who left
// only from the start of its records, while those who stayed signed up long
// before, so the months before it would show a churn rate of zero that
// dilutes every figure over the range. The second result is a note saying
// what was left out, "" when nothing was. The console's headline and
// `train metrics` both take their default range from here, so they agree on
// the same data.
func DefaultFrom(a Aggregate, to Month) (Month, string) {
	from := to - DefaultMonths + 1
	first, ok := a.FirstChurn()
	if !ok || first <= from || first > to {
		return from, ""
	}
	return first, fmt.Sprintf("the range starts at %s, the first month with a churned customer: the data observes no churn before it, so earlier months would show a churn rate of zero that says nothing", first)
}

// predictedNote says which months of the range have no predicted churn and
// why, or "" when every month has one or no month does.
func predictedNote(o Options, from, to Month) string {
	if len(o.Predicted) == 0 {
		return ""
	}
	var missing []Month
	for m := from; m <= to; m++ {
		if _, ok := o.Predicted[m]; !ok {
			missing = append(missing, m)
		}
	}
	if len(missing) == 0 {
		return ""
	}
	list := missing[0].String()
	if n := len(missing); n > 1 {
		if missing[n-1]-missing[0] == Month(n-1) {
			list += ".." + missing[n-1].String()
		} else {
			list = fmt.Sprint(missing)
		}
	}
	lookback := "a full lookback of events"
	if o.LookbackDays > 0 {
		lookback = fmt.Sprintf("a full lookback (%d days) of events", o.LookbackDays)
	}
	return fmt.Sprintf("predicted churn is absent (not zero) for %s: a month is back-tested only when %s lies before its start, otherwise every customer would look silent", list, lookback)
}
