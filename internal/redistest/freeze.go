package redistest

import (
	"syscall"
)

// Freeze suspends the server (SIGSTOP), as a stalled host or a long pause
// would: connections are still accepted by the kernel and commands are
// still received into its buffers, but nothing is answered until Thaw, when
// the server runs what it received meanwhile. It fails the test when the
// server is not running. The server is thawed at the end of the test, before
// it is stopped.
func (s *Server) Freeze() {
	s.t.Helper()
	if s.cmd == nil || s.cmd.Process == nil {
		s.t.Fatal("freeze: the server is not running")
	}
	if err := s.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		s.t.Fatalf("freeze redis-server: %v", err)
	}
	s.t.Cleanup(s.Thaw)
}

// Thaw resumes a frozen server (SIGCONT). It does nothing when the server
// is not running or not frozen.
func (s *Server) Thaw() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(syscall.SIGCONT)
	}
}
