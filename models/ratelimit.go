package models

import (
	"context"
	"fmt"
	"sync"
	"time"

	"gorm.io/gorm"
)

// RateLimiter counts requests per key in fixed windows, in the database,
// so that a limit holds across every replica. To keep a write off every
// request, each process counts locally and adds its count to the database
// at most once per SyncEvery (or every SyncBatch requests), reading back
// the total all replicas have counted. Between syncs a process can let
// through at most SyncBatch requests more than the limit.
type RateLimiter struct {
	db        *gorm.DB
	Limit     int
	Window    time.Duration
	SyncEvery time.Duration
	SyncBatch int
	// Now is the limiter's clock; tests move it.
	Now func() time.Time

	mu   sync.Mutex
	keys map[string]*rateKey
}

type rateKey struct {
	window   time.Time
	pending  int
	global   int
	syncedAt time.Time
}

// NewRateLimiter allows limit requests per key per window; a limit of zero
// or less allows everything.
func NewRateLimiter(db *gorm.DB, limit int, window time.Duration) *RateLimiter {
	return &RateLimiter{db: db, Limit: limit, Window: window, SyncEvery: time.Second, SyncBatch: 20,
		Now: time.Now, keys: map[string]*rateKey{}}
}

// Allow counts a request for key and reports whether it is within the limit.
func (r *RateLimiter) Allow(ctx context.Context, key string) (bool, error) {
	if r == nil || r.Limit <= 0 {
		return true, nil
	}
	now := r.Now().UTC()
	window := now.Truncate(r.Window)
	r.mu.Lock()
	k := r.keys[key]
	if k == nil || !k.window.Equal(window) {
		k = &rateKey{window: window}
		r.keys[key] = k
		r.forgetOld(window)
	}
	k.pending++
	over := k.global+k.pending > r.Limit
	sync := k.pending >= r.SyncBatch || now.Sub(k.syncedAt) >= r.SyncEvery || over
	delta := 0
	if sync {
		delta, k.pending = k.pending, 0
		k.syncedAt = now
	}
	r.mu.Unlock()
	if !sync {
		return !over, nil
	}
	total, err := r.add(ctx, key, window, delta)
	if err != nil {
		return true, err // fail open: a database hiccup must not lock everyone out
	}
	r.mu.Lock()
	if k.window.Equal(window) && total > k.global {
		k.global = total
	}
	allowed := k.global+k.pending <= r.Limit
	r.mu.Unlock()
	return allowed, nil
}

// forgetOld drops local counters of past windows; called with mu held.
func (r *RateLimiter) forgetOld(current time.Time) {
	if len(r.keys) < 10000 {
		return
	}
	for key, k := range r.keys {
		if k.window.Before(current) {
			delete(r.keys, key)
		}
	}
}

// add adds delta to the window's shared count and returns the new total.
func (r *RateLimiter) add(ctx context.Context, key string, window time.Time, delta int) (int, error) {
	var total int
	err := r.db.WithContext(ctx).Raw(`INSERT INTO rate_limits (key, window_start, count) VALUES (?, ?, ?)
		ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limits.count + excluded.count
		RETURNING count`, key, window, delta).Scan(&total).Error
	if err != nil {
		return 0, fmt.Errorf("models: rate limit: %w", err)
	}
	return total, nil
}

// DeleteOldRateLimits removes counters of windows that ended before cutoff.
func DeleteOldRateLimits(ctx context.Context, db *gorm.DB, cutoff time.Time) error {
	if err := db.WithContext(ctx).Exec("DELETE FROM rate_limits WHERE window_start < ?", cutoff.UTC()).Error; err != nil {
		return fmt.Errorf("models: delete old rate limits: %w", err)
	}
	return nil
}
