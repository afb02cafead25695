package progress

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestReporterLines(t *testing.T) {
	var buf bytes.Buffer
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	r := New(&buf, clk.now)
	r.Start("reading usage.csv", 100)
	clk.t = clk.t.Add(50 * time.Millisecond)
	r.Add(10) // too soon to redraw
	clk.t = clk.t.Add(100 * time.Millisecond)
	r.Add(40)
	clk.t = clk.t.Add(1850 * time.Millisecond)
	r.Start("fitting", 0) // finishes the first stage
	clk.t = clk.t.Add(500 * time.Millisecond)
	r.Done()
	r.Done() // nothing left to finish
	r.Add(5) // no stage: ignored
	r.StartBytes("reading tickets.csv", 3_000_000)
	clk.t = clk.t.Add(time.Second)
	r.Add(1_500_000)
	r.Done()
	want := "\r\x1b[Kreading usage.csv:   0% (0/100) 0.0s" +
		"\r\x1b[Kreading usage.csv:  50% (50/100) 0.1s" +
		"\r\x1b[Kreading usage.csv: done, 50 in 2.0s\n" +
		"\r\x1b[Kfitting ... 0.0s" +
		"\r\x1b[Kfitting: done in 0.5s\n" +
		"\r\x1b[Kreading tickets.csv:   0% (0.0 MB/3.0 MB) 0.0s" +
		"\r\x1b[Kreading tickets.csv:  50% (1.5 MB/3.0 MB) 1.0s" +
		"\r\x1b[Kreading tickets.csv: done, 1.5 MB in 1.0s\n"
	if got := buf.String(); got != want {
		t.Errorf("output\n got %q\nwant %q", got, want)
	}
}

func TestNilReporterIsSilent(t *testing.T) {
	var r *Reporter
	r.Start("x", 3)
	r.Add(1)
	r.Done()
}

func TestConcurrentAdd(t *testing.T) {
	var buf bytes.Buffer
	r := New(&buf, nil)
	r.Start("scoring", 8000)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				r.Add(1)
			}
		})
	}
	wg.Wait()
	r.Done()
	if !bytes.Contains(buf.Bytes(), []byte("scoring: done, 8000 in ")) {
		t.Errorf("summary: %q", buf.String())
	}
}

func TestForTerminal(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if ForTerminal(f, Terminal{}) != nil {
		t.Error("a regular file got progress")
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()
	if ForTerminal(pw, Terminal{}) != nil {
		t.Error("a pipe got progress")
	}
	// A pseudo-terminal's master side answers the terminal ioctl.
	pty, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer pty.Close()
	if ForTerminal(pty, Terminal{}) == nil {
		t.Error("a terminal got no progress")
	}
	if ForTerminal(pty, Terminal{CI: true}) != nil {
		t.Error("a CI run got progress")
	}
	if ForTerminal(pty, Terminal{Type: "dumb"}) != nil {
		t.Error("a dumb terminal got progress")
	}
}
