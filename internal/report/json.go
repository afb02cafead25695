package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"

	"github.com/churnrisk/churn/internal/model"
)

// MetricsJSON returns r as indented JSON (metrics.json), ending in a
// newline. NaN and infinite numbers, which JSON cannot hold, are written as
// null (they read back as 0, or as a nil pointer for a *float64 such as
// the rates of the churn table); everything else is exactly what
// json.MarshalIndent writes. It returns ErrNilReport for a nil r.
func MetricsJSON(r *model.Report) ([]byte, error) {
	if r == nil {
		return nil, ErrNilReport
	}
	b, err := json.MarshalIndent(safeValue(reflect.ValueOf(*r)), "", "  ")
	if err != nil {
		return nil, fmt.Errorf("metrics.json: %w", err)
	}
	return append(b, '\n'), nil
}

// object is a JSON object that keeps its fields in order.
type object []field

type field struct {
	name  string
	value any
}

// MarshalJSON writes the fields in order.
func (o object) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, err := json.Marshal(f.name)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(f.value)
		if err != nil {
			return nil, err
		}
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

var marshalerType = reflect.TypeFor[json.Marshaler]()

// safeValue converts v into values encoding/json writes the same way as v,
// except that non-finite floats become nil (null). It follows the json
// struct tags (name, "-", omitempty) of the report types.
func safeValue(v reflect.Value) any {
	if !v.IsValid() {
		return nil
	}
	if v.Type().Implements(marshalerType) {
		return v.Interface()
	}
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil
		}
		return v.Interface()
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return safeValue(v.Elem())
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return v.Interface() // []byte: base64, as encoding/json
		}
		fallthrough
	case reflect.Array:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = safeValue(v.Index(i))
		}
		return out
	case reflect.Struct:
		var o object
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			if !sf.IsExported() {
				continue
			}
			name, opts, _ := strings.Cut(sf.Tag.Get("json"), ",")
			if name == "-" && opts == "" {
				continue
			}
			if name == "" {
				name = sf.Name
			}
			fv := v.Field(i)
			if hasOpt(opts, "omitempty") && isEmpty(fv) {
				continue
			}
			o = append(o, field{name: name, value: safeValue(fv)})
		}
		return o
	default:
		return v.Interface()
	}
}

func hasOpt(opts, want string) bool {
	for o := range strings.SplitSeq(opts, ",") {
		if o == want {
			return true
		}
	}
	return false
}

// isEmpty is encoding/json's notion of an empty value for omitempty.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.Interface, reflect.Pointer:
		return v.IsNil()
	}
	return false
}
