package webhook

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"
)

// ErrSchedule reports a retry schedule that does not parse.
var ErrSchedule = errors.New("invalid retry schedule")

// jitter is the relative spread applied to each delay: +-20%.
const jitter = 0.2

// Schedule lists the delays before attempt 1, 2, ...; attempt 1's delay is
// normally 0. Its length is the maximum number of attempts.
type Schedule []time.Duration

// DefaultSchedule returns the Svix-like schedule: immediately, then after
// 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h (8 attempts over about 28 h).
func DefaultSchedule() Schedule {
	return Schedule{
		0,
		5 * time.Second,
		5 * time.Minute,
		30 * time.Minute,
		2 * time.Hour,
		5 * time.Hour,
		10 * time.Hour,
		10 * time.Hour,
	}
}

// ParseSchedule parses a comma-separated list of Go durations such as
// "0,100ms,1s" (spaces around items are ignored). It returns an error wrapping
// ErrSchedule, naming the item and its position, for an empty list, an empty
// item, a malformed or a negative duration.
func ParseSchedule(s string) (Schedule, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("%w: empty", ErrSchedule)
	}
	items := strings.Split(s, ",")
	out := make(Schedule, 0, len(items))
	for i, item := range items {
		item = strings.TrimSpace(item)
		if item == "" {
			return nil, fmt.Errorf("%w: item %d is empty", ErrSchedule, i+1)
		}
		d, err := time.ParseDuration(item)
		if err != nil {
			return nil, fmt.Errorf("%w: item %d %q is not a duration like 500ms, 5s or 2h", ErrSchedule, i+1, item)
		}
		if d < 0 {
			return nil, fmt.Errorf("%w: item %d %q is negative", ErrSchedule, i+1, item)
		}
		out = append(out, d)
	}
	return out, nil
}

// String returns the schedule in the form ParseSchedule reads.
func (s Schedule) String() string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = d.String()
	}
	return strings.Join(parts, ",")
}

// Next returns the delay before attempt n+1 after n failed attempts: the
// schedule's delay with +-20% jitter drawn from rng (no jitter when rng is
// nil), raised to retryAfter when that is longer. n < 1 is treated as 0, the
// delay before the first attempt. It returns ok=false, and no delay, when the
// schedule is exhausted (n >= len(s)).
func (s Schedule) Next(n int, retryAfter time.Duration, rng *rand.Rand) (d time.Duration, ok bool) {
	n = max(n, 0)
	if n >= len(s) {
		return 0, false
	}
	d = s[n]
	if rng != nil && d > 0 {
		f := 1 + jitter*(2*rng.Float64()-1)
		if j := float64(d) * f; j < math.MaxInt64 {
			d = time.Duration(j)
		} else {
			d = math.MaxInt64
		}
	}
	return max(d, retryAfter), true
}
