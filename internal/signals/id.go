package signals

import (
	"errors"
	"fmt"
	"unicode"
	"unicode/utf8"
)

// MaxCustomerIDLen is the most characters (Unicode code points) a customer
// id may have.
const MaxCustomerIDLen = 128

// ErrCustomerID is wrapped by every error of ValidateCustomerID.
var ErrCustomerID = errors.New("customer_id outside the contract")

// IDError is a customer id that breaks one of the contract's rules. Rule says
// which, in words that follow the field name ("must be 1-128 characters, ...").
type IDError struct {
	Rule string
}

func (e *IDError) Error() string { return "customer_id " + e.Rule }

// Is makes errors.Is(err, ErrCustomerID) true.
func (e *IDError) Is(target error) bool { return target == ErrCustomerID }

// ValidateCustomerID checks the contract's customer id rules, the one check
// for every way an id enters (files, events, the PUT path, POST /v1/score):
// 1-128 characters of valid UTF-8, without U+FFFD (the stand-in for an
// invalid byte or a lone surrogate, which would make two ids collide), without
// control characters (C0, DEL, C1), format characters (Unicode category Cf:
// bidi controls, zero-width characters), line or paragraph separators
// (U+2028, U+2029), and without '/' (no route could reach such a customer).
// The error is an *IDError naming the rule broken first.
func ValidateCustomerID(id string) error {
	if !utf8.ValidString(id) {
		for i := 0; i < len(id); {
			r, size := utf8.DecodeRuneInString(id[i:])
			if r == utf8.RuneError && size == 1 {
				return &IDError{Rule: fmt.Sprintf("must be valid UTF-8: byte %d is 0x%02x, not part of a character", i+1, id[i])}
			}
			i += size
		}
	}
	n := utf8.RuneCountInString(id)
	if n < 1 || n > MaxCustomerIDLen {
		return &IDError{Rule: fmt.Sprintf("must be 1-%d characters, got %d", MaxCustomerIDLen, n)}
	}
	pos := 0
	for _, r := range id {
		pos++
		var what string
		switch {
		case r == utf8.RuneError:
			what = "U+FFFD, the replacement for an invalid byte or a lone surrogate (two ids would collide)"
		case unicode.IsControl(r):
			what = fmt.Sprintf("a control character (U+%04X)", r)
		case unicode.Is(unicode.Cf, r):
			what = fmt.Sprintf("a format character (U+%04X: bidi control, zero-width or invisible)", r)
		case r == '\u2028' || r == '\u2029':
			what = fmt.Sprintf("a line or paragraph separator (U+%04X)", r)
		case r == '/':
			what = "'/' (no URL path could name the customer)"
		default:
			continue
		}
		return &IDError{Rule: fmt.Sprintf("must not contain %s: character %d", what, pos)}
	}
	return nil
}
