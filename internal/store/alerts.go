package store

import (
	"context"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"
)

// Alert rules and transitions: the at-risk state of a customer per webhook
// subscription, a Schmitt trigger so that a score wandering around the
// threshold alerts once per real crossing.

// AlertRule is one subscription's threshold.
type AlertRule struct {
	ID        string  // the subscription id
	Threshold float64 // at risk at or above it
	Clear     float64 // cleared below it (Threshold minus the hysteresis)
}

// Transition is a change of a customer's alert state for one subscription.
type Transition struct {
	RuleID string
	AtRisk bool // true: became at risk; false: risk cleared
}

// transitions applies a score to a customer's alert states (subscription id
// -> at risk) and returns the changes; states is updated in place.
func transitions(states map[string]bool, score float64, rules []AlertRule) []Transition {
	var out []Transition
	for _, r := range rules {
		at := states[r.ID]
		switch {
		case !at && score >= r.Threshold:
			states[r.ID] = true
			out = append(out, Transition{RuleID: r.ID, AtRisk: true})
		case at && score < r.Clear:
			delete(states, r.ID)
			out = append(out, Transition{RuleID: r.ID, AtRisk: false})
		}
	}
	return out
}

// Alerts applies a new score to the customer's alert states and returns the
// transitions, atomically: of two replicas scoring one customer at once,
// only one sees a given transition.
func (m *Mem) Alerts(_ context.Context, id string, score float64, rules []AlertRule) ([]Transition, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.get(id)
	if c.alerts == nil {
		c.alerts = map[string]bool{}
	}
	return transitions(c.alerts, score, rules), nil
}

// alertScript is the Redis version of transitions. KEYS: the customer's
// alert hash. ARGV: score, then id, threshold, clear per rule. It returns
// the transitions as id, 1 (at risk) or 0 (cleared) pairs.
var alertScript = redis.NewScript(`
local score = tonumber(ARGV[1])
local out = {}
for i = 2, #ARGV, 3 do
  local id, th, clr = ARGV[i], tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2])
  local at = redis.call('HEXISTS', KEYS[1], id) == 1
  if (not at) and score >= th then
    redis.call('HSET', KEYS[1], id, 1)
    table.insert(out, id); table.insert(out, 1)
  elseif at and score < clr then
    redis.call('HDEL', KEYS[1], id)
    table.insert(out, id); table.insert(out, 0)
  end
end
return out
`)

// Alerts applies a new score to the customer's alert states and returns the
// transitions, atomically (one Lua call on the customer's slot).
func (r *Redis) Alerts(ctx context.Context, id string, score float64, rules []AlertRule) ([]Transition, error) {
	if len(rules) == 0 {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	args := []any{strconv.FormatFloat(score, 'g', -1, 64)}
	for _, rl := range rules {
		args = append(args, rl.ID, strconv.FormatFloat(rl.Threshold, 'g', -1, 64), strconv.FormatFloat(rl.Clear, 'g', -1, 64))
	}
	res, err := alertScript.Run(ctx, r.c, []string{r.custKey(id) + "a"}, args...).Slice()
	if err != nil {
		return nil, r.fail(ctx, "alerts", err)
	}
	var out []Transition
	for i := 0; i+1 < len(res); i += 2 {
		rid, _ := res[i].(string)
		v, _ := res[i+1].(int64)
		out = append(out, Transition{RuleID: rid, AtRisk: v == 1})
	}
	return out, nil
}

// Client returns the store's Redis client, for components that keep their
// own keys next to the store's (the webhook queue).
func (r *Redis) Client() redis.UniversalClient { return r.c }

// String names the store without credentials.
func (r *Redis) String() string { return fmt.Sprintf("redis store (prefix %q)", r.prefix) }
