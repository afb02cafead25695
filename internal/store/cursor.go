package store

import (
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// EncodeCursor returns the opaque cursor that continues an at-risk listing
// after the item with this score and customer id.
func EncodeCursor(score float64, id string) string {
	raw := strconv.FormatUint(math.Float64bits(score), 16) + ":" + id
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// DecodeCursor reverses EncodeCursor. It returns an error wrapping
// ErrBadCursor for anything EncodeCursor did not make.
func DecodeCursor(c string) (score float64, id string, err error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, "", fmt.Errorf("%w: not base64", ErrBadCursor)
	}
	bits, rest, ok := strings.Cut(string(raw), ":")
	if !ok || rest == "" {
		return 0, "", fmt.Errorf("%w: malformed", ErrBadCursor)
	}
	b, err := strconv.ParseUint(bits, 16, 64)
	if err != nil {
		return 0, "", fmt.Errorf("%w: malformed score", ErrBadCursor)
	}
	score = math.Float64frombits(b)
	if math.IsNaN(score) || math.IsInf(score, 0) || score < 0 || score > 1 {
		return 0, "", fmt.Errorf("%w: score out of range", ErrBadCursor)
	}
	return score, rest, nil
}

// after reports whether an item (score s, id) comes after the cursor item
// in the at-risk order (score descending, id ascending).
func after(s float64, id string, cs float64, cid string) bool {
	return s < cs || (s == cs && id > cid)
}
