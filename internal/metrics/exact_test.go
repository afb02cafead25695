package metrics

import (
	"encoding/binary"
	"errors"
	"math"
	"math/big"
	"reflect"
	"testing"
	"time"

	"github.com/churnrisk/churn/internal/features"
	"github.com/churnrisk/churn/internal/value"
)

// The largest MRR beside the smallest: the sums are exact to the cent, and
// the table shows them so while they are below 2^53 cents.
func TestExactSums(t *testing.T) {
	signup := day(2025, 12, 5)
	var a Aggregate
	var want int64 // cents, by hand
	add := func(mrr float64, n int) {
		for range n {
			c := Update(Customer{}, features.Profile{SignupAt: &signup, MRR: &mrr}, day(2026, 1, 10))
			if err := a.Add(contrib(c), 1); err != nil {
				t.Fatal(err)
			}
		}
	}
	add(value.MaxAmount, 80)
	add(0.01, 77)
	add(0.07, 1)
	want = 80*1e14 + 77 + 7
	if got := a.Flows[mo(2025, 12)].NewMRR; int64(got) != want {
		t.Fatalf("new MRR %d cents, want %d", got, want)
	}
	f := month(t, Compute(a, Options{From: mo(2026, 2), To: mo(2026, 2)}), mo(2026, 2))
	if f.MRRStart != 80000000000000.84 {
		t.Errorf("MRR at start %.4f, want 80000000000000.84", f.MRRStart)
	}
	// An amount above the contract's bound, or not finite, is refused.
	for _, v := range []float64{1e300, math.Inf(1), value.MaxAmount * 1.5} {
		c := Update(Customer{}, features.Profile{SignupAt: &signup, MRR: &v}, day(2026, 1, 10))
		if _, err := Contribution(c); !errors.Is(err, ErrRange) {
			t.Errorf("MRR %g: %v, want ErrRange", v, err)
		}
	}
	// A sum that would leave MaxSum is refused whole: a is unchanged.
	before := cloneAgg(a)
	big := Aggregate{Flows: map[Month]Flow{mo(2025, 11): {New: 1}, mo(2025, 12): {NewMRR: Cents(MaxSum)}}}
	if err := a.Add(big, 1); !errors.Is(err, ErrRange) {
		t.Fatalf("add beyond MaxSum: %v, want ErrRange", err)
	}
	if !reflect.DeepEqual(a, before) {
		t.Errorf("a refused Add changed the aggregate")
	}
}

// FuzzLedgerExact applies random sequences of MRR changes and scores of a
// few customers through the rules (Update, Diff, Add; Share.Scored,
// Ledger.Apply) and compares the sums with an exact big.Int computation:
// the MRR of every customer is a whole number of cents up to
// value.MaxAmount, read back exactly, and the aggregate built change by
// change equals the one built from scratch.
func FuzzLedgerExact(f *testing.F) {
	f.Add([]byte{0x00, 1, 0, 0, 0, 0, 0, 0, 0x11, 1, 200, 1, 0, 0, 0, 0})
	f.Add([]byte{0x02, 3, 9, 9, 9, 9, 9, 9, 0x12, 3, 1, 0, 0, 0, 0, 0, 0x22, 3, 5, 1, 1, 2, 3, 4})
	f.Fuzz(func(t *testing.T, ops []byte) {
		const n = 4
		signup := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		var agg Aggregate
		var l Ledger
		cs := make([]Customer, n)
		shares := make([]Share, n)
		points := make([]map[Month]int64, n) // cents by month, as put
		for ; len(ops) >= 8; ops = ops[8:] {
			op := ops[:8]
			id := int(op[0]&0x0f) % n
			k := int64(binary.LittleEndian.Uint64(append(op[2:8:8], 0, 0)) % (1e14 + 1))
			switch op[0] >> 4 {
			case 0:
				k = 1e14 // value.MaxAmount
			case 1:
				k = 1 // one cent
			}
			v := float64(k) / 100
			if c, err := CentsOf(v); err != nil || int64(c) != k {
				t.Fatalf("CentsOf(%v) = %d, %v; want %d", v, c, err, k)
			}
			now := signup.AddDate(0, int(op[1]%24), 0)
			next := Update(cs[id], features.Profile{SignupAt: &signup, MRR: &v}, now)
			d, err := agg.Diff(next, cs[id])
			if err == nil {
				err = agg.Add(d, 1)
			}
			if err != nil {
				t.Fatal(err)
			}
			cs[id] = next
			if points[id] == nil {
				points[id] = map[Month]int64{}
			}
			points[id][MonthOf(now)] = k
			u, r, err := ScoreUnits(float64(op[2])/255, op[3]&1 == 1, &v)
			if err != nil {
				t.Fatal(err)
			}
			ch := shares[id].Scored(u, r, now)
			if err := l.Apply(ch); err != nil {
				t.Fatal(err)
			}
			shares[id] = ch.Next
		}
		// The aggregate built change by change is the one from scratch.
		if fresh := aggregate(cs...); !reflect.DeepEqual(agg, fresh) && (len(agg.Flows) > 0 || len(fresh.Flows) > 0) {
			t.Fatalf("incremental %+v\nfrom scratch %+v", agg, fresh)
		}
		// The MRR after the last month: each customer's last point, exactly.
		want, got := new(big.Int), new(big.Int)
		for _, p := range points {
			last, ok := Month(-1), false
			for m := range p {
				if !ok || m > last {
					last, ok = m, true
				}
			}
			if ok {
				want.Add(want, big.NewInt(p[last]))
			}
		}
		for _, fl := range agg.Flows {
			for _, c := range []Cents{fl.NewMRR, fl.ReactivationMRR, fl.ExpansionMRR, -fl.ContractionMRR, -fl.ChurnedMRR} {
				got.Add(got, big.NewInt(int64(c)))
			}
		}
		if got.Cmp(want) != 0 {
			t.Fatalf("MRR from the flows %v cents, want %v", got, want)
		}
		// The ledger's sums are the sums of the shares.
		var ws, wr int64
		for _, s := range shares {
			if s.Counted {
				ws += int64(s.Score)
				wr += int64(s.Revenue)
			}
		}
		if int64(l.Scores) != ws || int64(l.Revenue) != wr {
			t.Fatalf("ledger %d micros, %d cents; shares sum to %d, %d", l.Scores, l.Revenue, ws, wr)
		}
	})
}
