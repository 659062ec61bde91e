package models

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/openreferral-uk/referrals/models/mail"
)

// Listings go stale quietly. Once a week each organisation admin whose
// organisation has published listings not confirmed within the review
// period is emailed how many, with a link to confirm or correct them.

// ListingReviewArgs is the weekly reminder of listings due for review.
type ListingReviewArgs struct{}

// Kind implements river.JobArgs.
func (ListingReviewArgs) Kind() string { return "listing_review_reminder" }

// ListingReviewWorker sends the reminders.
type ListingReviewWorker struct {
	river.WorkerDefaults[ListingReviewArgs]
	DB      *gorm.DB
	Mail    mail.Sender
	BaseURL string
	Period  time.Duration
	Logger  *slog.Logger
}

// StaleListings counts each member organisation's published listings that
// need confirming, keyed by member organisation id.
func StaleListings(ctx context.Context, db *gorm.DB, period time.Duration, now time.Time) (map[string]int, error) {
	out := map[string]int{}
	if period <= 0 {
		return out, nil
	}
	var rows []struct{ OrgID, AssuredDate string }
	err := db.WithContext(ctx).Table("services s").Select("mo.id AS org_id, s.assured_date").
		Joins("JOIN member_organisations mo ON mo.hsds_organization_id = s.organization_id AND mo.status = ?", OrgApproved).
		Where("s.visibility = ?", Published).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("models: stale listings: %w", err)
	}
	for _, r := range rows {
		if NeedsReview(r.AssuredDate, now, period) {
			out[r.OrgID]++
		}
	}
	return out, nil
}

// Work emails each organisation's admins.
func (w *ListingReviewWorker) Work(ctx context.Context, _ *river.Job[ListingReviewArgs]) error {
	stale, err := StaleListings(ctx, w.DB, w.Period, Now())
	if err != nil {
		return err
	}
	link := strings.TrimRight(w.BaseURL, "/") + "/manage/services"
	sent := 0
	for orgID, n := range stale {
		var emails []string
		if err := activeMembers(w.DB.WithContext(ctx), orgID, roleOrgAdmin).Where("u.email <> ''").
			Pluck("u.email", &emails).Error; err != nil {
			return fmt.Errorf("models: listing reminders: %w", err)
		}
		what := "1 of your organisation's listings has"
		if n != 1 {
			what = fmt.Sprintf("%d of your organisation's listings have", n)
		}
		msg := mail.Message{
			Subject: fmt.Sprintf("Listings to check: %d", n),
			Text: fmt.Sprintf("Hello,\n\n%s not been confirmed as correct for %d days, so caseworkers are told they may be out of date.\n\nCheck them, correct anything that has changed, and press \"Confirm this is still correct\":\n\n%s\n\n%s\n",
				what, int(w.Period.Hours()/24), link, mail.PlatformName),
		}
		n, err := sendEach(ctx, w.Mail, msg, emails)
		sent += n
		if errors.Is(err, mail.ErrMailDisabled) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("models: listing reminders: %w", err)
		}
	}
	if w.Logger != nil {
		w.Logger.Info("listing review reminders sent", slog.Int("organisations", len(stale)), slog.Int("emails", sent))
	}
	return nil
}

// weeklyOn is a schedule for once a week, on a weekday at a UK clock time.
type weeklyOn struct {
	Day  time.Weekday
	Hour int
}

// Next implements river.PeriodicSchedule.
func (w weeklyOn) Next(now time.Time) time.Time {
	next := DailyAt{Hour: w.Hour}.Next(now)
	for next.In(ukTime).Weekday() != w.Day {
		next = DailyAt{Hour: w.Hour}.Next(next)
	}
	return next
}

// ListingReviewJobs registers the weekly reminder (Mondays, 9am UK time).
func ListingReviewJobs(workers *river.Workers, db *gorm.DB, sender mail.Sender, baseURL string, period time.Duration, log *slog.Logger) []*river.PeriodicJob {
	river.AddWorker(workers, &ListingReviewWorker{DB: db, Mail: sender, BaseURL: baseURL, Period: period, Logger: log})
	return []*river.PeriodicJob{
		river.NewPeriodicJob(weeklyOn{Day: time.Monday, Hour: 9}, func() (river.JobArgs, *river.InsertOpts) {
			return ListingReviewArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: 6 * 24 * time.Hour}}
		}, nil),
	}
}
