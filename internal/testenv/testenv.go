// Package testenv tells tests about the build they run in. Numerical
// quality tests (fits of whole data sets, cross-validation) take ten to
// fifteen times longer under the race detector while testing no concurrency
// that the smaller tests of the same code do not; they call SkipUnderRace,
// and `make test` runs their packages a second time without -race.
package testenv

import "testing"

// SkipUnderRace skips a numerical test in a -race build, saying where it runs.
func SkipUnderRace(t testing.TB) {
	t.Helper()
	if Race {
		t.Skip("numerical test: `make test` runs it without -race")
	}
}
