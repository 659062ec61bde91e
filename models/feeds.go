package models

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Feed is an Open Referral API that a platform admin registered for
// harvesting. Its records' source is "feed:" + Name (FeedSource), so the
// name is fixed once the feed exists: the id rule derives ids from it.
type Feed struct {
	ID                 string     `gorm:"column:id;primaryKey"`
	Name               string     `gorm:"column:name;not null"`
	URL                string     `gorm:"column:url;not null"`
	Format             string     `gorm:"column:format;not null"`
	IncrementalMinutes int        `gorm:"column:incremental_minutes;not null"`
	FullHours          int        `gorm:"column:full_hours;not null"`
	CreatedAt          time.Time  `gorm:"column:created_at;not null"`
	CreatedBy          string     `gorm:"column:created_by;not null"`
	Status             string     `gorm:"column:status;not null"`
	RunRequestedAt     *time.Time `gorm:"column:run_requested_at"`
	LastRunAt          *time.Time `gorm:"column:last_run_at"`
	LastRunFull        bool       `gorm:"column:last_run_full;not null"`
	LastFinishedAt     *time.Time `gorm:"column:last_finished_at"`
	LastSuccessAt      *time.Time `gorm:"column:last_success_at"`
	LastFullAt         *time.Time `gorm:"column:last_full_at"`
	LastError          string     `gorm:"column:last_error;not null"`
	// LastReport is the latest run's report as JSON: its counts and its
	// first problems (FeedReport).
	LastReport string `gorm:"column:last_report;not null"`
}

// TableName implements gorm's Tabler.
func (Feed) TableName() string { return "feeds" }

// The statuses of a feed: its latest run's outcome.
const (
	FeedNew     = "new"
	FeedRunning = "running"
	FeedOK      = "ok"
	FeedFailed  = "failed"
)

// FeedSource is the provenance name of the records harvested from a feed.
func FeedSource(name string) string { return "feed:" + name }

// Source is the provenance name of the feed's records.
func (f Feed) Source() string { return FeedSource(f.Name) }

// Defaults for a new feed's schedule.
const (
	DefaultIncrementalMinutes = 60
	DefaultFullHours          = 24
)

// FeedInput is what a platform admin gives to register a feed.
type FeedInput struct {
	Name               string
	URL                string
	Format             string // "", "hsds-api" or "oruk-v1-api"
	IncrementalMinutes int    // 0 for DefaultIncrementalMinutes
	FullHours          int    // 0 for DefaultFullHours
}

var feedName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// Validate checks the input, filling in the defaults.
func (in *FeedInput) Validate() error {
	var v ValidationError
	in.Name = strings.ToLower(strings.TrimSpace(in.Name))
	in.URL = strings.TrimSpace(in.URL)
	if !feedName.MatchString(in.Name) {
		v.Add("name", "Enter a short name of lower-case letters, digits, dots, dashes or underscores, such as kirklees")
	}
	u, err := url.Parse(in.URL)
	switch {
	case in.URL == "":
		v.Add("url", "Enter the feed's URL")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		v.Add("url", "Enter an http or https URL, such as https://api.example.gov.uk/api/v1/services")
	case u.User != nil:
		v.Add("url", "Leave credentials out of the URL: it is shown on the feeds page")
	}
	switch in.Format {
	case "", "hsds-api", "oruk-v1-api":
	default:
		v.Add("format", "Choose detect, hsds-api or oruk-v1-api")
	}
	if in.IncrementalMinutes == 0 {
		in.IncrementalMinutes = DefaultIncrementalMinutes
	}
	if in.FullHours == 0 {
		in.FullHours = DefaultFullHours
	}
	if in.IncrementalMinutes < 5 || in.IncrementalMinutes > 7*24*60 {
		v.Add("incremental_minutes", "Enter between 5 minutes and a week (10080)")
	}
	if in.FullHours < 1 || in.FullHours > 24*31 {
		v.Add("full_hours", "Enter between 1 hour and a month (744)")
	}
	return v.Err()
}

// OperatorActor is the person at the command line: whoever holds the
// database's credentials can do anything a platform admin can, so the
// commands act as one.
func OperatorActor() *Actor {
	return &Actor{User: User{ID: "operator", Name: "command line", PlatformAdmin: true}}
}

// AddFeed registers a feed for harvesting.
func AddFeed(ctx context.Context, db *gorm.DB, a *Actor, in FeedInput) (Feed, error) {
	if err := can(a, AdminFeeds, Resource{}); err != nil {
		return Feed{}, err
	}
	if err := in.Validate(); err != nil {
		return Feed{}, err
	}
	f := Feed{ID: NewID(), Name: in.Name, URL: in.URL, Format: in.Format, IncrementalMinutes: in.IncrementalMinutes,
		FullHours: in.FullHours, CreatedAt: Now(), CreatedBy: a.User.ID, Status: FeedNew}
	err := db.WithContext(ctx).Create(&f).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		v := ValidationError{}
		v.Add("name", "A feed of that name exists already")
		return Feed{}, &v
	}
	if err != nil {
		return Feed{}, fmt.Errorf("models: add feed: %w", err)
	}
	feedAudit(ctx, db, a, "feed.added", f, f.URL)
	return f, nil
}

// feedAudit records what happened to a feed in the audit log. The log is
// a record, not a control: failing to write it does not undo the change.
func feedAudit(ctx context.Context, db *gorm.DB, a *Actor, action string, f Feed, detail string) {
	if len(detail) > 500 {
		detail = detail[:500]
	}
	_ = Audit(ctx, db.WithContext(ctx), AuditEvent{ActorUserID: actorID(a), Action: action, SubjectType: "feed",
		SubjectID: f.ID, Detail: strings.TrimSpace(f.Name + " " + detail)})
}

// ListFeeds returns every feed, by name.
func ListFeeds(ctx context.Context, db *gorm.DB, a *Actor) ([]Feed, error) {
	if err := can(a, AdminFeeds, Resource{}); err != nil {
		return nil, err
	}
	var out []Feed
	if err := db.WithContext(ctx).Order("name").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("models: list feeds: %w", err)
	}
	return out, nil
}

// GetFeed returns one feed by its id or its name.
func GetFeed(ctx context.Context, db *gorm.DB, a *Actor, idOrName string) (Feed, error) {
	if err := can(a, AdminFeeds, Resource{}); err != nil {
		return Feed{}, err
	}
	var fs []Feed
	if err := db.WithContext(ctx).Where("id = ? OR name = ?", idOrName, idOrName).Limit(1).Find(&fs).Error; err != nil {
		return Feed{}, fmt.Errorf("models: get feed: %w", err)
	}
	if len(fs) == 0 {
		return Feed{}, fmt.Errorf("models: feed %q: %w", idOrName, ErrNotFound)
	}
	return fs[0], nil
}

// RemoveFeed stops harvesting a feed. The records it brought stay in the
// directory as they are, with its source: registering a feed of the same
// name again takes them back.
func RemoveFeed(ctx context.Context, db *gorm.DB, a *Actor, idOrName string) (Feed, error) {
	f, err := GetFeed(ctx, db, a, idOrName)
	if err != nil {
		return Feed{}, err
	}
	if err := db.WithContext(ctx).Delete(&Feed{}, "id = ?", f.ID).Error; err != nil {
		return Feed{}, fmt.Errorf("models: remove feed: %w", err)
	}
	feedAudit(ctx, db, a, "feed.removed", f, "")
	return f, nil
}

// RequestFeedRun asks for a feed to be harvested as soon as the scheduler
// next looks (DueFeeds), instead of waiting for its interval.
func RequestFeedRun(ctx context.Context, db *gorm.DB, a *Actor, idOrName string) (Feed, error) {
	f, err := GetFeed(ctx, db, a, idOrName)
	if err != nil {
		return Feed{}, err
	}
	now := Now()
	if err := db.WithContext(ctx).Model(&Feed{}).Where("id = ?", f.ID).Update("run_requested_at", now).Error; err != nil {
		return Feed{}, fmt.Errorf("models: request feed run: %w", err)
	}
	f.RunRequestedAt = &now
	feedAudit(ctx, db, a, "feed.run_requested", f, "")
	return f, nil
}

// FeedStaleRun is how long a run may say it is running before another may
// start: a process that died mid-run leaves its feed "running".
const FeedStaleRun = 6 * time.Hour

// RunRequested reports whether someone asked for a run that has not
// started since.
func (f Feed) RunRequested() bool {
	return f.RunRequestedAt != nil && (f.LastRunAt == nil || f.RunRequestedAt.After(*f.LastRunAt))
}

// Due reports whether the feed should be harvested at now, and whether
// that run reads the feed in full.
func (f Feed) Due(now time.Time) (due, full bool) {
	if f.Status == FeedRunning && f.LastRunAt != nil && now.Sub(*f.LastRunAt) < FeedStaleRun {
		return false, false
	}
	full = f.LastFullAt == nil || now.Sub(*f.LastFullAt) >= time.Duration(f.FullHours)*time.Hour
	switch {
	case f.RunRequested():
		return true, full
	case full:
		// A failed full run is retried at the incremental pace, not at
		// once on every look.
		return f.LastRunAt == nil || now.Sub(*f.LastRunAt) >= time.Duration(f.IncrementalMinutes)*time.Minute, true
	default:
		return f.LastRunAt == nil || now.Sub(*f.LastRunAt) >= time.Duration(f.IncrementalMinutes)*time.Minute, false
	}
}

// DueFeeds returns the feeds to harvest at now (Feed.Due), by name.
func DueFeeds(ctx context.Context, db *gorm.DB, now time.Time) ([]Feed, error) {
	var all []Feed
	if err := db.WithContext(ctx).Order("name").Find(&all).Error; err != nil {
		return nil, fmt.Errorf("models: due feeds: %w", err)
	}
	var out []Feed
	for _, f := range all {
		if due, _ := f.Due(now); due {
			out = append(out, f)
		}
	}
	return out, nil
}

// ErrFeedRunning means another process is harvesting the feed.
var ErrFeedRunning = errors.New("models: the feed is being harvested already")

// StartFeedRun marks a feed running, unless another run holds it (then
// ErrFeedRunning). Runs of one feed never overlap, across replicas too.
func StartFeedRun(ctx context.Context, db *gorm.DB, id string, full bool, at time.Time) error {
	res := db.WithContext(ctx).Model(&Feed{}).
		Where("id = ? AND (status <> ? OR last_run_at IS NULL OR last_run_at < ?)", id, FeedRunning, at.Add(-FeedStaleRun)).
		Updates(map[string]any{"status": FeedRunning, "last_run_at": at, "last_run_full": full})
	if res.Error != nil {
		return fmt.Errorf("models: start feed run: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrFeedRunning
	}
	return nil
}

// FeedRunResult is how a run ended.
type FeedRunResult struct {
	Started   time.Time
	Full      bool
	Committed bool
	Error     string
	Report    string // JSON
}

// FinishFeedRun records how a run ended. A committed run moves the
// watermark the next incremental run asks modified_after of (to when this
// run started, so nothing changed during the run is missed).
func FinishFeedRun(ctx context.Context, db *gorm.DB, id string, r FeedRunResult) error {
	status := FeedFailed
	upd := map[string]any{"last_finished_at": Now(), "last_error": r.Error, "last_report": r.Report}
	if r.Committed {
		status = FeedOK
		upd["last_success_at"] = r.Started
		if r.Full {
			upd["last_full_at"] = r.Started
		}
	}
	upd["status"] = status
	if err := db.WithContext(ctx).Model(&Feed{}).Where("id = ?", id).Updates(upd).Error; err != nil {
		return fmt.Errorf("models: finish feed run: %w", err)
	}
	kind := "incremental"
	if r.Full {
		kind = "full"
	}
	action := "feed.harvested"
	if !r.Committed {
		action = "feed.harvest_failed"
	}
	var f Feed
	if err := db.WithContext(ctx).Where("id = ?", id).Take(&f).Error; err == nil {
		feedAudit(ctx, db, nil, action, f, strings.TrimSpace(kind+" "+r.Error))
	}
	return nil
}
