package models_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/dbtest"
	"github.com/openreferral-uk/referrals/models/mail"
	"github.com/openreferral-uk/referrals/models/mail/mailtest"
)

// startJobs runs River with the referral workers, sending through mailpit.
func startJobs(t *testing.T, db *gorm.DB, mp *mailtest.Mailpit) *models.Jobs {
	t.Helper()
	sender, err := mail.NewSMTP(mail.SMTPConfig{Host: "127.0.0.1", Port: mp.SMTPPort, TLS: "none",
		From: "Community Referrals <referrals@example.org.uk>", Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	workers := river.NewWorkers()
	periodic := models.ReferralWorkers(workers, db, sender, "https://referrals.example.org.uk", nil)
	jobs, err := models.NewJobs(db, models.JobsConfig{Workers: workers, Periodic: periodic, PollInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := jobs.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stopCtx, done := context.WithTimeout(context.Background(), 10*time.Second)
		defer done()
		_ = jobs.Stop(stopCtx)
		cancel()
	})
	return jobs
}

// Each change to a referral emails the other side through a real SMTP
// server, with a link and without the person's details; a change that
// fails sends nothing.
func TestReferralNotifications(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		mp := mailtest.Start(t)
		w := newReferralWorld(t, db)
		w.svc.Jobs = startJobs(t, db, mp)
		if err := db.Model(&models.Service{}).Where("id = ?", w.serviceID).Update("referral_email", "intake@example.org.uk").Error; err != nil {
			t.Fatal(err)
		}

		// A refused referral (no basis) enqueues nothing.
		bad := validForm()
		bad.LawfulBasis = ""
		if _, err := w.svc.Create(ctx, w.caseworker, w.serviceID, w.referring, bad); err == nil {
			t.Fatal("a referral without a basis was sent")
		}

		ref, err := w.svc.Create(ctx, w.caseworker, w.serviceID, w.referring, validForm())
		if err != nil {
			t.Fatal(err)
		}
		created := mp.WaitFor(t, "New referral "+ref.Reference+" to "+ref.ServiceName, 20*time.Second)
		var to []string
		for _, m := range mp.Messages(t) {
			if m.Subject == created.Subject {
				to = append(to, m.To[0].Address)
			}
		}
		if !contains(to, "intake@example.org.uk") || !contains(to, w.responder.User.Email) {
			t.Errorf("new referral went to %v; want the service's address and the responder %s", to, w.responder.User.Email)
		}
		if !strings.Contains(created.Text, "https://referrals.example.org.uk/referrals/"+ref.Reference) {
			t.Errorf("no link in:\n%s", created.Text)
		}

		v, err := w.svc.Open(ctx, w.responder, ref.Reference, models.AccessView)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.svc.Move(ctx, w.responder, ref.Reference, models.MoveInput{To: models.StatusAccepted, Version: v.Version}); err != nil {
			t.Fatal(err)
		}
		accepted := mp.WaitFor(t, "Referral "+ref.Reference+": Accepted", 20*time.Second)
		if accepted.To[0].Address != w.caseworker.User.Email {
			t.Errorf("acceptance went to %v, want the referrer", accepted.To)
		}
		if err := w.svc.AddNote(ctx, w.responder, ref.Reference, "Zebedee is booked in"); err != nil {
			t.Fatal(err)
		}
		mp.WaitFor(t, "New note on referral "+ref.Reference, 20*time.Second)

		for _, m := range mp.Messages(t) {
			for _, secret := range []string{"Zebedee", "Quartermaine", "1983", "HD1 2QB", "07700", "rent"} {
				if strings.Contains(m.Subject+m.Text+m.HTML, secret) {
					t.Errorf("email %q contains %q", m.Subject, secret)
				}
			}
		}
		// A conflicting move sends nothing more.
		if err := w.svc.Move(ctx, w.responder, ref.Reference, models.MoveInput{To: models.StatusDeclined, Version: v.Version, ReasonCode: "no_capacity"}); !errors.Is(err, models.ErrConflict) {
			t.Fatalf("stale move: %v", err)
		}
		time.Sleep(500 * time.Millisecond)
		if m := mp.Find(t, "Referral "+ref.Reference+": Declined"); m != nil {
			t.Error("a refused move sent an email")
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func TestDailyAtSchedule(t *testing.T) {
	d := models.DailyAt{Hour: 8}
	// 07:59 UK winter time is 07:59 UTC: the run is a minute later.
	at := time.Date(2026, 11, 26, 7, 59, 0, 0, time.UTC)
	if got := d.Next(at); !got.Equal(time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("next after %s: %s", at, got)
	}
	// In summer, 08:00 in London is 07:00 UTC; after it, the next is tomorrow.
	at = time.Date(2026, 7, 1, 7, 30, 0, 0, time.UTC)
	if got := d.Next(at); !got.Equal(time.Date(2026, 7, 2, 7, 0, 0, 0, time.UTC)) {
		t.Errorf("next after %s: %s", at, got)
	}
}
