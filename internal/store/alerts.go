package store

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/churnrisk/churn/internal/alerts"
)

// The alert states of a customer: whether it is at risk for each webhook
// subscription. The trigger is package alerts'; the stores keep the states
// and apply its decisions atomically, so that of two replicas scoring one
// customer at once only one sees a given transition.

// AlertRule is one subscription's trigger (alerts.Rule).
type AlertRule = alerts.Rule

// Transition is a change of a customer's alert state for one subscription
// (alerts.Transition).
type Transition = alerts.Transition

// Alerts applies a new score to the customer's alert states and returns the
// transitions (alerts.Evaluate; a customer who has left, as of its last
// profile, keeps its states), atomically.
func (m *Mem) Alerts(_ context.Context, id string, score float64, rules []AlertRule) ([]Transition, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.get(id)
	if c.alerts == nil {
		c.alerts = map[string]bool{}
	}
	return alerts.Evaluate(c.alerts, score, c.share.Left, rules), nil
}

// alertScript applies the trigger's decision table to a customer's alert
// states. KEYS: the customer's alert hash, its :f hash (field left: the
// customer has left). ARGV, per rule: id, then its next state ("1" at risk,
// "0" not) for each state before, in the order of alertTable. It returns
// the transitions as id, 1 (at risk) or 0 (cleared) pairs.
var alertScript = redis.NewScript(`
local left = redis.call('HEXISTS', KEYS[2], 'left')
local out = {}
for i = 1, #ARGV, 5 do
  local id = ARGV[i]
  local at = redis.call('HEXISTS', KEYS[1], id)
  local nxt = tonumber(ARGV[i + 1 + at + 2 * left])
  if nxt ~= at then
    if nxt == 1 then redis.call('HSET', KEYS[1], id, 1) else redis.call('HDEL', KEYS[1], id) end
    table.insert(out, id); table.insert(out, nxt)
  end
end
return out
`)

// alertTable appends rule r's row of the decision table of a score: its
// next state (alerts.Rule.Next) for each state before: not at risk, at
// risk; then the same for a customer who has left.
func alertTable(args []any, r AlertRule, score float64) []any {
	args = append(args, r.ID)
	for _, left := range []bool{false, true} {
		for _, at := range []bool{false, true} {
			next := "0"
			if r.Next(at, score, left) {
				next = "1"
			}
			args = append(args, next)
		}
	}
	return args
}

// Alerts applies a new score to the customer's alert states and returns the
// transitions, atomically, in one round trip: the trigger's decisions for
// every state the customer may be in are computed here, and one Lua call on
// the customer's slot applies the one of the state it is in.
func (r *Redis) Alerts(ctx context.Context, id string, score float64, rules []AlertRule) ([]Transition, error) {
	if len(rules) == 0 {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	args := make([]any, 0, 5*len(rules))
	for _, rl := range rules {
		args = alertTable(args, rl, score)
	}
	k := r.custKey(id)
	res, err := alertScript.Run(ctx, r.c, []string{k + "a", k + "f"}, args...).Slice()
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
