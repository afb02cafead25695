package i18n

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// numberPattern matches a number as the formatters of the catalogs write
// it: a sign, thousands separators, decimals, an exponent.
const numberPattern = `[-+]?[0-9][0-9,]*(?:\.[0-9]+)?(?:e[-+]?[0-9]+)?`

// Numbers are written alike in the three languages: Taiwan and mainland
// China group thousands with a comma and use a point for decimals, as
// English does (TestNumbersAreWrittenAlike checks it against
// golang.org/x/text/message), so one formatter serves all three.

// Number is the kind of a number written by format (a float64 argument; an
// int is taken too) in every language.
func Number(format func(float64) string) Kind {
	return Kind{
		Pattern: numberPattern,
		Format: func(_ Lang, v any) string {
			if w, ok := v.(written); ok {
				return string(w)
			}
			return format(toFloat(v))
		},
		Parse: parseNumber,
	}
}

// written is a number as an English sentence wrote it, read back: it is
// written the same in every language (reading it as a float64 and writing
// it again could round it differently: 0.995 is written "1.0", read 1,
// written "1").
type written string

func toFloat(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int:
		return float64(x)
	case int32:
		return float64(x)
	case int64:
		return float64(x)
	}
	return math.NaN()
}

func parseNumber(s string) (any, bool) {
	_, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
	return written(s), err == nil
}

// Count is the kind of a count of something (a float64 argument written by
// format): in English "no days", "1 day", "19 days" (one and many are the
// noun's two forms); in Chinese zh[l][0] for none and zh[l][1] for any
// other count, with %s for the number ("有 %s 張客服工單").
func Count(format func(float64) string, one, many string, zh map[Lang][2]string) Kind {
	return Kind{
		Pattern: "(?:no " + regexp.QuoteMeta(many) + "|1 " + regexp.QuoteMeta(one) + "|" + numberPattern + " " + regexp.QuoteMeta(many) + ")",
		Format: func(l Lang, v any) string {
			n, text := toFloat(v), ""
			if w, ok := v.(written); ok {
				n, text = math.NaN(), string(w)
			} else {
				text = format(n)
			}
			if forms, ok := zh[l]; ok {
				if n == 0 {
					return forms[0]
				}
				return fmt.Sprintf(forms[1], text)
			}
			switch n {
			case 0:
				return "no " + many
			case 1:
				return "1 " + one
			}
			return text + " " + many
		},
		Parse: func(en string) (any, bool) {
			switch en {
			case "no " + many:
				return 0.0, true
			case "1 " + one:
				return 1.0, true
			}
			num, ok := strings.CutSuffix(en, " "+many)
			if !ok {
				return nil, false
			}
			return parseNumber(num)
		},
	}
}

// Enum is the kind of a word or phrase of a fixed set (a string argument,
// its English form): values maps each English form to its Traditional and
// Simplified Chinese ones. A value not in the set is written as given.
func Enum(values map[string][2]string) Kind {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	// Longest first, so that a form that begins another does not shadow it.
	slices.SortFunc(keys, func(a, b string) int { return len(b) - len(a) })
	alts := make([]string, len(keys))
	for i, k := range keys {
		alts[i] = regexp.QuoteMeta(k)
	}
	return Kind{
		Pattern: "(?:" + strings.Join(alts, "|") + ")",
		Format:  func(l Lang, v any) string { return zhOf(values, l, fmt.Sprint(v)) },
		Parse:   func(en string) (any, bool) { _, ok := values[en]; return en, ok },
	}
}

// Verbatim is the kind of free text (a string argument: a name or a value
// from the customer's data) written as given in every language, except the
// English forms listed in special, which have their Chinese ones.
func Verbatim(special map[string][2]string) Kind {
	return Kind{
		Pattern: ".+?",
		Format:  func(l Lang, v any) string { return zhOf(special, l, fmt.Sprint(v)) },
		Parse:   func(en string) (any, bool) { return en, en != "" },
	}
}

// zhOf is v in language l by the table zh (English form -> Traditional,
// Simplified), v itself in English or when the table lacks it.
func zhOf(zh map[string][2]string, l Lang, v string) string {
	forms, ok := zh[v]
	switch {
	case !ok || l == En:
		return v
	case l == ZhTW:
		return forms[0]
	case l == ZhCN:
		return forms[1]
	}
	return v
}

// Day is a calendar day as a sentence names it. Year 0 leaves the year out
// (the day is in the year of the sentence's as-of day).
type Day struct {
	Year  int
	Month time.Month
	Day   int
}

// DayOf returns t's day (in UTC), with its year when withYear.
func DayOf(t time.Time, withYear bool) Day {
	t = t.UTC()
	d := Day{Month: t.Month(), Day: t.Day()}
	if withYear {
		d.Year = t.Year()
	}
	return d
}

// In writes the day in language l: "19 Nov" or "19 Nov 2025" in English,
// "11月19日" or "2025年11月19日" in Chinese.
func (d Day) In(l Lang) string {
	if l.Chinese() {
		if d.Year != 0 {
			return fmt.Sprintf("%d年%d月%d日", d.Year, int(d.Month), d.Day)
		}
		return fmt.Sprintf("%d月%d日", int(d.Month), d.Day)
	}
	if d.Year != 0 {
		return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Format("2 Jan 2006")
	}
	// Without a year, in a leap year: 29 Feb stays itself.
	return time.Date(2000, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Format("2 Jan")
}

// DayKind is the kind of a Day argument.
func DayKind() Kind {
	return Kind{
		Pattern: `[0-9]{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)(?: [0-9]{4})?`,
		Format: func(l Lang, v any) string {
			if d, ok := v.(Day); ok {
				return d.In(l)
			}
			return fmt.Sprint(v)
		},
		Parse: func(en string) (any, bool) {
			if t, err := time.Parse("2 Jan 2006", en); err == nil {
				return DayOf(t, true), true
			}
			// Without a year, a leap day still parses (2000 is a leap year).
			if t, err := time.Parse("2 Jan 2006", en+" 2000"); err == nil {
				return DayOf(t, false), true
			}
			return nil, false
		},
	}
}
