//go:build !linux

package api

// lowerThreadPriority is a no-op where a thread's priority cannot be set
// apart from the process's: heavy work then runs at normal priority, bounded
// by the heavy slots alone.
func lowerThreadPriority() bool { return false }
