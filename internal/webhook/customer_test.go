package webhook

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// testCustomerDeliveries: a customer's deliveries across two subscriptions
// are listed newest first, limited, without another customer's; a deleted
// subscription's deliveries leave the list; only the newest
// MaxCustomerDeliveries are kept.
func testCustomerDeliveries(t *testing.T, s Store) {
	ctx := context.Background()
	s1 := addSub(t, s, "http://127.0.0.1:1/one")
	s2 := addSub(t, s, "http://127.0.0.1:1/two")
	base := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	at := func(sec int) time.Time { return base.Add(time.Duration(sec) * time.Second) }
	a0, a1, a2, a3 := newDelivery(s1, "A", at(0)), newDelivery(s2, "A", at(1)), newDelivery(s1, "A", at(3)), newDelivery(s2, "A", at(5))
	b0, b1 := newDelivery(s1, "B", at(2)), newDelivery(s2, "B", at(4))
	enqueue(t, s, a2, b0, a0)
	enqueue(t, s, a3, a1, b1, a0) // a0 again: listed once
	list := func(customer string, limit int) []string {
		t.Helper()
		got, err := s.CustomerDeliveries(ctx, customer, limit)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, d := range got {
			if d.CustomerID != customer {
				t.Errorf("%s's list holds %s of customer %s", customer, d.ID, d.CustomerID)
			}
			ids = append(ids, d.ID)
		}
		return ids
	}
	for _, tc := range []struct {
		customer string
		limit    int
		want     []string
	}{
		{"A", 10, []string{a3.ID, a2.ID, a1.ID, a0.ID}},
		{"A", 2, []string{a3.ID, a2.ID}},
		{"B", 10, []string{b1.ID, b0.ID}},
		{"nobody", 10, nil},
		{"A", 0, nil},
	} {
		if got := list(tc.customer, tc.limit); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("CustomerDeliveries(%s, %d) = %v, want %v", tc.customer, tc.limit, got, tc.want)
		}
	}
	// The listed delivery carries its outcome and payload.
	claimed, err := s.Claim(ctx, "t", 10, time.Minute)
	if err != nil || len(claimed) != 6 {
		t.Fatalf("Claim = %d deliveries, %v; want 6", len(claimed), err)
	}
	for _, c := range claimed {
		if c.ID == a3.ID {
			c.Attempts, c.LastStatus = 1, 200
			if err := s.Complete(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
	}
	got, err := s.CustomerDeliveries(ctx, "A", 1)
	if err != nil || len(got) != 1 {
		t.Fatalf("CustomerDeliveries(A, 1) = %v, %v", got, err)
	}
	if d := got[0]; d.ID != a3.ID || d.Status != StatusDelivered || d.Attempts != 1 || d.LastStatus != 200 ||
		d.SubscriptionID != s2.ID || string(d.Payload) != string(a3.Payload) || !d.CreatedAt.Equal(at(5)) {
		t.Errorf("listed %+v, want a3 delivered once with its payload", d)
	}
	// Deleting s2 takes its deliveries (finished or pending) off the lists.
	if err := s.DeleteSubscription(ctx, s2.ID); err != nil {
		t.Fatal(err)
	}
	if got, want := list("A", 10), []string{a2.ID, a0.ID}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after deleting s2, A's list = %v, want %v", got, want)
	}
	if got, want := list("B", 10), []string{b0.ID}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after deleting s2, B's list = %v, want %v", got, want)
	}
	// Only the newest MaxCustomerDeliveries are kept per customer.
	var many []Delivery
	for i := range MaxCustomerDeliveries + 5 {
		many = append(many, newDelivery(s1, "C", at(100+i)))
	}
	enqueue(t, s, many...)
	got, err = s.CustomerDeliveries(ctx, "C", MaxCustomerDeliveries+5)
	if err != nil || len(got) != MaxCustomerDeliveries {
		t.Fatalf("C: %d deliveries, %v; want %d", len(got), err, MaxCustomerDeliveries)
	}
	if got[0].ID != many[len(many)-1].ID || got[len(got)-1].ID != many[5].ID {
		t.Errorf("C's list runs %s..%s, want the newest %d (%s..%s)", got[0].ID, got[len(got)-1].ID,
			MaxCustomerDeliveries, many[len(many)-1].ID, many[5].ID)
	}
}
