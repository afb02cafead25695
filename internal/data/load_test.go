package data

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/signals"
)

// writeDir writes the files into a new temporary directory; a name ending in
// .gz is gzip-compressed.
func writeDir(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		b := []byte(content)
		if strings.HasSuffix(name, ".gz") {
			b = gz(t, content)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func gz(t testing.TB, s string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func mustLoad(t *testing.T, files map[string]string, opts Options) *Dataset {
	t.Helper()
	ds, err := Load(writeDir(t, files), opts)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return ds
}

const twoCustomers = "customer_id,plan\nc1,basic\nc2,pro\n"

func TestLoadRowErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{
			name:  "customers missing customer_id column",
			files: map[string]string{"customers.csv": "id,plan\nc1,basic\n"},
			want:  "customers.csv:1: customer_id: missing required column",
		},
		{
			name:  "customers header after blank lines",
			files: map[string]string{"customers.csv": "\n\nid\nc1\n"},
			want:  "customers.csv:3: customer_id: missing required column",
		},
		{
			name:  "customers unnamed column",
			files: map[string]string{"customers.csv": ",customer_id\n0,c1\n"},
			want:  "customers.csv:1: column 1 has no name",
		},
		{
			name:  "customers empty file",
			files: map[string]string{"customers.csv": ""},
			want:  "customers.csv:1: empty file: a header row is required",
		},
		{
			name:  "customers duplicate column",
			files: map[string]string{"customers.csv": "customer_id,Plan,plan\nc1,a,b\n"},
			want:  "customers.csv:1: plan: duplicate column (columns 2 and 3)",
		},
		{
			name:  "customers duplicate id",
			files: map[string]string{"customers.csv": "customer_id,plan\nc1,a\nc2,b\n c1 ,c\n"},
			want:  `customers.csv:4: customer_id: duplicate "c1" (first on line 2)`,
		},
		{
			name:  "customers missing id",
			files: map[string]string{"customers.csv": "plan,customer_id\na,c1\nb,NA\n"},
			want:  "customers.csv:3: customer_id: required value is missing",
		},
		{
			name:  "customers id too long",
			files: map[string]string{"customers.csv": "customer_id\n" + strings.Repeat("x", 129) + "\n"},
			want:  "customers.csv:2: customer_id: must be 1-128 characters, got 129",
		},
		{
			name:  "customers id with a slash",
			files: map[string]string{"customers.csv": "customer_id\nacme/eu\n"},
			want:  "customers.csv:2: customer_id: must not contain '/' (no URL path could name the customer): character 5",
		},
		{
			name:  "customers id with a bidi override",
			files: map[string]string{"customers.csv": "customer_id\nacme\u202e\n"},
			want:  "customers.csv:2: customer_id: must not contain a format character (U+202E: bidi control, zero-width or invisible): character 5",
		},
		{
			name:  "customers id with a C1 control",
			files: map[string]string{"customers.csv": "customer_id\nacme\u0085x\n"},
			want:  "customers.csv:2: customer_id: must not contain a control character (U+0085): character 5",
		},
		{
			name:  "customers id not UTF-8",
			files: map[string]string{"customers.csv": "customer_id\nacme\xed\xa0\x80\n"},
			want:  "customers.csv:2: customer_id: must be valid UTF-8: byte 5 is 0xed, not part of a character",
		},
		{
			name:  "usage id with a line separator",
			files: map[string]string{"customers.csv": "customer_id\nc1\n", "usage.csv": "customer_id,timestamp\nc\u20281,2026-01-01\n"},
			want:  "usage.csv:2: customer_id: must not contain a line or paragraph separator (U+2028): character 2",
		},
		{
			name:  "customers wrong field count",
			files: map[string]string{"customers.csv": "customer_id,plan\nc1,a\nc2,b,extra\n"},
			want:  "customers.csv:3: wrong number of fields",
		},
		{
			name:  "customers bad quote",
			files: map[string]string{"customers.csv": "customer_id,plan\nc1,a\nc2,b\"x\n"},
			want:  `customers.csv:3: bare " in non-quoted-field (byte 5 of the line)`,
		},
		{
			name:  "customers unterminated quote",
			files: map[string]string{"customers.csv": "customer_id,plan\nc1,\"a\"b\n"},
			want:  `customers.csv:2: extraneous or missing " in quoted-field (byte 6 of the line)`,
		},
		{
			name:  "customers bad signup_at",
			files: map[string]string{"customers.csv": "customer_id,signup_at\nc1,2026-01-01\nc2,2026-13-01\n"},
			want:  `customers.csv:3: signup_at: cannot parse "2026-13-01" as a time (RFC 3339 like 2026-03-01T12:00:00Z, or YYYY-MM-DD)`,
		},
		{
			name:  "customers bad churned_at",
			files: map[string]string{"customers.csv": "customer_id,churned_at\nc1,yesterday\n"},
			want:  `customers.csv:2: churned_at: cannot parse "yesterday" as a time (RFC 3339 like 2026-03-01T12:00:00Z, or YYYY-MM-DD)`,
		},
		{
			name:  "customers negative mrr",
			files: map[string]string{"customers.csv": "customer_id,MRR\nc1,-10\n"},
			want:  `customers.csv:2: mrr: must be >= 0, got "-10"`,
		},
		{
			name:  "customers mrr not a number",
			files: map[string]string{"customers.csv": "customer_id,mrr\nc1,12$\n"},
			want:  `customers.csv:2: mrr: cannot parse "12$" as a number`,
		},
		{
			name:  "customers infinite mrr",
			files: map[string]string{"customers.csv": "customer_id,mrr\nc1,Inf\n"},
			want:  `customers.csv:2: mrr: must be a finite number, got "Inf"`,
		},
		{
			name:  "customers mrr above the bound",
			files: map[string]string{"customers.csv": "customer_id,mrr\nc1,10\nc2,1e300\n"},
			want:  `customers.csv:3: mrr: must be at most 1e+12, got "1e300"`,
		},
		{
			name:  "customers bad churned",
			files: map[string]string{"customers.csv": "customer_id,churned\nc1,maybe\n"},
			want:  `customers.csv:2: churned: cannot parse "maybe" as a boolean (yes/no, true/false, 1/0)`,
		},
		{
			name:  "usage missing timestamp column",
			files: map[string]string{"customers.csv": twoCustomers, "usage.csv": "customer_id,quantity\nc1,1\n"},
			want:  "usage.csv:1: timestamp: missing required column",
		},
		{
			name:  "usage bad timestamp",
			files: map[string]string{"customers.csv": twoCustomers, "usage.csv": "customer_id,timestamp\nc1,2026-03-01\nc1,2026-13-01\n"},
			want:  `usage.csv:3: timestamp: cannot parse "2026-13-01" as a time (RFC 3339 like 2026-03-01T12:00:00Z, or YYYY-MM-DD)`,
		},
		{
			name:  "usage missing timestamp value",
			files: map[string]string{"customers.csv": twoCustomers, "usage.csv": "customer_id,timestamp\nc1,null\n"},
			want:  `usage.csv:2: timestamp: required value is missing`,
		},
		{
			name:  "usage negative quantity",
			files: map[string]string{"customers.csv": twoCustomers, "usage.csv": "customer_id,timestamp,quantity\nc1,2026-03-01,-2\n"},
			want:  `usage.csv:2: quantity: must be >= 0, got "-2"`,
		},
		{
			name:  "usage quantity above the bound",
			files: map[string]string{"customers.csv": twoCustomers, "usage.csv": "customer_id,timestamp,quantity\nc1,2026-03-01,1.7e308\nc1,2026-03-01,1.7e308\n"},
			want:  `usage.csv:2: quantity: must be at most 1e+12, got "1.7e308"`,
		},
		{
			name:  "usage quantity not a number",
			files: map[string]string{"customers.csv": twoCustomers, "usage.csv": "customer_id,timestamp,quantity\nc1,2026-03-01,lots\n"},
			want:  `usage.csv:2: quantity: cannot parse "lots" as a number`,
		},
		{
			name:  "usage missing customer_id value",
			files: map[string]string{"customers.csv": twoCustomers, "usage.csv": "customer_id,timestamp\n,2026-03-01\n"},
			want:  `usage.csv:2: customer_id: required value is missing`,
		},
		{
			name:  "usage gz wrong field count",
			files: map[string]string{"customers.csv": twoCustomers, "usage.csv.gz": "customer_id,timestamp\nc1,2026-03-01\nc1\n"},
			want:  `usage.csv.gz:3: wrong number of fields`,
		},
		{
			name:  "tickets bad timestamp",
			files: map[string]string{"customers.csv": twoCustomers, "tickets.csv": "customer_id,timestamp,text\nc1,2026-13-01,hello\n"},
			want:  `tickets.csv:2: timestamp: cannot parse "2026-13-01" as a time (RFC 3339 like 2026-03-01T12:00:00Z, or YYYY-MM-DD)`,
		},
		{
			name:  "tickets sentiment out of range",
			files: map[string]string{"customers.csv": twoCustomers, "tickets.csv": "customer_id,timestamp,text,sentiment\nc1,2026-03-01,hi,1.5\n"},
			want:  `tickets.csv:2: sentiment: must be in [-1, 1], got "1.5"`,
		},
		{
			// The text spans lines 2-4; the sentiment sits on line 4.
			name:  "tickets multi-line text then bad sentiment",
			files: map[string]string{"customers.csv": twoCustomers, "tickets.csv": "customer_id,timestamp,text,sentiment\nc1,2026-03-01,\"line one\nline two\nline three\",-3\n"},
			want:  `tickets.csv:4: sentiment: must be in [-1, 1], got "-3"`,
		},
		{
			name:  "tickets line after multi-line text",
			files: map[string]string{"customers.csv": twoCustomers, "tickets.csv": "customer_id,timestamp,text\nc1,2026-03-01,\"a\nb\"\nc2,2026-02-30,c\n"},
			want:  `tickets.csv:4: timestamp: cannot parse "2026-02-30" as a time (RFC 3339 like 2026-03-01T12:00:00Z, or YYYY-MM-DD)`,
		},
		{
			name:  "tickets missing text column",
			files: map[string]string{"customers.csv": twoCustomers, "tickets.csv": "customer_id,timestamp,channel\nc1,2026-03-01,email\n"},
			want:  "tickets.csv:1: text: missing required column (a sentiment column may replace it)",
		},
		{
			name:  "page_views missing path value",
			files: map[string]string{"customers.csv": twoCustomers, "page_views.csv": "customer_id,timestamp,path\nc1,2026-03-01,/home\nc1,2026-03-01,\n"},
			want:  `page_views.csv:3: path: required value is missing`,
		},
		{
			name:  "page_views missing path column",
			files: map[string]string{"customers.csv": twoCustomers, "page_views.csv": "customer_id,timestamp\nc1,2026-03-01\n"},
			want:  `page_views.csv:1: path: missing required column`,
		},
		{
			name:  "revenue bad month",
			files: map[string]string{"customers.csv": twoCustomers, "revenue.csv": "customer_id,month,mrr\nc1,2026-13,10\n"},
			want:  `revenue.csv:2: month: cannot parse "2026-13" as a month (YYYY-MM)`,
		},
		{
			name:  "revenue negative mrr",
			files: map[string]string{"customers.csv": twoCustomers, "revenue.csv": "customer_id,month,mrr\nc1,2026-03,-5\n"},
			want:  `revenue.csv:2: mrr: must be >= 0, got "-5"`,
		},
		{
			name:  "revenue mrr above the bound",
			files: map[string]string{"customers.csv": twoCustomers, "revenue.csv": "customer_id,month,mrr\nc1,2026-03,10\nc2,2026-03,1e999\n"},
			want:  `revenue.csv:3: mrr: must be at most 1e+12, got "1e999"`,
		},
		{
			name:  "revenue missing mrr value",
			files: map[string]string{"customers.csv": twoCustomers, "revenue.csv": "customer_id,month,mrr\nc1,2026-03,NA\n"},
			want:  `revenue.csv:2: mrr: required value is missing`,
		},
		{
			name:  "revenue missing month column",
			files: map[string]string{"customers.csv": twoCustomers, "revenue.csv": "customer_id,mrr\nc1,5\n"},
			want:  `revenue.csv:1: month: missing required column`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(writeDir(t, tt.files), Options{})
			if err == nil {
				t.Fatalf("Load: no error, want %q", tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got %q\nwant %q", err.Error(), tt.want)
			}
			if !errors.Is(err, ErrBadInput) {
				t.Errorf("error %v does not wrap ErrBadInput", err)
			}
			var re *RowError
			if !errors.As(err, &re) {
				t.Errorf("error %v: no *RowError", err)
			}
		})
	}
}

func TestLoadRowErrorFields(t *testing.T) {
	_, err := Load(writeDir(t, map[string]string{
		"customers.csv": twoCustomers,
		"tickets.csv":   "Text,CUSTOMER_ID,Timestamp\nhello,c1,2026-03-01\nbye,c2,2026-13-01\n",
	}), Options{})
	var re *RowError
	if !errors.As(err, &re) {
		t.Fatalf("Load error %v: no *RowError", err)
	}
	want := RowError{File: "tickets.csv", Line: 3, Column: "timestamp", Value: "2026-13-01", Reason: `cannot parse "2026-13-01" as a time (RFC 3339 like 2026-03-01T12:00:00Z, or YYYY-MM-DD)`}
	if *re != want {
		t.Errorf("RowError = %+v, want %+v", *re, want)
	}
}

func TestLoadFileErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"no customers", map[string]string{"usage.csv": "customer_id,timestamp\n"}, "customers.csv (or customers.csv.gz) is required"},
		{"both plain and gz", map[string]string{"customers.csv": twoCustomers, "customers.csv.gz": twoCustomers}, "both customers.csv and customers.csv.gz are present: keep one"},
		{"both usage", map[string]string{"customers.csv": twoCustomers, "usage.csv": "x\n", "usage.csv.gz": "x\n"}, "both usage.csv and usage.csv.gz are present: keep one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(writeDir(t, tt.files), Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load error = %v, want it to contain %q", err, tt.want)
			}
			if !errors.Is(err, ErrBadInput) {
				t.Errorf("error %v does not wrap ErrBadInput", err)
			}
		})
	}

	t.Run("corrupt gzip", func(t *testing.T) {
		dir := writeDir(t, map[string]string{"customers.csv": twoCustomers})
		if err := os.WriteFile(filepath.Join(dir, "usage.csv.gz"), []byte("not gzip at all"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(dir, Options{})
		if err == nil || !errors.Is(err, ErrBadInput) || !strings.HasPrefix(err.Error(), "usage.csv.gz: not a valid gzip file") {
			t.Fatalf("Load error = %v, want a usage.csv.gz gzip error wrapping ErrBadInput", err)
		}
	})
	t.Run("truncated gzip", func(t *testing.T) {
		dir := writeDir(t, map[string]string{"customers.csv": twoCustomers})
		b := gz(t, "customer_id,timestamp\n"+strings.Repeat("c1,2026-03-01\n", 1000))
		if err := os.WriteFile(filepath.Join(dir, "usage.csv.gz"), b[:len(b)-10], 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(dir, Options{})
		if err == nil || !errors.Is(err, ErrBadInput) || !strings.HasPrefix(err.Error(), "usage.csv.gz: ") {
			t.Fatalf("Load error = %v, want a usage.csv.gz error wrapping ErrBadInput", err)
		}
	})
	t.Run("missing directory", func(t *testing.T) {
		_, err := Load(filepath.Join(t.TempDir(), "nope"), Options{})
		if err == nil || !errors.Is(err, ErrBadInput) {
			t.Fatalf("Load error = %v, want ErrBadInput", err)
		}
	})
}

func TestLoadMaxBadRows(t *testing.T) {
	files := map[string]string{
		"customers.csv": "customer_id,mrr\nc1,10\nc2,-1\nc3,5\nc3,6\nc4,x,y\n",
		"usage.csv":     "customer_id,timestamp\nc1,2026-03-01\nc1,2026-99-01\nc3,2026-03-02\n",
	}
	// 3 bad customer rows + 1 bad usage row = 4 in total.
	t.Run("within the limit", func(t *testing.T) {
		ds := mustLoad(t, files, Options{MaxBadRows: 4})
		var got []string
		for _, re := range ds.Report.BadRows {
			got = append(got, re.Error())
		}
		want := []string{
			`customers.csv:3: mrr: must be >= 0, got "-1"`,
			`customers.csv:5: customer_id: duplicate "c3" (first on line 4)`,
			`customers.csv:6: wrong number of fields`,
			`usage.csv:3: timestamp: cannot parse "2026-99-01" as a time (RFC 3339 like 2026-03-01T12:00:00Z, or YYYY-MM-DD)`,
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("BadRows =\n%q\nwant\n%q", got, want)
		}
		var ids []string
		for _, p := range ds.Customers {
			ids = append(ids, p.ID)
		}
		if !reflect.DeepEqual(ids, []string{"c1", "c3"}) {
			t.Errorf("customers = %v, want [c1 c3]", ids)
		}
		if *ds.Customers[1].MRR != 5 {
			t.Errorf("c3 mrr = %v, want 5 (the first row)", *ds.Customers[1].MRR)
		}
		if ds.Report.Rows["customers.csv"] != 5 || ds.Report.Rows["usage.csv"] != 3 {
			t.Errorf("Rows = %v, want customers.csv 5, usage.csv 3", ds.Report.Rows)
		}
		if n := len(ds.Histories[0]) + len(ds.Histories[1]); n != 2 {
			t.Errorf("history days = %d, want 2", n)
		}
	})
	t.Run("past the limit across files", func(t *testing.T) {
		_, err := Load(writeDir(t, files), Options{MaxBadRows: 3})
		want := `more than 3 bad rows (the limit), giving up; the last: usage.csv:3: timestamp: cannot parse "2026-99-01" as a time (RFC 3339 like 2026-03-01T12:00:00Z, or YYYY-MM-DD)`
		if err == nil || err.Error() != want {
			t.Fatalf("Load error = %v, want %q", err, want)
		}
		var re *RowError
		if !errors.Is(err, ErrBadInput) || !errors.As(err, &re) || re.File != "usage.csv" {
			t.Errorf("error %v: want ErrBadInput and a usage.csv RowError", err)
		}
	})
	t.Run("header errors are always fatal", func(t *testing.T) {
		_, err := Load(writeDir(t, map[string]string{"customers.csv": twoCustomers, "usage.csv": "customer_id\nc1\n"}), Options{MaxBadRows: 100})
		if err == nil || err.Error() != "usage.csv:1: timestamp: missing required column" {
			t.Fatalf("Load error = %v", err)
		}
	})
}

func TestLoadHeadersAndMissingValues(t *testing.T) {
	ds := mustLoad(t, map[string]string{
		// BOM, mixed case, spaces around names, free order, quoting.
		"customers.csv": "\uFEFF Churned , Region,MRR,Customer_ID,SIGNUP_AT,plan,seats\n" +
			"yes, north ,10.5,c1,2026-01-02,Pro,3\n" +
			"NA,N/A,null,\"c2\",,  ,nan\n" +
			"0,\"south, east\",0,c3,2026-01-03T10:00:00Z,basic,\n",
		"usage.csv": "Quantity,METRIC,Timestamp,customer_id\nNA,,2026-02-01,c1\n2.5,logins,2026-02-01T08:00:00Z,c1\n",
	}, Options{})
	if len(ds.Customers) != 3 {
		t.Fatalf("got %d customers, want 3", len(ds.Customers))
	}
	c1, c2, c3 := ds.Customers[0], ds.Customers[1], ds.Customers[2]
	if c1.ID != "c1" || c1.Plan != "Pro" || *c1.MRR != 10.5 || !c1.SignupAt.Equal(time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("c1 = %+v", c1)
	}
	if !reflect.DeepEqual(c1.Attributes, map[string]string{"region": "north", "seats": "3"}) {
		t.Errorf("c1 attributes = %v", c1.Attributes)
	}
	if c2.MRR != nil || c2.SignupAt != nil || c2.Plan != "" || c2.Attributes != nil {
		t.Errorf("c2 = %+v, want every optional value missing", c2)
	}
	if !reflect.DeepEqual(c3.Attributes, map[string]string{"region": "south, east"}) || *c3.MRR != 0 {
		t.Errorf("c3 = %+v", c3)
	}
	if !reflect.DeepEqual(ds.Labels, []int8{1, -1, 0}) {
		t.Errorf("labels = %v, want [1 -1 0]", ds.Labels)
	}
	if ds.Index["c2"] != 1 || len(ds.Index) != 3 {
		t.Errorf("index = %v", ds.Index)
	}
	h := ds.Histories[0]
	if len(h) != 1 || h[0].Usage != 3.5 || h[0].UsageEvents != 2 {
		t.Errorf("c1 history = %+v, want one day, usage 1 (default) + 2.5", h)
	}
	if ds.Mode != ModeTime {
		t.Errorf("mode = %s, want time", ds.Mode)
	}
	if !ds.Start.Equal(time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)) || !ds.End.Equal(time.Date(2026, 2, 1, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("span = %v .. %v", ds.Start, ds.End)
	}
}

func TestLoadMode(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  Mode
	}{
		{"churned only", map[string]string{"customers.csv": "customer_id,churned\nc1,no\n"}, ModeStatic},
		{"no label at all", map[string]string{"customers.csv": "customer_id\nc1\n"}, ModeStatic},
		{"churned_at column", map[string]string{"customers.csv": "customer_id,churned_at\nc1,\n"}, ModeTime},
		{"usage file", map[string]string{"customers.csv": "customer_id,churned\nc1,no\n", "usage.csv": "customer_id,timestamp\n"}, ModeTime},
		{"tickets file", map[string]string{"customers.csv": "customer_id\nc1\n", "tickets.csv.gz": "customer_id,timestamp,text\n"}, ModeTime},
		{"page views file", map[string]string{"customers.csv": "customer_id\nc1\n", "page_views.csv": "customer_id,timestamp,path\n"}, ModeTime},
		{"revenue file", map[string]string{"customers.csv": "customer_id\nc1\n", "revenue.csv": "customer_id,month,mrr\n"}, ModeTime},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mustLoad(t, tt.files, Options{}).Mode; got != tt.want {
				t.Errorf("mode = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestLoadGzip(t *testing.T) {
	files := map[string]string{
		"customers.csv.gz": "customer_id,churned_at\nc1,2026-04-01\nc2,\n",
		"usage.csv.gz":     "customer_id,timestamp,quantity\nc1,2026-03-01,2\nc2,2026-03-02,3\n",
		"page_views.csv":   "customer_id,timestamp,path\nc2,2026-03-03,/pricing\n",
	}
	dir := writeDir(t, files)
	ds, err := Load(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"customers.csv.gz", "page_views.csv", "usage.csv.gz"}; !reflect.DeepEqual(ds.Files, want) {
		t.Errorf("files = %v, want %v", ds.Files, want)
	}
	if want := map[EventFile]bool{"usage": true, "tickets": false, "page_views": true, "revenue": false}; !reflect.DeepEqual(ds.HasEvents, want) {
		t.Errorf("HasEvents = %v, want %v", ds.HasEvents, want)
	}
	if ds.Customers[0].ChurnedAt == nil || ds.Customers[1].ChurnedAt != nil {
		t.Errorf("churned_at: %v, %v", ds.Customers[0].ChurnedAt, ds.Customers[1].ChurnedAt)
	}
	if ds.Histories[0][0].Usage != 2 || ds.Histories[1][0].Usage != 3 || ds.Histories[1][1].PageViews != 1 {
		t.Errorf("histories = %+v", ds.Histories)
	}
	// The fingerprint is the SHA-256 of the raw file bytes in name order.
	h := sha256.New()
	for _, name := range ds.Files {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		h.Write(b)
	}
	if want := hex.EncodeToString(h.Sum(nil)); ds.Fingerprint != want {
		t.Errorf("fingerprint = %s, want %s", ds.Fingerprint, want)
	}
	if ds.Report.Rows["usage.csv.gz"] != 2 || ds.Report.Rows["customers.csv.gz"] != 2 {
		t.Errorf("rows = %v", ds.Report.Rows)
	}
}

func TestLoadFingerprintChanges(t *testing.T) {
	a := mustLoad(t, map[string]string{"customers.csv": twoCustomers}, Options{})
	b := mustLoad(t, map[string]string{"customers.csv": twoCustomers}, Options{})
	c := mustLoad(t, map[string]string{"customers.csv": twoCustomers + "c3,pro\n"}, Options{})
	if a.Fingerprint != b.Fingerprint || a.Fingerprint == c.Fingerprint || len(a.Fingerprint) != 64 {
		t.Errorf("fingerprints %s %s %s: want equal, equal, different", a.Fingerprint, b.Fingerprint, c.Fingerprint)
	}
}

func TestLoadUnknownEvents(t *testing.T) {
	ds := mustLoad(t, map[string]string{
		"customers.csv":  twoCustomers,
		"usage.csv":      "customer_id,timestamp\nc1,2026-03-01\nzz,2026-03-01\nzz,2026-03-02\n",
		"tickets.csv":    "customer_id,timestamp,text\nyy,2026-03-01,hello\n",
		"page_views.csv": "customer_id,timestamp,path\nc2,2026-03-01,/\n",
		"revenue.csv":    "customer_id,month,mrr\nxx,2026-03,5\nc1,2026-03,5\n",
	}, Options{})
	want := map[string]int{"usage.csv": 2, "tickets.csv": 1, "revenue.csv": 1}
	if !reflect.DeepEqual(ds.Report.UnknownEvents, want) {
		t.Errorf("UnknownEvents = %v, want %v", ds.Report.UnknownEvents, want)
	}
	if len(ds.Histories[0]) != 1 || ds.Histories[0][0].UsageEvents != 1 {
		t.Errorf("c1 history = %+v", ds.Histories[0])
	}
	// Unknown customers do not widen the time span.
	if !ds.End.Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("End = %v, want 2026-03-01", ds.End)
	}
}

func TestLoadHistories(t *testing.T) {
	neg := -0.8
	ds := mustLoad(t, map[string]string{
		"customers.csv": twoCustomers,
		// Out of order on purpose; two events on 2026-03-05 must sum.
		"usage.csv": "customer_id,timestamp,quantity\n" +
			"c1,2026-03-05T23:59:59Z,2\n" +
			"c1,2026-03-01T10:00:00Z,1\n" +
			"c1,2026-03-05T00:00:00Z,3\n" +
			"c2,2026-03-05,7\n",
		"tickets.csv": "customer_id,timestamp,text,sentiment,channel\n" +
			"c1,2026-03-05T09:00:00Z,\"I want a refund, this is terrible\",-0.8,email\n" +
			"c1,2026-03-05T10:00:00Z,thanks,0.5,chat\n",
		"page_views.csv": "customer_id,timestamp,path\nc1,2026-03-01T11:00:00Z,/account/billing\nc1,2026-03-02,https://example.com/Home\n",
	}, Options{})
	h := ds.Histories[0]
	days := []int32{}
	for _, d := range h {
		days = append(days, d.Day)
	}
	d1 := signals.DayNumber(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	if !reflect.DeepEqual(days, []int32{d1, d1 + 1, d1 + 4}) {
		t.Fatalf("days = %v, want [%d %d %d]", days, d1, d1+1, d1+4)
	}
	if h[0].Usage != 1 || h[0].UsageEvents != 1 || h[0].PageViews != 1 {
		t.Errorf("day 1 = %+v", h[0])
	}
	if h[1].PageViews != 1 || h[1].Usage != 0 {
		t.Errorf("day 2 = %+v", h[1])
	}
	d5 := h[2]
	if d5.Usage != 5 || d5.UsageEvents != 2 || d5.Tickets != 2 || d5.NegTickets != 1 || d5.SentimentMin != neg || math.Abs(d5.SentimentSum-(-0.3)) > 1e-12 {
		t.Errorf("day 5 = %+v, want usage 5 from 2 events, 2 tickets, 1 negative, min -0.8", d5)
	}
	if len(ds.Histories[1]) != 1 || ds.Histories[1][0].Usage != 7 {
		t.Errorf("c2 history = %+v", ds.Histories[1])
	}
}

// fixedSentiment scores every non-empty text the same.
type fixedSentiment float64

func (f fixedSentiment) Analyze(text string) signals.Sentiment {
	if text == "" {
		return signals.Sentiment{}
	}
	return signals.Sentiment{Score: float64(f), Lang: "en"}
}

func TestLoadUsesAggregator(t *testing.T) {
	agg := &signals.Aggregator{Sentiment: fixedSentiment(-0.5), Pages: signals.DefaultCategorizer()}
	ds := mustLoad(t, map[string]string{
		"customers.csv": twoCustomers,
		"tickets.csv":   "customer_id,timestamp,text,sentiment\nc1,2026-03-01,anything,\nc1,2026-03-01,anything,0.25\nc2,2026-03-01,,NA\n",
	}, Options{Aggregator: agg})
	d := ds.Histories[0][0]
	if d.Tickets != 2 || d.SentimentSum != -0.25 || d.SentimentMin != -0.5 || d.NegTickets != 1 {
		t.Errorf("c1 day = %+v, want 2 tickets scored -0.5 (analyzer) and 0.25 (column)", d)
	}
	if d := ds.Histories[1][0]; d.Tickets != 1 || d.SentimentSum != 0 || d.NegTickets != 0 {
		t.Errorf("c2 day = %+v, want 1 neutral ticket", d)
	}
}

func TestLoadRevenue(t *testing.T) {
	ds := mustLoad(t, map[string]string{
		"customers.csv": "customer_id,mrr\nc1,10\nc2,20\nc3,5\n",
		"revenue.csv":   "customer_id,month,mrr\nc1,2026-03,10\nc1,2026-01,8\nc1,2026-03,2\nc2,2026-02,20\nc1,2026-02,9\n",
	}, Options{})
	m := func(y, mo int) int32 { return int32(y*12 + mo - 1) }
	want := [][]MonthMRR{
		{{m(2026, 1), 8}, {m(2026, 2), 9}, {m(2026, 3), 12}},
		{{m(2026, 2), 20}},
		nil,
	}
	if !reflect.DeepEqual(ds.Revenue, want) {
		t.Errorf("revenue = %v, want %v", ds.Revenue, want)
	}
	if !ds.Start.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) || !ds.End.Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("span = %v .. %v", ds.Start, ds.End)
	}
	if ds.Histories[0] != nil {
		t.Errorf("revenue must not create history days: %+v", ds.Histories[0])
	}

	noRev := mustLoad(t, map[string]string{"customers.csv": twoCustomers}, Options{})
	if noRev.Revenue != nil || !noRev.Start.IsZero() || !noRev.End.IsZero() {
		t.Errorf("without revenue.csv: Revenue = %v, span %v .. %v; want nil and zero times", noRev.Revenue, noRev.Start, noRev.End)
	}
}

// TestLoadSample loads the example data set in testdata/sample.
func TestLoadSample(t *testing.T) {
	ds, err := Load(filepath.Join("testdata", "sample"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if ds.Mode != ModeTime || len(ds.Customers) != 4 {
		t.Fatalf("mode %s, %d customers; want time, 4", ds.Mode, len(ds.Customers))
	}
	want := map[string]int{"customers.csv": 4, "usage.csv": 9, "tickets.csv": 3, "page_views.csv": 5, "revenue.csv": 7}
	if !reflect.DeepEqual(ds.Report.Rows, want) {
		t.Errorf("rows = %v, want %v", ds.Report.Rows, want)
	}
	if got := ds.Report.UnknownEvents; !reflect.DeepEqual(got, map[string]int{"page_views.csv": 1}) {
		t.Errorf("unknown events = %v", got)
	}
	acme := ds.Histories[ds.Index["acme"]]
	var usage float64
	var tickets int32
	for _, d := range acme {
		usage += d.Usage
		tickets += d.Tickets
	}
	if usage != 42 || tickets != 2 {
		t.Errorf("acme usage %v, tickets %d; want 42, 2", usage, tickets)
	}
	if ds.Customers[ds.Index["globex"]].ChurnedAt == nil {
		t.Error("globex has no churned_at")
	}
}

func TestLoadMLCChurn(t *testing.T) {
	dir := "/work/shared/datasets/mlc_churn"
	if _, err := os.Stat(filepath.Join(dir, "customers.csv")); err != nil {
		t.Skipf("mlc_churn data set not available: %v", err)
	}
	ds, err := Load(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Customers) != 5000 || ds.Mode != ModeStatic {
		t.Fatalf("%d customers, mode %s; want 5000, static", len(ds.Customers), ds.Mode)
	}
	pos, neg := 0, 0
	for _, l := range ds.Labels {
		switch l {
		case 1:
			pos++
		case 0:
			neg++
		}
	}
	if pos != 707 || neg != 4293 {
		t.Errorf("labels: %d positive, %d negative; want 707, 4293", pos, neg)
	}
	first := ds.Customers[0]
	if first.ID != "mlc00001" || first.Attributes["state"] != "KS" || first.Attributes["number_customer_service_calls"] != "1" || first.Attributes["total_day_minutes"] != "265.1" {
		t.Errorf("first customer = %+v", first)
	}
	if len(first.Attributes) != 19 {
		t.Errorf("first customer has %d attributes, want 19", len(first.Attributes))
	}
	if !reflect.DeepEqual(ds.Files, []string{"customers.csv"}) || ds.Histories[0] != nil || ds.Revenue != nil {
		t.Errorf("files %v, histories/revenue should be empty", ds.Files)
	}
}

func FuzzLoadCustomers(f *testing.F) {
	f.Add([]byte(twoCustomers))
	f.Add([]byte("customer_id,signup_at,mrr,churned,churned_at,plan,x\nc1,2026-01-01,10,yes,2026-02-01T00:00:00Z,pro,1\nc2,NA,,no,,,\n"))
	f.Add([]byte("\uFEFFCustomer_ID,\"a\"\"b\"\n\"c\n1\",\"x\"\n"))
	f.Add([]byte("customer_id\nc1\nc1\n"))
	f.Add([]byte("customer_id,mrr\nc1,\"1\nc2,-1\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "customers.csv"), in, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, max := range []int{0, 5} {
			ds, err := Load(dir, Options{MaxBadRows: max})
			if err != nil {
				if !errors.Is(err, ErrBadInput) {
					t.Fatalf("error %v does not wrap ErrBadInput", err)
				}
				continue
			}
			if len(ds.Customers) != len(ds.Labels) || len(ds.Customers) != len(ds.Index) || len(ds.Histories) != len(ds.Customers) {
				t.Fatalf("misaligned: %d customers, %d labels, %d index, %d histories", len(ds.Customers), len(ds.Labels), len(ds.Index), len(ds.Histories))
			}
			for i, p := range ds.Customers {
				if ds.Index[p.ID] != i {
					t.Fatalf("index of %q = %d, want %d", p.ID, ds.Index[p.ID], i)
				}
			}
		}
	})
}

func TestLoadExcerpts(t *testing.T) {
	files := map[string]string{
		"customers.csv": twoCustomers,
		"tickets.csv": "customer_id,timestamp,text,sentiment\n" +
			"c1,2026-03-01T09:00:00Z,\"We want to cancel,\n  the tool is too slow\",-0.6\n" +
			"c1,2026-03-04T09:00:00Z,thanks for the help,0.6\n" +
			"c1,2026-03-03T09:00:00Z,awful support,-0.9\n" +
			"c1,2026-03-02T09:00:00Z,please refund us,0.2\n" +
			"c2,2026-03-01T09:00:00Z,all good,0.4\n",
	}
	ds := mustLoad(t, files, Options{Excerpts: 2, ExcerptText: true})
	at := func(day int) time.Time { return time.Date(2026, 3, day, 9, 0, 0, 0, time.UTC) }
	want := []signals.Excerpt{
		{At: at(3), Text: "awful support", Negative: true, Sentiment: -0.9},
		{At: at(2), Text: "please refund us", Intents: []signals.Intent{signals.IntentRefund}, Sentiment: 0.2},
	}
	if !reflect.DeepEqual(ds.Excerpts[0], want) || ds.Excerpts[1] != nil {
		t.Fatalf("excerpts %+v, want the newest two negative or intent tickets of c1: %+v", ds.Excerpts, want)
	}
	ds = mustLoad(t, files, Options{Excerpts: 5})
	if x := ds.Excerpts[0]; len(x) != 3 || x[2].Text != "" || !x[2].At.Equal(at(1)) || len(x[2].Intents) != 1 {
		t.Fatalf("without text: %+v", x)
	}
	if ds := mustLoad(t, files, Options{}); ds.Excerpts != nil {
		t.Fatalf("excerpts kept without Options.Excerpts: %+v", ds.Excerpts)
	}
}

func TestLoadLabelNearMiss(t *testing.T) {
	for _, col := range []string{"churn_date", "cancelled_at", "canceled_at", "churn", "is_churned", "churned_flag",
		"cancel_date", "churn_flag", "Exited", "isChurned", "Churn Date", "churn-status", "date_churned"} {
		t.Run(col, func(t *testing.T) {
			_, err := Load(writeDir(t, map[string]string{"customers.csv": "customer_id,plan," + col + "\nc1,basic,2026-03-01\nc2,pro,\n"}), Options{})
			want := fmt.Sprintf(`customers.csv:1: column %q looks like the label: name it churned_at (a date) or churned (yes/no)`, strings.ToLower(col))
			if err == nil || err.Error() != want {
				t.Fatalf("Load error %v, want %q", err, want)
			}
			if !errors.Is(err, ErrBadInput) {
				t.Errorf("error %v does not wrap ErrBadInput", err)
			}
		})
	}
	// Not label names, or a label column is present: loads.
	for _, files := range []string{
		"customer_id,churn_risk_score,cancel_reason,exit_interview_notes,status\nc1,0.5,price,none,active\n",
		"customer_id,churned_at,cancel_date\nc1,2026-03-01,2026-02-20\n",
		"customer_id,churned,churn_date\nc1,yes,2026-02-20\n",
	} {
		if _, err := Load(writeDir(t, map[string]string{"customers.csv": files}), Options{}); err != nil {
			t.Errorf("Load(%q): %v", files, err)
		}
	}
}
