package store

import (
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// encodeCursor returns the opaque cursor that continues an at-risk listing
// in order o after the item with this sort key and customer id. The score
// order keeps the cursor format of before the other orders existed (the
// score's bits, then the id), so that cursors handed out then still work.
func encodeCursor(o Sort, key float64, id string) string {
	raw := ""
	if o == SortScore {
		raw = strconv.FormatUint(math.Float64bits(-key), 16) + ":" + id
	} else {
		raw = string(o) + "|" + strconv.FormatUint(math.Float64bits(key), 16) + ":" + id
	}
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// decodeCursor reverses encodeCursor for order o. It returns an error
// wrapping ErrBadCursor for anything encodeCursor did not make for o (a
// cursor of another order included).
func decodeCursor(o Sort, c string) (key float64, id string, err error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, "", fmt.Errorf("%w: not base64", ErrBadCursor)
	}
	s := string(raw)
	tag, rest, tagged := strings.Cut(s, "|")
	if tagged && strings.Contains(tag, ":") { // a "|" inside the id of an untagged cursor
		tagged, rest = false, s
	}
	if !tagged {
		rest = s
	}
	if tagged != (o != SortScore) || (tagged && Sort(tag) != o) {
		return 0, "", fmt.Errorf("%w: a cursor of another order", ErrBadCursor)
	}
	bits, id, ok := strings.Cut(rest, ":")
	if !ok || id == "" {
		return 0, "", fmt.Errorf("%w: malformed", ErrBadCursor)
	}
	b, err := strconv.ParseUint(bits, 16, 64)
	if err != nil {
		return 0, "", fmt.Errorf("%w: malformed key", ErrBadCursor)
	}
	key = math.Float64frombits(b)
	if math.IsNaN(key) || math.IsInf(key, 0) {
		return 0, "", fmt.Errorf("%w: key out of range", ErrBadCursor)
	}
	if o == SortScore {
		if key < 0 || key > 1 {
			return 0, "", fmt.Errorf("%w: score out of range", ErrBadCursor)
		}
		key = -key
	}
	return key, id, nil
}

// after reports whether an item (sort key k, id) comes after the cursor
// item in an at-risk order (key ascending, id ascending).
func after(k float64, id string, ck float64, cid string) bool {
	return k > ck || (k == ck && id > cid)
}
