// Package ratelimit counts requests per client and minute in the database,
// so that the limit holds across several processes behind a load balancer.
package ratelimit

import (
	"context"
	"time"

	"github.com/ogforum/ogforum/internal/store"
)

// Limiter allows PerMinute hits per bucket and fixed one-minute window.
// A PerMinute of zero or less turns it off.
type Limiter struct {
	DB        *store.DB
	PerMinute int
}

// Allow records a hit for bucket (for example "sign-in:203.0.113.7") and
// tells whether it is within the limit, and if not how long to wait.
func (l *Limiter) Allow(ctx context.Context, bucket string) (bool, time.Duration, error) {
	if l == nil || l.PerMinute <= 0 {
		return true, 0, nil
	}
	now := store.Now()
	window := now.Truncate(time.Minute)
	var hits int
	err := l.DB.QueryRowContext(ctx, `INSERT INTO rate_limits (bucket, window_start, hits) VALUES ($1, $2, 1)
		ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + 1
		RETURNING hits`, bucket, window).Scan(&hits)
	if err != nil {
		return true, 0, err
	}
	if hits > l.PerMinute {
		return false, window.Add(time.Minute).Sub(now), nil
	}
	return true, 0, nil
}

// Purge drops windows older than an hour.
func Purge(ctx context.Context, q store.Querier, now time.Time) error {
	_, err := q.ExecContext(ctx, `DELETE FROM rate_limits WHERE window_start < $1`, now.Add(-time.Hour))
	return err
}
