package model

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// LockFile is the name of the lock file inside a models directory.
const LockFile = ".lock"

// LockStaleAfter is the age after which a lock is considered abandoned.
const LockStaleAfter = 6 * time.Hour

// ErrLocked is returned by Lock when another live process holds the lock.
var ErrLocked = errors.New("models directory is locked")

// Lock takes the exclusive lock of the models directory (creating it), so
// that two training runs never write it at once. The lock is the file
// Dir/.lock, created with O_CREATE|O_EXCL and holding the holder's pid and
// start time. A lock older than LockStaleAfter, or whose pid no longer
// runs on this host, or that cannot be parsed, is stale and is taken over.
// The returned unlock removes the file; call it once. On failure it returns
// an error wrapping ErrLocked that names the holder, or the I/O error.
func (r Registry) Lock() (unlock func(), err error) {
	if err := os.MkdirAll(r.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("lock %s: %w", r.Dir, err)
	}
	path := filepath.Join(r.Dir, LockFile)
	for attempt := 0; attempt < 2; attempt++ {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			_, werr := fmt.Fprintf(f, "%d %s\n", os.Getpid(), time.Now().UTC().Format(time.RFC3339))
			cerr := f.Close()
			if werr != nil || cerr != nil {
				os.Remove(path)
				return nil, fmt.Errorf("lock %s: %w", path, errors.Join(werr, cerr))
			}
			return func() { os.Remove(path) }, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		holder, stale := lockHolder(path)
		if !stale {
			return nil, fmt.Errorf("%w: %s is held by %s (another training run; remove the file if that process is gone)", ErrLocked, path, holder)
		}
		// Stale: remove it and try once more. Two processes taking over the
		// same stale lock at once are resolved by O_EXCL on the retry.
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("lock %s: remove stale lock: %w", path, err)
		}
	}
	return nil, fmt.Errorf("%w: %s was taken by another process", ErrLocked, path)
}

// lockHolder describes the holder of the lock file at path and says whether
// the lock is stale.
func lockHolder(path string) (string, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		// Vanished between open and read: let the caller retry.
		return "unknown", errors.Is(err, os.ErrNotExist)
	}
	fields := strings.Fields(string(b))
	if len(fields) != 2 {
		st, err := os.Stat(path)
		// A half-written lock from a live process is young; an old unparsable
		// one is stale.
		return fmt.Sprintf("unreadable lock %q", strings.TrimSpace(string(b))), err == nil && time.Since(st.ModTime()) > time.Minute
	}
	pid, perr := strconv.Atoi(fields[0])
	at, terr := time.Parse(time.RFC3339, fields[1])
	if perr != nil || terr != nil || pid <= 0 {
		return fmt.Sprintf("unreadable lock %q", strings.TrimSpace(string(b))), true
	}
	holder := fmt.Sprintf("pid %d since %s", pid, at.Format(time.RFC3339))
	if time.Since(at) > LockStaleAfter {
		return holder, true
	}
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return holder, true
	}
	return holder, false
}
