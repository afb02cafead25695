package main

import (
	"flag"
	"io"
	"strings"
	"testing"
)

// TestHelp: `train -h` and `train CMD -h` exit 0 and print, on stdout, a
// description, every flag of the command with its default, and an example.
func TestHelp(t *testing.T) {
	code, out, errs := runCmd(t, "-h")
	if code != 0 || !strings.Contains(out, "train reads exported customer data") || !strings.Contains(out, "example:\n  train gen") || errs != "" {
		t.Errorf("train -h: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	for name := range docs {
		for _, h := range []string{"-h", "--help"} {
			t.Run(name+h, func(t *testing.T) {
				code, out, errs := runCmd(t, name, h)
				if code != 0 || errs != "" {
					t.Fatalf("exit %d, stderr %q; want 0 and nothing", code, errs)
				}
				if !strings.HasPrefix(out, "usage: train "+name+" [flags]\n\n"+strings.Fields(docs[name].about)[0]) {
					t.Errorf("help does not start with the usage and the description:\n%s", out)
				}
				if !strings.HasSuffix(out, "example:\n  "+docs[name].example+"\n") || !strings.Contains(docs[name].example, "train "+name) {
					t.Errorf("help does not end with an example of train %s:\n%s", name, out)
				}
				// Every flag the command defines, each with its default.
				fs := flagsOf(t, name)
				n := 0
				fs.VisitAll(func(f *flag.Flag) {
					n++
					i := strings.Index(out, "\n  --"+f.Name+"\n")
					if i < 0 {
						i = strings.Index(out, "\n  --"+f.Name+" ")
					}
					if i < 0 {
						t.Errorf("flag --%s missing from the help", f.Name)
						return
					}
					lines := strings.SplitN(out[i+1:], "\n", 3)
					if len(lines) < 2 || !strings.Contains(lines[1], "(default: "+f.DefValue) {
						t.Errorf("flag --%s has no default %q in %q", f.Name, f.DefValue, lines)
					}
				})
				if n == 0 {
					t.Errorf("train %s defines no flags", name)
				}
			})
		}
	}
	// An unknown flag is still bad usage, with the usage on stderr.
	code, out, errs = runCmd(t, "fit", "--no-such-flag")
	if code != 2 || out != "" || !strings.Contains(errs, "flag provided but not defined: -no-such-flag") || !strings.Contains(errs, "usage: train fit [flags]") {
		t.Errorf("unknown flag: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

// flagsOf returns the flag set train name defines, captured by asking it
// for help.
func flagsOf(t *testing.T, name string) *flag.FlagSet {
	t.Helper()
	var got *flag.FlagSet
	saved := captureFlagSet
	captureFlagSet = func(fs *flag.FlagSet) { got = fs }
	defer func() { captureFlagSet = saved }()
	_ = dispatch(t.Context(), name, []string{"-h"}, func(string) string { return "" }, io.Discard, io.Discard)
	if got == nil {
		t.Fatalf("train %s made no flag set", name)
	}
	return got
}
