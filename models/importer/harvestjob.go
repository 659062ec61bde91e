package importer

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"gorm.io/gorm"

	"github.com/openreferral-uk/referrals/models"
)

// Scheduled harvests run as a River job: every minute the elected leader
// enqueues one harvest_due job, and whichever process works it harvests
// every feed that is due (HarvestDue), one after another. Only one such job
// is queued or running at a time, so a long harvest never piles up a
// backlog behind it, and a feed is never harvested twice at once anyway
// (models.StartFeedRun). Register it with
//
//	river.AddWorker(workers, importer.NewHarvestWorker(db, opts, log))
//	periodic = append(periodic, importer.HarvestPeriodicJob())
//
// On SQLite the harvest shares the database's few connections with River:
// the import holds one for its write transaction and asks for no other
// while it does, so River's own queries wait for it rather than deadlock.

// HarvestDueArgs is the job that harvests every feed that is due.
type HarvestDueArgs struct{}

// Kind implements river.JobArgs.
func (HarvestDueArgs) Kind() string { return "harvest_due" }

// InsertOpts makes the job unique while it waits or runs, and never
// retried: a failed feed is recorded on the feed and retried on its
// schedule, not by River.
func (HarvestDueArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateScheduled,
	}}}
}

// HarvestInterval is how often the scheduler looks for feeds that are due.
const HarvestInterval = time.Minute

// HarvestPeriodicJob is the periodic job that enqueues HarvestDueArgs.
func HarvestPeriodicJob() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(HarvestInterval),
		func() (river.JobArgs, *river.InsertOpts) { return HarvestDueArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})
}

// HarvestWorker works HarvestDueArgs.
type HarvestWorker struct {
	river.WorkerDefaults[HarvestDueArgs]
	db   *gorm.DB
	opts HarvestOptions
	log  *slog.Logger
}

// NewHarvestWorker returns the worker of scheduled harvests.
func NewHarvestWorker(db *gorm.DB, opts HarvestOptions, log *slog.Logger) *HarvestWorker {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &HarvestWorker{db: db, opts: opts, log: log}
}

// Timeout overrides River's default of one minute, in which a politely
// paced feed of a few hundred services is cancelled half way, and then
// again on every try: a harvest may take as long as a run may say it is
// running before it is taken for dead.
func (w *HarvestWorker) Timeout(*river.Job[HarvestDueArgs]) time.Duration { return models.FeedStaleRun }

// Work harvests every feed that is due. A feed that fails is recorded on
// the feed and logged; the job fails only when the feeds cannot be read.
func (w *HarvestWorker) Work(ctx context.Context, _ *river.Job[HarvestDueArgs]) error {
	results, err := HarvestDue(ctx, w.db, w.opts)
	for name, rerr := range results {
		if rerr != nil {
			// Feed names and HTTP errors only: feeds carry no personal data.
			w.log.WarnContext(ctx, "harvest failed", "feed", name, "error", rerr.Error())
		} else {
			w.log.InfoContext(ctx, "harvested", "feed", name)
		}
	}
	return err
}

// HarvestNow queues a harvest of the feeds that are due at once, for "Run
// now": without it the next scheduled look, within HarvestInterval, would
// pick the feed up. A harvest already queued or running makes it a no-op.
func HarvestNow(ctx context.Context, jobs *models.Jobs) error {
	if jobs == nil {
		return nil
	}
	return jobs.Enqueue(ctx, HarvestDueArgs{}, nil)
}
