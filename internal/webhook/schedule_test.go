package webhook

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDefaultSchedule(t *testing.T) {
	want := Schedule{0, 5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour}
	if got := DefaultSchedule(); !slices.Equal(got, want) {
		t.Fatalf("DefaultSchedule = %v, want %v", got, want)
	}
	if s := DefaultSchedule().String(); s != "0s,5s,5m0s,30m0s,2h0m0s,5h0m0s,10h0m0s,10h0m0s" {
		t.Fatalf("String = %q", s)
	}
}

func TestParseSchedule(t *testing.T) {
	tests := []struct {
		in      string
		want    Schedule
		errText string
	}{
		{in: "0,100ms,1s", want: Schedule{0, 100 * time.Millisecond, time.Second}},
		{in: " 0 , 5s ,2h ", want: Schedule{0, 5 * time.Second, 2 * time.Hour}},
		{in: "250ms", want: Schedule{250 * time.Millisecond}},
		{in: "0s,5s,5m0s,30m0s,2h0m0s,5h0m0s,10h0m0s,10h0m0s", want: DefaultSchedule()},
		{in: "", errText: "empty"},
		{in: "   ", errText: "empty"},
		{in: "1s,,2s", errText: "item 2 is empty"},
		{in: "1s,", errText: "item 2 is empty"},
		{in: "abc", errText: `item 1 "abc" is not a duration`},
		{in: "1s, 2x", errText: `item 2 "2x" is not a duration`},
		{in: "5", errText: `item 1 "5" is not a duration`},
		{in: "0,-1s", errText: `item 2 "-1s" is negative`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSchedule(tt.in)
			if tt.errText != "" {
				if !errors.Is(err, ErrSchedule) || !strings.Contains(err.Error(), tt.errText) {
					t.Fatalf("ParseSchedule(%q) = %v, %v; want error saying %q", tt.in, got, err, tt.errText)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Fatalf("ParseSchedule(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestScheduleNextWithoutJitter(t *testing.T) {
	s := Schedule{0, time.Second, 10 * time.Second}
	tests := []struct {
		n          int
		retryAfter time.Duration
		want       time.Duration
		ok         bool
	}{
		{n: -3, want: 0, ok: true},
		{n: 0, want: 0, ok: true},
		{n: 1, want: time.Second, ok: true},
		{n: 2, want: 10 * time.Second, ok: true},
		{n: 2, retryAfter: time.Minute, want: time.Minute, ok: true},
		{n: 2, retryAfter: time.Second, want: 10 * time.Second, ok: true},
		{n: 3, want: 0, ok: false},
		{n: 3, retryAfter: time.Minute, want: 0, ok: false},
		{n: 100, want: 0, ok: false},
	}
	for _, tt := range tests {
		d, ok := s.Next(tt.n, tt.retryAfter, nil)
		if d != tt.want || ok != tt.ok {
			t.Errorf("Next(%d, %v) = %v, %v; want %v, %v", tt.n, tt.retryAfter, d, ok, tt.want, tt.ok)
		}
	}
	if _, ok := Schedule(nil).Next(1, 0, nil); ok {
		t.Error("empty schedule is not exhausted")
	}
}

func TestScheduleNextJitter(t *testing.T) {
	s := DefaultSchedule()
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 1; n < len(s); n++ {
		base := s[n]
		lo, hi := time.Duration(float64(base)*0.8), time.Duration(float64(base)*1.2)
		var minD, maxD time.Duration = hi, lo
		for range 2000 {
			d, ok := s.Next(n, 0, rng)
			if !ok {
				t.Fatalf("Next(%d) exhausted", n)
			}
			if d < lo || d > hi {
				t.Fatalf("Next(%d) = %v, outside [%v, %v]", n, d, lo, hi)
			}
			minD, maxD = min(minD, d), max(maxD, d)
		}
		// The jitter really spreads over most of the +-20% band.
		if spread := float64(maxD-minD) / float64(base); spread < 0.35 {
			t.Errorf("Next(%d) spread %.2f of base, want close to 0.4", n, spread)
		}
	}
	if d, ok := s.Next(0, 0, rng); d != 0 || !ok {
		t.Errorf("Next(0) = %v, %v; want 0, true (no jitter on zero)", d, ok)
	}
	if _, ok := s.Next(len(s), 0, rng); ok {
		t.Errorf("Next(%d) not exhausted", len(s))
	}
}

func TestScheduleNextRetryAfterFloor(t *testing.T) {
	s := Schedule{0, 5 * time.Second}
	rng := rand.New(rand.NewPCG(7, 7))
	for range 200 {
		if d, _ := s.Next(1, time.Hour, rng); d != time.Hour {
			t.Fatalf("Next with Retry-After 1h = %v, want 1h", d)
		}
		d, _ := s.Next(1, time.Second, rng)
		if d < 4*time.Second || d > 6*time.Second {
			t.Fatalf("Next with short Retry-After = %v, want 4s..6s", d)
		}
	}
}

func TestScheduleNextDeterministic(t *testing.T) {
	s := DefaultSchedule()
	draw := func(seed uint64) []time.Duration {
		rng := rand.New(rand.NewPCG(seed, 0))
		var out []time.Duration
		for n := 1; n < len(s); n++ {
			d, _ := s.Next(n, 0, rng)
			out = append(out, d)
		}
		return out
	}
	a, b, c := draw(42), draw(42), draw(43)
	if !slices.Equal(a, b) {
		t.Fatalf("same seed, different delays: %v vs %v", a, b)
	}
	if slices.Equal(a, c) {
		t.Fatalf("different seeds, same delays: %v", a)
	}
}

func TestScheduleNextHugeDelay(t *testing.T) {
	s := Schedule{0, time.Duration(1<<63 - 1)}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 100 {
		if d, ok := s.Next(1, 0, rng); !ok || d <= 0 {
			t.Fatalf("Next on a huge delay = %v, %v; want positive", d, ok)
		}
	}
}

func FuzzParseSchedule(f *testing.F) {
	for _, s := range []string{"0,100ms,1s", "", "1s,,2s", "-1s", "9999999999h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseSchedule(in)
		if err != nil {
			if !errors.Is(err, ErrSchedule) {
				t.Fatalf("error %v does not wrap ErrSchedule", err)
			}
			return
		}
		if len(s) == 0 {
			t.Fatal("empty schedule without error")
		}
		back, err := ParseSchedule(s.String())
		if err != nil || !slices.Equal(back, s) {
			t.Fatalf("round trip of %v: %v, %v", s, back, err)
		}
		for i := range s {
			if d, ok := s.Next(i, 0, rand.New(rand.NewPCG(1, 1))); !ok || d < 0 {
				t.Fatalf("Next(%d) = %v, %v", i, d, ok)
			}
		}
	})
}
