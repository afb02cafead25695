// Package rediserr decides what a go-redis error means for the caller: Redis
// cannot serve right now (an outage: retry later, answer 503), or the request
// itself is wrong (a bug). The stores on Redis wrap their own "unavailable"
// sentinel when Unavailable says so.
package rediserr

import (
	"errors"
	"strings"

	"github.com/redis/go-redis/v9"
)

// Unavailable reports whether err, returned by a go-redis call, means Redis
// cannot serve right now: a network error, a timeout, a closed pool, or a
// transient server state (LOADING, CLUSTERDOWN, TRYAGAIN, MASTERDOWN,
// READONLY, BUSY, MISCONF, OOM, NOREPLICAS, MOVED, ASK, too many clients).
// Any other Redis error reply (wrong type, a script error) and redis.Nil are
// not an outage. The caller decides first whether a context.Canceled is its
// own cancellation, which is not an outage either.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var re redis.Error
	if !errors.As(err, &re) {
		return true // network errors, timeouts, a closed pool
	}
	if redis.IsLoadingError(err) || redis.IsClusterDownError(err) || redis.IsTryAgainError(err) ||
		redis.IsMasterDownError(err) || redis.IsReadOnlyError(err) || redis.IsMaxClientsError(err) ||
		redis.IsOOMError(err) || redis.IsNoReplicasError(err) {
		return true
	}
	if _, ok := redis.IsMovedError(err); ok {
		return true
	}
	if _, ok := redis.IsAskError(err); ok {
		return true
	}
	msg := re.Error()
	for _, p := range transientPrefixes {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// transientPrefixes are Redis error replies that mean "not now" rather than
// "wrong request".
var transientPrefixes = []string{"LOADING ", "CLUSTERDOWN ", "TRYAGAIN ", "MASTERDOWN ", "READONLY ", "BUSY ",
	"MISCONF ", "OOM ", "NOREPLICAS ", "MOVED ", "ASK ", "ERR max number of clients reached"}
