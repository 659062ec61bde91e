package models_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/dbtest"
)

func TestRateLimiterHoldsAcrossReplicas(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		{
			ctx := context.Background()
			clock := time.Date(2026, 11, 26, 10, 0, 5, 0, time.UTC)
			mk := func() *models.RateLimiter {
				r := models.NewRateLimiter(db, 50, time.Minute)
				r.SyncBatch = 5
				r.Now = func() time.Time { return clock }
				return r
			}
			a, b := mk(), mk() // two replicas
			allowed := 0
			for i := range 200 {
				r := a
				if i%2 == 1 {
					r = b
				}
				ok, err := r.Allow(ctx, "ip:203.0.113.9")
				if err != nil {
					t.Fatal(err)
				}
				if ok {
					allowed++
				}
			}
			// Each replica may overshoot by at most its unsynced batch.
			if allowed < 50 || allowed > 50+2*5 {
				t.Errorf("two replicas allowed %d of 200 requests under a shared limit of 50", allowed)
			}
			if ok, _ := a.Allow(ctx, "ip:198.51.100.1"); !ok {
				t.Error("another key was limited")
			}
			clock = clock.Add(time.Minute)
			if ok, _ := a.Allow(ctx, "ip:203.0.113.9"); !ok {
				t.Error("the next window is still limited")
			}
			if err := models.DeleteOldRateLimits(ctx, db, clock); err != nil {
				t.Fatal(err)
			}
			var n int64
			db.Table("rate_limits").Where("window_start < ?", clock).Count(&n)
			if n != 0 {
				t.Errorf("%d old counters left", n)
			}
		}
	})
}
