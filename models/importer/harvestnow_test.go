package importer_test

import (
	"context"
	"testing"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/dbtest"
	"github.com/openreferral-uk/referrals/models/importer"
)

// "Run now" queues one harvest at once, however often it is pressed.
func TestHarvestNowQueuesOneHarvest(t *testing.T) {
	db := dbtest.SQLite(t)
	jobs, err := models.NewJobs(db, models.JobsConfig{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for range 3 {
		if err := importer.HarvestNow(ctx, jobs); err != nil {
			t.Fatal(err)
		}
	}
	var n int64
	db.Raw("SELECT COUNT(*) FROM river_job WHERE kind = 'harvest_due' AND state = 'available'").Scan(&n)
	if n != 1 {
		t.Errorf("%d harvests queued, want 1", n)
	}
	if err := importer.HarvestNow(ctx, nil); err != nil {
		t.Errorf("without a queue: %v", err)
	}
}
