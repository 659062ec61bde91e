package models_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/dbtest"
	"github.com/openreferral-uk/referrals/models/mail"
	"github.com/openreferral-uk/referrals/models/mail/mailtest"
)

// Organisation admins are emailed how many of their listings need checking.
func TestListingReviewReminders(t *testing.T) {
	db := dbtest.SQLite(t)
	ctx := context.Background()
	w := newReferralWorld(t, db)
	mp := mailtest.Start(t)
	sender, err := mail.NewSMTP(mail.SMTPConfig{Host: "127.0.0.1", Port: mp.SMTPPort, TLS: "none",
		From: "Community Referrals <referrals@example.org.uk>", Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var hsdsOrg string
	db.Raw("SELECT hsds_organization_id FROM member_organisations WHERE id = ?", w.receiving).Scan(&hsdsOrg)
	today := time.Now().Format(time.DateOnly)
	// Every listing of every organisation confirmed today, then two of the
	// receiving organisation's a year ago.
	db.Model(&models.Service{}).Where("1 = 1").Update("assured_date", today)
	var ids []string
	db.Model(&models.Service{}).Where("organization_id = ? AND visibility = ?", hsdsOrg, models.Published).Order("id").Limit(2).Pluck("id", &ids)
	if len(ids) != 2 {
		t.Fatalf("the receiving organisation has %d listings", len(ids))
	}
	db.Model(&models.Service{}).Where("id IN ?", ids).Update("assured_date", time.Now().AddDate(-1, 0, 0).Format(time.DateOnly))

	stale, err := models.StaleListings(ctx, db, 180*24*time.Hour, models.Now())
	if err != nil || len(stale) != 1 || stale[w.receiving] != 2 {
		t.Fatalf("stale listings: %v %v", stale, err)
	}
	worker := &models.ListingReviewWorker{DB: db, Mail: sender, BaseURL: "https://referrals.example.org.uk", Period: 180 * 24 * time.Hour}
	if err := worker.Work(ctx, &river.Job[models.ListingReviewArgs]{}); err != nil {
		t.Fatal(err)
	}
	var admin string
	db.Raw(`SELECT u.email FROM users u JOIN memberships m ON m.user_id = u.id WHERE m.member_organisation_id = ? AND m.org_admin`, w.receiving).Scan(&admin)
	msgs := mp.Messages(t)
	if len(msgs) != 1 || msgs[0].To[0].Address != admin || msgs[0].Subject != "Listings to check: 2" ||
		!strings.Contains(msgs[0].Text, "https://referrals.example.org.uk/manage/services") {
		t.Fatalf("reminders: %d messages, first %+v", len(msgs), msgs)
	}
	// Turned off with a zero period.
	if none, _ := models.StaleListings(ctx, db, 0, models.Now()); len(none) != 0 {
		t.Errorf("with no review period, %v are stale", none)
	}
}
