package api

import "golang.org/x/sys/unix"

// lowerThreadPriority gives the calling OS thread the lowest CPU priority
// (nice 19): it runs when a core would otherwise be idle and yields to
// every thread of normal priority. On Linux the priority is per thread.
// It reports whether that could be done.
func lowerThreadPriority() bool {
	return unix.Setpriority(unix.PRIO_PROCESS, unix.Gettid(), 19) == nil
}
