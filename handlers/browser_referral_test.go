package handlers_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/openreferral-uk/referrals/handlers"
	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/dbtest"
	"github.com/openreferral-uk/referrals/models/mail"
	"github.com/openreferral-uk/referrals/models/mail/mailtest"
)

// lockedBuffer is a log sink that the server and the job workers write to
// at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// referralWorld is the demo app as `make run` serves it, with River
// sending email to mailpit and every log line kept.
type referralWorld struct {
	srv        *httptest.Server
	db         *gorm.DB
	mail       *mailtest.Mailpit
	logs       *lockedBuffer
	serviceID  string
	postcode   string
	serviceOrg string
	// caseworker refers from one organisation; responder answers for the
	// service's; outsider is a responder of a third.
	caseworker, responder, outsider models.User
}

func newReferralWorld(t *testing.T, db *gorm.DB) *referralWorld {
	t.Helper()
	ctx := context.Background()
	if _, err := models.LoadDemoDirectory(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := models.LoadDemoAccounts(ctx, db); err != nil {
		t.Fatal(err)
	}
	w := &referralWorld{db: db, mail: mailtest.Start(t), logs: &lockedBuffer{}}
	log := slog.New(slog.NewJSONHandler(w.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	// A service that takes referrals, has a postcode, and whose
	// organisation is a member with a responder.
	var rows []struct{ ID, Org, Postcode string }
	db.Table("services s").Select("s.id, mo.id AS org, a.postal_code AS postcode").
		Joins("JOIN member_organisations mo ON mo.hsds_organization_id = s.organization_id").
		Joins("JOIN service_at_locations sal ON sal.service_id = s.id").
		Joins("JOIN addresses a ON a.location_id = sal.location_id").
		Where("s.accepts_referrals = ? AND s.visibility = ? AND s.professionals_only = ? AND a.postal_code <> ''", true, models.Published, false).
		Order("s.id").Limit(1).Scan(&rows)
	if len(rows) == 0 {
		t.Fatal("no demo service with a postcode takes referrals")
	}
	w.serviceID, w.serviceOrg, w.postcode = rows[0].ID, rows[0].Org, rows[0].Postcode
	var orgs []string
	db.Table("member_organisations").Where("id <> ?", w.serviceOrg).Order("name").Pluck("id", &orgs)
	if len(orgs) < 2 {
		t.Fatal("the demo needs three member organisations")
	}
	user := func(org, role string) models.User {
		var u models.User
		if err := db.Joins("JOIN memberships m ON m.user_id = users.id").
			Where("m.member_organisation_id = ? AND m."+role+" = ?", org, true).Order("users.id").First(&u).Error; err != nil {
			t.Fatalf("no %s in %s: %v", role, org, err)
		}
		return u
	}
	w.caseworker, w.responder, w.outsider = user(orgs[0], "caseworker"), user(w.serviceOrg, "responder"), user(orgs[1], "responder")

	sender, err := mail.NewSMTP(mail.SMTPConfig{Host: "127.0.0.1", Port: w.mail.SMTPPort, TLS: "none",
		From: "Community Referrals <referrals@example.org.uk>", Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	keys, err := models.ParseKeyring("journey:" + models.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	workdays, _ := models.NewWorkdays(models.EnglandAndWales)
	workers := river.NewWorkers()
	srv := httptest.NewUnstartedServer(nil)
	baseURL := "http://" + srv.Listener.Addr().String()
	periodic := models.ReferralWorkers(workers, db, sender, baseURL, log)
	jobs, err := models.NewJobs(db, models.JobsConfig{Workers: workers, Periodic: periodic, PollInterval: 200 * time.Millisecond, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	jobsCtx, stopJobs := context.WithCancel(context.Background())
	if err := jobs.Start(jobsCtx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stopCtx, done := context.WithTimeout(context.Background(), 10*time.Second)
		defer done()
		_ = jobs.Stop(stopCtx)
		stopJobs()
	})
	e, err := handlers.New(handlers.Options{DB: db, Logger: log, BaseURL: baseURL, Demo: true, Version: "test", Mail: sender,
		Referrals: &models.Referrals{DB: db, Keys: keys, Jobs: jobs, Workdays: workdays}})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = e
	srv.Start()
	t.Cleanup(srv.Close)
	w.srv = srv
	return w
}

var referenceRE = regexp.MustCompile(`^R-[0-9A-Z]{4}-[0-9A-Z]{2}$`)

// TestBrowserReferralJourney is the whole journey in headless Chromium, on
// both databases: a caseworker searches near the person's postcode, finds
// the service, refers (and is refused without a basis for sharing), a
// responder opens and accepts it, the caseworker sees "accepted" and has the
// email; a responder of another organisation is told the referral does not
// exist. Every page passes axe, and neither the logs nor any email holds the
// person's name, date of birth or postcode.
func TestBrowserReferralJourney(t *testing.T) {
	axeSource, err := os.ReadFile("testdata/axe-4.14.1.min.js")
	if err != nil {
		t.Fatal(err)
	}
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		w := newReferralWorld(t, db)
		s := &browserSite{ctx: startChromium(t), base: w.srv.URL}
		check := func(t *testing.T, tab context.Context, cw *consoleWatch, status int) {
			t.Helper()
			checkPage(t, tab, cw, status, string(axeSource))
		}
		fill := func(t *testing.T, tab context.Context, values map[string]string) {
			t.Helper()
			for id, v := range values {
				sel := "#" + id
				eval[chromedp.Void](t, tab, `document.querySelector(`+strconv.Quote(sel)+`).value = ""`)
				if err := chromedp.Do(tab, chromedp.SendKeys(chromedp.CSS(sel), v)); err != nil {
					t.Fatalf("type into %s: %v", sel, err)
				}
			}
		}
		choose := func(t *testing.T, tab context.Context, name, value string) {
			t.Helper()
			sel := `input[name="` + name + `"][value="` + value + `"]`
			if _, err := chromedp.Run(tab, chromedp.Click(chromedp.CSS(sel))); err != nil {
				t.Fatalf("choose %s: %v", sel, err)
			}
		}
		text := func(t *testing.T, tab context.Context, sel string) string {
			t.Helper()
			return eval[string](t, tab, `(document.querySelector(`+strconv.Quote(sel)+`) || {textContent: ''}).textContent.trim()`)
		}
		const continueButton = `button[name="action"][value="continue"]`
		var serviceName string
		db.Table("services").Where("id = ?", w.serviceID).Pluck("name", &serviceName)

		// The caseworker searches near the person's postcode.
		tab, cw := s.signIn(t, w.caseworker.ID)
		q := url.Values{"q": {strings.Fields(serviceName)[0]}, "postcode": {w.postcode}, "miles": {"5"}, "accepts": {"true"}}
		s.open(t, tab, "/?"+q.Encode(), 200)
		link := `.app-result__title a[href="/services/` + w.serviceID + `"]`
		if n := eval[int](t, tab, `document.querySelectorAll(`+strconv.Quote(link)+`).length`); n != 1 {
			t.Fatalf("the search near %s does not list the service", w.postcode)
		}
		submitForm(t, tab, link, 200)
		submitForm(t, tab, "#refer", 200)
		check(t, tab, cw, 200) // the safeguarding notice
		submitForm(t, tab, continueButton, 200)
		check(t, tab, cw, 200) // the basis for sharing

		// No basis: refused, with the reasons beside the fields.
		submitForm(t, tab, continueButton, 422)
		if got := text(t, tab, ".govuk-error-summary"); !strings.Contains(got, "lawful basis") {
			t.Errorf("error summary without a basis: %q", got)
		}
		check(t, tab, cw, 422)
		choose(t, tab, "lawful_basis", "consent")
		choose(t, tab, "person_agreed", "no")
		choose(t, tab, "had_capacity", "yes")
		choose(t, tab, "under_16", "no")
		submitForm(t, tab, continueButton, 422)
		if got := text(t, tab, ".govuk-error-summary"); !strings.Contains(got, "cannot refer on the basis of consent without the person's agreement") {
			t.Errorf("consent without agreement: %q", got)
		}
		check(t, tab, cw, 422)
		choose(t, tab, "person_agreed", "yes")
		choose(t, tab, "agreement_method", "in_person")
		fill(t, tab, map[string]string{"agreement_covers": "Sharing my details with this service",
			"agreed_day": "20", "agreed_month": "11", "agreed_year": "2026"})
		submitForm(t, tab, continueButton, 200)
		check(t, tab, cw, 200) // the person

		fill(t, tab, map[string]string{"given_name": "Zebedee", "family_name": "Quartermaine", "birth_day": "14",
			"birth_month": "7", "birth_year": "1983", "phone": "07700 900982", "postcode": w.postcode})
		choose(t, tab, "preferred_contact", "phone")
		submitForm(t, tab, continueButton, 200)
		check(t, tab, cw, 200) // the reason
		fill(t, tab, map[string]string{"reason": "Rent arrears and a court date next month"})
		choose(t, tab, "urgency", "soon")
		submitForm(t, tab, continueButton, 200)
		check(t, tab, cw, 200) // check your answers
		if got := text(t, tab, "main"); !strings.Contains(got, "Zebedee Quartermaine") || !strings.Contains(got, "14 July 1983") {
			t.Errorf("the check page does not show the answers: %.300q", got)
		}
		submitForm(t, tab, `button[name="action"][value="send"]`, 200)
		check(t, tab, cw, 200) // the confirmation
		reference := text(t, tab, "#sent-reference")
		if !referenceRE.MatchString(reference) {
			t.Fatalf("the confirmation shows reference %q", reference)
		}
		if text(t, tab, "#referral-status") != "Sent" {
			t.Errorf("status after sending: %q", text(t, tab, "#referral-status"))
		}

		// The responder finds it in the inbox, opens it (received) and accepts.
		rtab, rcw := s.signIn(t, w.responder.ID)
		s.open(t, rtab, "/referrals?list=received", 200)
		check(t, rtab, rcw, 200)
		refLink := `#referral-list a[href="/referrals/` + reference + `"]`
		if n := eval[int](t, rtab, `document.querySelectorAll(`+strconv.Quote(refLink)+`).length`); n != 1 {
			t.Fatalf("the inbox does not list %s", reference)
		}
		submitForm(t, rtab, refLink, 200)
		check(t, rtab, rcw, 200)
		if got := text(t, rtab, "#referral-status"); got != "Received" {
			t.Errorf("status after the responder opened it: %q", got)
		}
		if got := text(t, rtab, "#person-details"); !strings.Contains(got, "Zebedee Quartermaine") {
			t.Errorf("the responder does not see the person: %.200q", got)
		}
		submitForm(t, rtab, `#move-accepted button[type=submit]`, 200)
		if got := text(t, rtab, "#referral-status"); got != "Accepted" {
			t.Errorf("status after accepting: %q", got)
		}

		// The caseworker sees it accepted and has the email.
		s.open(t, tab, "/referrals/"+reference, 200)
		if got := text(t, tab, "#referral-status"); got != "Accepted" {
			t.Errorf("the caseworker sees %q", got)
		}
		email := w.mail.WaitFor(t, "Referral "+reference+": Accepted", 20*time.Second)
		if email.To[0].Address != w.caseworker.Email {
			t.Errorf("the acceptance went to %v, not the caseworker %s", email.To, w.caseworker.Email)
		}
		if !strings.Contains(email.Text, w.srv.URL+"/referrals/"+reference) {
			t.Errorf("the email has no link to the referral:\n%s", email.Text)
		}

		// A responder of another organisation: not found.
		otab, ocw := s.signIn(t, w.outsider.ID)
		s.open(t, otab, "/referrals/"+reference, 404)
		check(t, otab, ocw, 404)

		// Nothing about the person in the logs or any email. The search
		// near the same postcode went through the server, so its absence
		// from the logs means something.
		w.mail.WaitFor(t, "New referral "+reference+" to "+serviceName, 20*time.Second)
		logs := w.logs.String()
		if !strings.Contains(logs, `"route":"/"`) {
			t.Fatalf("the request log did not record the search:\n%.500s", logs)
		}
		for _, secret := range []string{"Zebedee", "Quartermaine", "1983-07-14", "14/07/1983", "14 July 1983", w.postcode,
			strings.ReplaceAll(w.postcode, " ", ""), url.QueryEscape(w.postcode), "Rent arrears"} {
			if strings.Contains(logs, secret) {
				t.Errorf("the logs contain %q", secret)
			}
			for _, m := range w.mail.Messages(t) {
				if strings.Contains(m.Subject+m.Text+m.HTML, secret) {
					t.Errorf("the email %q contains %q", m.Subject, secret)
				}
			}
		}
	})
}
