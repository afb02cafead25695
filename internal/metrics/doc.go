// Package metrics computes the actual churn figures of a customer base, per
// calendar month and over a range of months: customer churn rate, gross and
// net MRR churn rate, net revenue retention (NRR), customer lifetime value
// (CLV), predicted churn beside actual churn, and cohort retention.
//
// The figures are kept incrementally. Each customer (a Customer: its
// lifetimes and its MRR history) contributes per-month flows to a global
// Aggregate (Contribution); when a customer changes, the store adds the
// difference between the new and the old contribution (Aggregate.Add with
// sign -1 and +1, or Diff). Stocks (customers and MRR at the start of a
// month) are prefix sums of the flows of all earlier months, so a long-lived
// customer whose MRR does not change writes nothing month after month.
// Compute turns an Aggregate into the table of figures in O(number of
// months with flows + number of months asked for), whatever the number of
// customers.
//
// # Months
//
// Months are calendar months in UTC, encoded as year*12 + (month-1) (the
// encoding of data.MonthMRR). Every timestamp falls in the month that
// contains it: a customer who churned at 2026-03-01T00:00Z churned in March
// and was a customer at the start of March. A customer is a customer at the
// start of month M when one of its lifetimes joined in a month before M and
// had not ended in a month before M. A lifetime whose start is unknown (zero)
// joins in Month(0), the special month before all data, so it is a customer
// at the start of every month until it ends.
//
// # MRR of a customer
//
// MRR points give a customer's MRR at the end of a month; e(m) is the MRR at
// the end of month m: the value of the last point in or before m. Before its
// first point a customer has the value of its first point (the history is
// back-filled, so a history that begins after the signup does not count as
// expansion from 0); a customer without points has MRR 0 and counts as
// missing MRR. Negative and NaN MRR values count as 0; an infinite one, or
// one above value.MaxAmount, is an error (ErrRange).
//
// # Monthly flows of one customer
//
//   - A lifetime starting in month m: New (first lifetime) or Reactivated
//     (later ones), with NewMRR or ReactivationMRR = e(m): changes inside
//     the joining month fold into it. A joiner of a customer without any MRR
//     point also counts in MissingMRR.
//   - A lifetime ending in month m: Churned, with ChurnedMRR = the MRR at the
//     start of m, e(m-1). If it also joined in m, it counts in
//     ChurnedJoiners as well and carries no MRR at all (neither NewMRR nor
//     ChurnedMRR): it was never in a start-of-month stock. Churned includes
//     ChurnedJoiners; the churn rate excludes them.
//   - A month m strictly inside a lifetime (a customer at the start of m and
//     not ending in m): delta = e(m) - e(m-1); delta > 0 is ExpansionMRR,
//     delta < 0 is ContractionMRR (stored positive). Several changes inside
//     one month count as their net change.
//
// Cohorts: a customer whose first lifetime has a known start belongs to the
// cohort of that start month (age 0 counts the cohort's size); if the first
// lifetime ended in month E, it counts at age E - cohort + 1, the first
// month at whose start it is no longer a customer. Later lifetimes do not
// count in cohorts.
//
// # Figures of month M
//
//   - CustomersStart(M) = sum over months < M of New + Reactivated - Churned.
//   - MRRStart(M) = sum over months < M of NewMRR + ReactivationMRR +
//     ExpansionMRR - ContractionMRR - ChurnedMRR.
//   - Customer churn rate = (Churned - ChurnedJoiners) / CustomersStart.
//   - Gross MRR churn rate = (ChurnedMRR + ContractionMRR) / MRRStart.
//   - Net MRR churn rate = (ChurnedMRR + ContractionMRR - ExpansionMRR -
//     ReactivationMRR) / MRRStart; it can be negative. Example: start 100,
//     churned 10, contraction 10, expansion 10 gives gross 20%, net 10%.
//   - NRR = (MRRStart - ChurnedMRR - ContractionMRR + ExpansionMRR) /
//     MRRStart: the MRR at the end of the month of the customers who were
//     customers at its start, over their MRR at its start.
//   - ARPA = MRRStart / CustomersStart.
//   - CLV = ARPA x gross margin / the mean customer churn rate of the
//     trailing 6 months M-5..M, counting only months with customers at their
//     start. With no churn in that window the lifetime is unbounded: CLV is
//     null and a note says so.
//   - Predicted churn: the sum of the churn probabilities of the customers
//     active at the start of M (given by the caller), beside the actual churn
//     (Churned - ChurnedJoiners), and their ratio predicted / actual. A
//     month the caller could not predict is absent (null, not zero), and a
//     note names those months (a back-test needs a full lookback of events
//     before a month's start).
//
// # The ledger of the scores
//
// Predicted churn and revenue at risk follow the stored scores through a
// ledger (Ledger): the running sum of the scores of current customers, the
// revenue at risk, and each month's predicted churn, fixed at the score sum
// as it was before the month's first change. Each customer holds a Share of
// the sums; Share.Scored and Share.Profiled are the rule that says what a
// new score or a new profile changes (a customer who has left is not
// counted), and the stores apply the Change it returns.
//
// Without a requested range, DefaultFrom gives the 12 months up to the last
// one, starting no earlier than the first month with a churned customer;
// the API and `train metrics` both use it.
//
// Rates are fractions (0.2 is 20%). A figure whose denominator is zero (or
// negative) is null, never NaN or infinite.
//
// Over a range From..To: the flows are summed; the customer churn rate is the
// sum of churned-from-start over the sum of CustomersStart; the MRR rates and
// NRR likewise over the sum of MRRStart; ARPA is the sum of MRRStart over the
// sum of CustomersStart, and CLV uses the range's churn rate.
//
// Cohort retention: for every cohort month C in the range with signups, the
// share of the cohort still a customer (in its first lifetime) at the start
// of C+k, for k = 1..12 while C+k <= To.
//
// Without a revenue history (revenue.csv) a customer has a single MRR point,
// so expansion and contraction are zero, and the table says so in a note.
//
// # Exact arithmetic
//
// Sums are integers (units.go): MRR amounts in cents (Cents, rounded half
// away from zero when they enter Contribution), scores and predicted churn
// in millionths (Micros), counts as counts, so adding a contribution and
// subtracting it again restores an Aggregate exactly, in any order. Every
// stored sum is bounded by MaxSum; Aggregate.Add and Ledger.Apply refuse
// (ErrRange) an addition that would pass it, changing nothing. Figures
// become float64 only in Compute's table and Ledger.PredictedAt.
package metrics
