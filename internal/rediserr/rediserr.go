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
// READONLY, BUSY, MISCONF, OOM, NOREPLICAS, MOVED, ASK, too many clients,
// EXECABORT), also when a script's error carries one of them. Any other
// Redis error reply (wrong type, a script's own error) and redis.Nil are
// not an outage. The caller decides first whether a context.Canceled is its
// own cancellation, which is not an outage either.
//
// Out of memory: with maxmemory reached (policy noeviction, or nothing left
// to evict) Redis refuses every command that may grow the data with "OOM
// command not allowed when used memory > 'maxmemory'."; reads and deletes
// still run. A script gets that refusal at its first write and Redis 7
// answers the script call with it, the code first ("OOM ... script: <sha>,
// on @user_script:<line>."); Redis 6 wraps it ("ERR Error running script
// (call to f_<sha>): @user_script:<line>: -OOM ..."), which is unwrapped
// here. Inside MULTI, Redis refuses to queue any command but EXEC and
// DISCARD, reads included, and then EXEC answers "EXECABORT Transaction
// discarded because of previous errors.".
//
// EXECABORT is an outage whatever its cause. It means that Redis refused to
// queue a command, and nothing of the transaction ran. The other cause
// besides a server state (OOM, READONLY, MISCONF, ...) is a malformed
// command (unknown, wrong arity), which would be a bug of the fixed code
// that builds the transaction, failing on every call, so found by the tests
// rather than in production; the client's request is not at fault either
// way, and a 503 with Retry-After is the honest answer to it.
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
	return transient(re.Error())
}

// transient reports whether a Redis error reply means "not now": one of
// transientPrefixes, or a Redis 6 script error wrapping one.
func transient(msg string) bool {
	for _, p := range transientPrefixes {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	if strings.HasPrefix(msg, scriptError) {
		if i := strings.Index(msg, ": -"); i >= 0 {
			return transient(msg[i+3:])
		}
	}
	return false
}

// scriptError starts the reply of Redis 6 to a script whose redis.call
// failed; the command's own error follows after ": -".
const scriptError = "ERR Error running script"

// transientPrefixes are Redis error replies that mean "not now" rather than
// "wrong request".
var transientPrefixes = []string{"LOADING ", "CLUSTERDOWN ", "TRYAGAIN ", "MASTERDOWN ", "READONLY ", "BUSY ",
	"MISCONF ", "OOM ", "NOREPLICAS ", "MOVED ", "ASK ", "EXECABORT ", "ERR max number of clients reached"}
