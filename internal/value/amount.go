package value

import (
	"errors"
	"fmt"
	"math"
	"strconv"
)

// MaxAmount is the largest amount the contract accepts: a monthly recurring
// revenue (mrr of customers.csv, revenue.csv and PUT /v1/customers) or an
// event quantity (quantity of usage.csv and POST /v1/events).
//
// Why 1e12: the largest plausible monthly revenue of one account, about
// US$100 million, written in a currency of some 10,000 units to the dollar,
// with margin. A single amount up to it is exact to far below a cent in a
// float64 (the spacing at 1e12 is 1.2e-4), and a float64 sum of such amounts
// keeps cents up to about 2^52 cents (4.5e13, 45 maximal accounts, far above
// any real business); beyond the bound nothing holds: at 1e19 a sum absorbs
// a whole dollar value beside it, and at 1e308 two values overflow to +Inf.
// For quantities, a day's total of allowed values cannot overflow: 1e12 x
// the 10,000 events of one request is 1e16, and reaching math.MaxFloat64
// would take some 1e296 events.
const MaxAmount = 1e12

// CheckAmount reports whether v is an amount of the contract: a finite number
// in [0, MaxAmount]. The error is a reason phrase for a field error, without
// the field's name.
func CheckAmount(v float64) error {
	return checkAmount(v, strconv.FormatFloat(v, 'g', -1, 64))
}

// ParseAmount parses a decimal number (surrounding white space is not
// trimmed) and checks it as CheckAmount does. Text that is not a number
// returns a "cannot parse" error; NaN, an infinity, a negative number or one
// above MaxAmount an error quoting the text.
func ParseAmount(s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) || math.IsNaN(v) {
		return 0, fmt.Errorf("cannot parse %s as a number", Quote(s))
	}
	if err != nil { // a number too large in magnitude for a float64
		v = math.Copysign(math.MaxFloat64, v)
	}
	if err := checkAmount(v, Quote(s)); err != nil {
		return 0, err
	}
	return v, nil
}

// checkAmount is CheckAmount with the value shown as shown.
func checkAmount(v float64, shown string) error {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return fmt.Errorf("must be a finite number, got %s", shown)
	case v < 0:
		return fmt.Errorf("must be >= 0, got %s", shown)
	case v > MaxAmount:
		return fmt.Errorf("must be at most %g, got %s", float64(MaxAmount), shown)
	}
	return nil
}
