package ratelimit_test

import (
	"context"
	"testing"

	"github.com/ogforum/ogforum/internal/ratelimit"
	"github.com/ogforum/ogforum/internal/store"
	"github.com/ogforum/ogforum/internal/store/storetest"
)

func TestLimiterCountsPerBucketAcrossLimiters(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// Two limiters on one database behave like two processes.
		a, b := &ratelimit.Limiter{DB: db, PerMinute: 3}, &ratelimit.Limiter{DB: db, PerMinute: 3}
		allowed := 0
		for i := range 6 {
			l := a
			if i%2 == 1 {
				l = b
			}
			ok, wait, err := l.Allow(ctx, "sign-in:192.0.2.1")
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				allowed++
			} else if wait <= 0 {
				t.Fatal("a refused request must say how long to wait")
			}
		}
		if allowed != 3 {
			t.Fatalf("allowed %d requests, want 3", allowed)
		}
		if ok, _, _ := a.Allow(ctx, "sign-in:192.0.2.2"); !ok {
			t.Fatal("another address was limited")
		}
		off := &ratelimit.Limiter{DB: db, PerMinute: 0}
		for range 10 {
			if ok, _, _ := off.Allow(ctx, "sign-in:192.0.2.1"); !ok {
				t.Fatal("a limit of 0 must turn limiting off")
			}
		}
	})
}
