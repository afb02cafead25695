package signals

import (
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestValidateCustomerID is the table of the contract's id rules: each
// refused id names the rule it breaks.
func TestValidateCustomerID(t *testing.T) {
	tests := []struct {
		name string
		id   string
		rule string // "" = accepted; else a part of the error
	}{
		{"plain", "cus_123", ""},
		{"128 characters", strings.Repeat("x", 128), ""},
		{"128 Chinese characters", strings.Repeat("客", 128), ""},
		{"space inside", "acme corp", ""},
		{"emoji", "acme-🚀", ""},
		{"empty", "", "1-128 characters, got 0"},
		{"129 characters", strings.Repeat("x", 129), "1-128 characters, got 129"},
		{"NUL", "a\x00b", "control character (U+0000)"},
		{"tab", "a\tb", "control character (U+0009)"},
		{"DEL", "a\x7fb", "control character (U+007F)"},
		{"C1 NEL", "a\u0085b", "control character (U+0085)"},
		{"C1 CSI", "a\u009bb", "control character (U+009B)"},
		{"bidi override", "a\u202eb", "format character (U+202E"},
		{"bidi isolate", "a\u2066b", "format character (U+2066"},
		{"zero-width space", "a\u200bb", "format character (U+200B"},
		{"zero-width joiner", "a\u200db", "format character (U+200D"},
		{"byte order mark", "\ufeffab", "format character (U+FEFF"},
		{"soft hyphen", "a\u00adb", "format character (U+00AD"},
		{"line separator", "a\u2028b", "line or paragraph separator (U+2028)"},
		{"paragraph separator", "a\u2029b", "line or paragraph separator (U+2029)"},
		{"slash", "a/b", "'/'"},
		{"invalid byte", "ab\xff", "valid UTF-8: byte 3 is 0xff"},
		{"encoded lone surrogate", "a\xed\xa0\x80", "valid UTF-8: byte 2 is 0xed"},
		{"replacement character", "a\ufffdb", "U+FFFD"},
		{"position", "abc\u0085", "character 4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateCustomerID(tt.id)
			if tt.rule == "" {
				if err != nil {
					t.Fatalf("ValidateCustomerID(%q) = %v, want nil", tt.id, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ValidateCustomerID(%q) = nil, want an error with %q", tt.id, tt.rule)
			}
			if !strings.Contains(err.Error(), tt.rule) || !strings.HasPrefix(err.Error(), "customer_id ") {
				t.Errorf("ValidateCustomerID(%q) = %q, want it to name the rule %q", tt.id, err, tt.rule)
			}
			var ie *IDError
			if !errors.As(err, &ie) || !errors.Is(err, ErrCustomerID) {
				t.Errorf("error %v is not an *IDError wrapping ErrCustomerID", err)
			}
		})
	}
}

// TestValidateEventCustomerID: an event's id goes through the same rules.
func TestValidateEventCustomerID(t *testing.T) {
	e := Event{Type: TypeUsage, CustomerID: "a/b", Quantity: 1}
	bad := Validate(&e)
	if !strings.Contains(bad["customer_id"], "'/'") {
		t.Errorf("Validate: customer_id error = %q, want the '/' rule", bad["customer_id"])
	}
}

// FuzzValidateCustomerID: any string is accepted or refused without a panic,
// and an accepted one keeps every rule of the contract.
func FuzzValidateCustomerID(f *testing.F) {
	for _, s := range []string{"cus_1", "", "a/b", "a\u202eb", "\xed\xa0\x80", "a\ufffd", "客戶", "a\u0085", "a\u2028", strings.Repeat("x", 129)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		err := ValidateCustomerID(id)
		if err != nil {
			if !errors.Is(err, ErrCustomerID) || !strings.HasPrefix(err.Error(), "customer_id must") {
				t.Fatalf("ValidateCustomerID(%q) = %v: not an id error naming a rule", id, err)
			}
			return
		}
		if !utf8.ValidString(id) {
			t.Fatalf("accepted invalid UTF-8 %q", id)
		}
		if n := utf8.RuneCountInString(id); n < 1 || n > MaxCustomerIDLen {
			t.Fatalf("accepted %d characters", n)
		}
		for _, r := range id {
			if r == utf8.RuneError || r == '/' || r == '\u2028' || r == '\u2029' || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				t.Fatalf("accepted %q with U+%04X", id, r)
			}
		}
	})
}
