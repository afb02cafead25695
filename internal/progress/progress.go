// Package progress shows how far a long run has got, on a terminal only:
// one line per stage, redrawn in place at most ten times a second, then left
// as a summary ("fitting gradient_boosted_trees: done, 158 in 2.1s"). In a
// pipe, a file or a CI log nothing is written (see ForTerminal).
//
// A nil *Reporter is valid and silent, so code that can report progress
// takes one and callers that do not want it pass nil.
package progress

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/term"
)

// redrawEvery bounds how often the line is redrawn.
const redrawEvery = 100 * time.Millisecond

// Reporter writes the progress of one stage at a time. Its methods are safe
// for concurrent use (workers may call Add).
type Reporter struct {
	w   io.Writer
	now func() time.Time

	mu      sync.Mutex
	stage   string
	total   int
	done    int
	bytes   bool // count bytes (shown in MB) rather than items
	started time.Time
	drawn   time.Time
	open    bool // a stage line is on screen without its newline
}

// New returns a Reporter writing to w. now is the clock (nil: time.Now).
func New(w io.Writer, now func() time.Time) *Reporter {
	if now == nil {
		now = time.Now
	}
	return &Reporter{w: w, now: now}
}

// Terminal is what ForTerminal needs to know of the run's environment; the
// command fills it (from the CI and TERM variables): this package reads no
// environment.
type Terminal struct {
	// CI says the run is a CI job: its log is kept, not watched, even when
	// it is attached to a terminal.
	CI bool
	// Type is the terminal type (TERM); "dumb" cannot redraw a line.
	Type string
}

// ForTerminal returns a Reporter on f when f is a terminal, the run is not
// a CI job and the terminal is not a dumb one, and nil (silent) otherwise.
func ForTerminal(f *os.File, t Terminal) *Reporter {
	if f == nil || t.CI || t.Type == "dumb" || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return New(f, nil)
}

// Start begins a stage of total steps (0 when the total is not known),
// finishing the previous stage if it is still open.
func (r *Reporter) Start(stage string, total int) { r.start(stage, total, false) }

// StartBytes is Start for a stage that counts bytes (a file being read).
func (r *Reporter) StartBytes(stage string, total int) { r.start(stage, total, true) }

func (r *Reporter) start(stage string, total int, bytes bool) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.open {
		r.finish()
	}
	r.stage, r.total, r.done, r.bytes = stage, total, 0, bytes
	r.started = r.now()
	r.open = true
	r.draw()
}

// Add records n more steps of the current stage.
func (r *Reporter) Add(n int) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.open {
		return
	}
	r.done += n
	if r.now().Sub(r.drawn) >= redrawEvery {
		r.draw()
	}
}

// Done finishes the current stage with its summary line.
func (r *Reporter) Done() {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.open {
		r.finish()
	}
}

// draw rewrites the stage's line in place. Called with mu held.
func (r *Reporter) draw() {
	r.drawn = r.now()
	elapsed := r.drawn.Sub(r.started).Seconds()
	switch {
	case r.total > 0:
		pct := 100 * float64(min(r.done, r.total)) / float64(r.total)
		fmt.Fprintf(r.w, "\r\x1b[K%s: %3.0f%% (%s/%s) %.1fs", r.stage, pct, r.count(r.done), r.count(r.total), elapsed)
	case r.done > 0:
		fmt.Fprintf(r.w, "\r\x1b[K%s: %s %.1fs", r.stage, r.count(r.done), elapsed)
	default:
		fmt.Fprintf(r.w, "\r\x1b[K%s ... %.1fs", r.stage, elapsed)
	}
}

// finish replaces the stage's line by its summary. Called with mu held.
func (r *Reporter) finish() {
	elapsed := r.now().Sub(r.started).Seconds()
	if r.done > 0 {
		fmt.Fprintf(r.w, "\r\x1b[K%s: done, %s in %.1fs\n", r.stage, r.count(r.done), elapsed)
	} else {
		fmt.Fprintf(r.w, "\r\x1b[K%s: done in %.1fs\n", r.stage, elapsed)
	}
	r.open = false
}

// count formats n steps: bytes in megabytes, items as a number.
func (r *Reporter) count(n int) string {
	if r.bytes {
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprint(n)
}
