package value

import (
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		err  string
	}{
		{in: "2026-03-01", want: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)},
		{in: " 2026-03-01 ", want: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)},
		{in: "2026-03-01T12:34:56Z", want: time.Date(2026, 3, 1, 12, 34, 56, 0, time.UTC)},
		{in: "2026-03-01T12:34:56.5Z", want: time.Date(2026, 3, 1, 12, 34, 56, 5e8, time.UTC)},
		{in: "2026-03-01T12:00:00+02:00", want: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)},
		{in: "2026-03-01 12:00:00Z", want: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)},
		{in: "2024-02-29", want: time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
		{in: "2026-13-01", err: `cannot parse "2026-13-01"`},
		{in: "2026-02-29", err: `cannot parse "2026-02-29"`},
		{in: "2026-03-01T24:00:00Z", err: `cannot parse "2026-03-01T24:00:00Z"`},
		{in: "2026-03-01T12:00:00", err: `cannot parse "2026-03-01T12:00:00"`},
		{in: "03/01/2026", err: `cannot parse "03/01/2026"`},
		{in: "", err: `cannot parse ""`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTime(tt.in)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("ParseTime(%q) error = %v, want %q", tt.in, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseTime(%q): %v", tt.in, err)
			}
			if !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Errorf("ParseTime(%q) = %v, want %v (UTC)", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzParseTime checks that the fast path agrees with time.Parse.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2026-03-01", "2026-03-01T12:00:00Z", "2024-02-29", "2026-02-29", "0000-01-01T00:00:00Z", "2026-03-01T23:59:60Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseFastTime(s)
		layout := time.DateOnly
		if len(s) != 10 {
			layout = time.RFC3339
		}
		want, err := time.Parse(layout, s)
		if ok && (err != nil || !want.Equal(got)) {
			t.Fatalf("fast path parsed %q as %v; time.Parse: %v, %v", s, got, want, err)
		}
		if !ok && err == nil && (len(s) == 10 || len(s) == 20 && s[19] == 'Z' && s[10] == 'T') {
			t.Fatalf("fast path rejected %q, time.Parse accepts it as %v", s, want)
		}
	})
}

func TestParseBool(t *testing.T) {
	for _, s := range []string{"yes", "YES", "true", "True", "1", "y", "Y", " yes "} {
		if v, err := ParseBool(s); err != nil || !v {
			t.Errorf("ParseBool(%q) = %v, %v; want true", s, v, err)
		}
	}
	for _, s := range []string{"no", "No", "false", "FALSE", "0", "n", "N"} {
		if v, err := ParseBool(s); err != nil || v {
			t.Errorf("ParseBool(%q) = %v, %v; want false", s, v, err)
		}
	}
	for _, s := range []string{"", "maybe", "2", "yess", "t"} {
		if _, err := ParseBool(s); err == nil {
			t.Errorf("ParseBool(%q): no error", s)
		}
	}
}

func TestIsMissing(t *testing.T) {
	tests := map[string]bool{
		"": true, "  ": true, "NA": true, "na": true, "N/A": true, "n/a": true,
		"null": true, "NULL": true, "NaN": true, " nan ": true,
		"0": false, "none": false, "N": false, "nil": false, "NAN1": false, "x": false,
	}
	for in, want := range tests {
		if got := IsMissing(in); got != want {
			t.Errorf("IsMissing(%q) = %v, want %v", in, got, want)
		}
	}
}
