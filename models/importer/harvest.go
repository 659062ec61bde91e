package importer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/openreferral-uk/referrals/models"
)

// Harvesting runs imports of the feeds a platform admin registered (the
// feeds table), on their schedules: an incremental run asks the feed only
// for services modified since the last committed run began
// (modified_after); a full run reads everything and marks inactive the
// services that vanished from it. Each run is an ordinary import (all or
// nothing, idempotent, local edits kept), and its outcome is recorded on
// the feed for the admin page.

// HarvestOptions configures harvest runs.
type HarvestOptions struct {
	// HTTP configures how feeds are read; ModifiedAfter is set per run.
	HTTP HTTPOptions
	// TempDir holds the import's spill file.
	TempDir string
	// Full forces a full read whatever the schedule says.
	Full bool
	// Now is the clock; models.Now when nil.
	Now func() time.Time
}

// modifiedAfterOverlap is taken off the watermark an incremental run asks
// modified_after of, against clocks that disagree between this platform
// and the feed: re-reading a few records costs nothing, as imports are
// idempotent.
const modifiedAfterOverlap = 5 * time.Minute

// reportProblems is how many problems a feed keeps from its latest run for
// the admin page; the count of all of them is kept too.
const reportProblems = 50

// FeedReport is what a feed keeps of its latest run (models.Feed.LastReport).
type FeedReport struct {
	Outcome       string    `json:"outcome"`
	Full          bool      `json:"full"`
	ModifiedAfter string    `json:"modified_after,omitempty"`
	Seconds       float64   `json:"seconds"`
	Services      Counts    `json:"services"`
	Organizations Counts    `json:"organizations"`
	ProblemCount  int       `json:"problem_count"`
	Problems      []Problem `json:"problems"`
}

// ParseFeedReport reads a feed's LastReport; a feed that has not run has
// none, and gives the zero report.
func ParseFeedReport(s string) FeedReport {
	var r FeedReport
	if s != "" {
		_ = json.Unmarshal([]byte(s), &r)
	}
	return r
}

// Harvest runs one harvest of a feed now: full when opts.Full says so or
// the feed's full interval has passed, incremental otherwise. It returns
// models.ErrFeedRunning, without running, when another run of the feed is
// in progress. The outcome is recorded on the feed either way it ends.
func Harvest(ctx context.Context, db *gorm.DB, feed models.Feed, opts HarvestOptions) (*Report, error) {
	now := models.Now
	if opts.Now != nil {
		now = opts.Now
	}
	started := now()
	_, full := feed.Due(started)
	full = full || opts.Full
	if err := models.StartFeedRun(ctx, db, feed.ID, full, started); err != nil {
		return nil, err
	}
	httpOpts := opts.HTTP
	var since string
	if !full && feed.LastSuccessAt != nil {
		httpOpts.ModifiedAfter = feed.LastSuccessAt.Add(-modifiedAfterOverlap)
		since = httpOpts.ModifiedAfter.UTC().Format(time.RFC3339)
	}
	rep, err := harvest(ctx, db, feed, full, httpOpts, opts, now)
	result := models.FeedRunResult{Started: started, Full: full, Committed: err == nil && rep != nil && rep.Outcome == OutcomeCommitted}
	if err != nil {
		// Shown to platform admins on the feeds page: what went wrong
		// with the feed (an HTTP status, a page that would not parse).
		// Feeds carry directory data, never people's.
		result.Error = err.Error()
	}
	fr := FeedReport{Outcome: OutcomeFailed, Full: full, ModifiedAfter: since, Problems: []Problem{}}
	if rep != nil {
		fr.Outcome, fr.Seconds, fr.Services, fr.Organizations = rep.Outcome, rep.Seconds, rep.Services, rep.Organizations
		fr.ProblemCount = len(rep.Problems)
		fr.Problems = rep.Problems[:min(len(rep.Problems), reportProblems)]
	}
	b, _ := json.Marshal(fr)
	result.Report = string(b)
	// Recorded even when the run was cancelled, so the feed is not left
	// "running".
	if ferr := models.FinishFeedRun(context.WithoutCancel(ctx), db, feed.ID, result); ferr != nil {
		return rep, errors.Join(err, ferr)
	}
	return rep, err
}

func harvest(ctx context.Context, db *gorm.DB, feed models.Feed, full bool, httpOpts HTTPOptions, opts HarvestOptions, now func() time.Time) (*Report, error) {
	src, closeSrc, err := Open(ctx, feed.URL, OpenOptions{Format: Format(feed.Format), HTTP: httpOpts, TempDir: opts.TempDir})
	if err != nil {
		return nil, fmt.Errorf("importer: open feed %s: %w", feed.Name, err)
	}
	defer func() { _ = closeSrc() }()
	return Run(ctx, db, src, Options{Source: feed.Source(), Input: feed.URL, MarkVanished: full, TempDir: opts.TempDir, Now: now})
}

// HarvestDue harvests, one after another, every feed that is due at this
// moment (models.DueFeeds), and returns each one's error (nil for a run
// that committed). A feed another process is running is left to it.
func HarvestDue(ctx context.Context, db *gorm.DB, opts HarvestOptions) (map[string]error, error) {
	now := models.Now
	if opts.Now != nil {
		now = opts.Now
	}
	feeds, err := models.DueFeeds(ctx, db, now())
	if err != nil {
		return nil, err
	}
	out := map[string]error{}
	for _, f := range feeds {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		_, err := Harvest(ctx, db, f, opts)
		if errors.Is(err, models.ErrFeedRunning) {
			continue
		}
		out[f.Name] = err
	}
	return out, nil
}
