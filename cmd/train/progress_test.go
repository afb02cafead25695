package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal: what the program writes to tty, the
// test reads from master.
func openPTY(t *testing.T) (master, tty *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlock pty: %v", err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("pty number: %v", err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open pty: %v", err)
	}
	return m, s
}

// TestProgressOnTerminal: on a terminal, gen and fit show their stages;
// into a file or pipe (every other test) nothing but the results.
func TestProgressOnTerminal(t *testing.T) {
	t.Setenv("CI", "") // progress is off in CI logs; this test stands for a person's terminal
	t.Setenv("TERM", "xterm")
	master, tty := openPTY(t)
	var screen bytes.Buffer
	read := make(chan struct{})
	go func() {
		defer close(read)
		io.Copy(&screen, master) // ends with EIO once the terminal side closes
	}()
	dir := t.TempDir()
	var out bytes.Buffer
	env := func(string) string { return "" }
	for _, args := range [][]string{
		{"gen", "--out", dir + "/data", "--customers", "300", "--days", "240", "--end", "2026-06-30", "--seed", "3"},
		{"fit", "--data", dir + "/data", "--out", dir + "/models"},
		{"evaluate", "--data", dir + "/data", "--cv", "2", "--snapshot-every", "14d"},
	} {
		if err := run(context.Background(), args, env, &out, tty); err != nil {
			t.Fatalf("%s: %v", args[0], err)
		}
	}
	tty.Close()
	<-read
	got := strings.ReplaceAll(screen.String(), "\r\n", "\n")
	for _, want := range []string{
		"generating customers: done, 300 in ",
		"reading customers.csv: done, ",
		"reading usage.csv: done, ",
		"building training rows: done in ",
		"fitting gradient_boosted_trees: done in ",
		"fitting logistic_regression: done in ",
		"on all rows: done in ",
		"cross-validation (2 folds): done, 2 in ",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the terminal lacks %q:\n%q", want, got)
		}
	}
	if strings.Contains(out.String(), "\x1b[K") {
		t.Error("progress went to stdout")
	}

	// Not a terminal: no progress.
	f, err := os.Create(dir + "/stderr.log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := run(context.Background(), []string{"gen", "--out", dir + "/data2", "--customers", "50", "--days", "60", "--seed", "3"}, env, &out, f); err != nil {
		t.Fatal(err)
	}
	logged, _ := os.ReadFile(dir + "/stderr.log")
	if bytes.Contains(logged, []byte("generating customers")) {
		t.Errorf("progress written to a file: %q", logged)
	}
}
