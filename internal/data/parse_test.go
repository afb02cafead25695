package data

import (
	"testing"
	"time"
)

func TestParseMonth(t *testing.T) {
	tests := []struct {
		in   string
		want int32
		ok   bool
	}{
		{"2026-03", 2026*12 + 2, true},
		{"2026-01", 2026 * 12, true},
		{"2026-12-15", 2026*12 + 11, true},
		{"2026-13", 0, false},
		{"2026-00", 0, false},
		{"26-03", 0, false},
		{"March", 0, false},
	}
	for _, tt := range tests {
		got, err := parseMonth(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseMonth(%q) = %d, %v; want %d, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
	if got := MonthStart(2026*12 + 2); !got.Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("MonthStart = %v, want 2026-03-01", got)
	}
}
