package models_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/dbtest"
)

// dpLead makes the referring organisation's org admin its data protection
// lead as well, and returns them.
func dpLead(t *testing.T, w *referralWorld) *models.Actor {
	t.Helper()
	if err := w.db.Model(&models.Membership{}).Where("user_id = ? AND member_organisation_id = ?", w.admin.User.ID, w.referring).
		Update("data_protection_lead", true).Error; err != nil {
		t.Fatal(err)
	}
	a, err := models.LoadActor(context.Background(), w.db, w.admin.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

var zebedee = models.PersonQuery{GivenName: "Zebedee", FamilyName: "Quartermaine", DateOfBirth: "1983-07-14"}

func TestSubjectAccessCorrectionAndErasure(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newReferralWorld(t, db)
		// The org admin role alone is not enough.
		if _, err := w.svc.Export(ctx, w.admin, w.referring, zebedee); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("an org admin without the data protection lead permission exported: %v", err)
		}
		lead := dpLead(t, w)
		first, err := w.svc.Create(ctx, w.caseworker, w.serviceID, w.referring, validForm())
		if err != nil {
			t.Fatal(err)
		}
		second, err := w.svc.Create(ctx, w.colleague, w.serviceID, w.referring, validForm())
		if err != nil {
			t.Fatal(err)
		}
		other := validForm()
		other.GivenName = "Someone"
		if _, err := w.svc.Create(ctx, w.caseworker, w.serviceID, w.referring, other); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Open(ctx, w.responder, first.Reference, models.AccessView); err != nil {
			t.Fatal(err)
		}
		if err := w.svc.AddNote(ctx, w.responder, first.Reference, "Called Zebedee back"); err != nil {
			t.Fatal(err)
		}

		exp, err := w.svc.Export(ctx, lead, w.referring, zebedee)
		if err != nil {
			t.Fatal(err)
		}
		if len(exp.Referrals) != 2 {
			t.Fatalf("the export has %d referrals, want the person's 2", len(exp.Referrals))
		}
		got := map[string]models.SubjectReferral{}
		for _, r := range exp.Referrals {
			got[r.Reference] = r
		}
		f := got[first.Reference]
		if f.Person.FullName() != "Zebedee Quartermaine" || f.LawfulBasis != "consent" || len(f.Notes) != 1 || len(f.History) < 2 {
			t.Errorf("the first referral's export: %+v", f)
		}
		// The responder's look and this export are both in its access log.
		actions := map[string]int{}
		for _, e := range f.AccessLog {
			actions[e.Action]++
		}
		if actions[models.AccessView] != 1 || actions[models.AccessExport] != 1 {
			t.Errorf("access log in the export: %+v", f.AccessLog)
		}
		js, err := exp.JSON()
		if err != nil || !bytes.Contains(js, []byte(`"given_name": "Zebedee"`)) {
			t.Errorf("JSON export: %v\n%.300s", err, js)
		}

		// Correct the name: found by the new one, not the old.
		corrected := validForm()
		corrected.FamilyName = "Quartermain"
		if err := w.svc.Correct(ctx, lead, w.referring, second.Reference, 1, corrected, ""); err == nil {
			t.Error("a correction without a reason was accepted")
		}
		future := corrected
		future.BirthYear = "2099"
		var fve *models.ValidationError
		if err := w.svc.Correct(ctx, lead, w.referring, second.Reference, 1, future, "x"); !errors.As(err, &fve) || fve.Fields["birth_day"] == "" {
			t.Errorf("a date of birth in the future was accepted: %v", err)
		}
		if err := w.svc.Correct(ctx, lead, w.referring, second.Reference, 1, corrected, "Spelling, as the person asked"); err != nil {
			t.Fatal(err)
		}
		// A second correction from the same (now stale) page is refused.
		if err := w.svc.Correct(ctx, lead, w.referring, second.Reference, 1, corrected, "Again"); !errors.Is(err, models.ErrConflict) {
			t.Errorf("a stale correction: %v", err)
		}
		found, _ := w.svc.FindPerson(ctx, lead, w.referring, models.PersonQuery{GivenName: "Zebedee", FamilyName: "Quartermain", DateOfBirth: "1983-07-14"})
		if len(found) != 1 || found[0].Reference != second.Reference {
			t.Errorf("after correction, found %+v", found)
		}
		v, _ := w.svc.Open(ctx, w.caseworker, second.Reference, models.AccessView)
		if last := v.History[len(v.History)-1]; last.Kind != models.EventCorrected || last.ReasonText != "Spelling, as the person asked" {
			t.Errorf("the correction's event: %+v", last)
		}

		// Erase the first: gone for good, while its status and dates stay.
		if err := w.svc.Erase(ctx, lead, w.referring, first.Reference, "Subject asked for erasure"); err != nil {
			t.Fatal(err)
		}
		v, err = w.svc.Open(ctx, w.caseworker, first.Reference, models.AccessView)
		if err != nil || v.AnonymisedAt == nil || v.Person.GivenName != "" || v.Status != models.StatusReceived {
			t.Fatalf("after erasure: %v, %+v", err, v.Person)
		}
		var sealed [][]byte
		db.Model(&models.Referral{}).Where("reference = ?", first.Reference).Pluck("person_sealed", &sealed)
		if len(sealed) != 1 || len(sealed[0]) != 0 {
			t.Error("the sealed person is still stored")
		}
		if found, _ := w.svc.FindPerson(ctx, lead, w.referring, zebedee); len(found) != 0 {
			t.Errorf("the erased referral is still found by name: %+v", found)
		}
		// Another organisation's lead cannot touch it.
		if err := w.svc.Erase(ctx, lead, w.receiving, second.Reference, "x"); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("a lead of another organisation erased: %v", err)
		}
		// The access log, filtered by person.
		log, err := w.svc.AccessLog(ctx, lead, w.referring, models.AccessQuery{Person: &models.PersonQuery{GivenName: "Zebedee", FamilyName: "Quartermain", DateOfBirth: "1983-07-14"}})
		if err != nil || len(log) == 0 {
			t.Errorf("access log for the person: %v, %d", err, len(log))
		}
		for _, e := range log {
			if e.Reference != second.Reference {
				t.Errorf("the person's access log includes %s", e.Reference)
			}
		}
	})
}

// secretsIn reports which of the person's details appear in b.
func secretsIn(b []byte) []string {
	var out []string
	for _, s := range []string{"Zebedee", "Quartermaine", "1983-07-14", "07700 900982", "HD1 2QB", "rent arrears"} {
		if bytes.Contains(b, []byte(s)) {
			out = append(out, s)
		}
	}
	return out
}

func TestRetentionAnonymisesClosedReferrals(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newReferralWorld(t, db)
		old, err := w.svc.Create(ctx, w.caseworker, w.serviceID, w.referring, validForm())
		if err != nil {
			t.Fatal(err)
		}
		if err := w.svc.Move(ctx, w.caseworker, old.Reference, models.MoveInput{To: models.StatusWithdrawn, Version: 1, ReasonCode: "other", ReasonText: "Zebedee moved"}); err != nil {
			t.Fatal(err)
		}
		if err := w.svc.AddNote(ctx, w.caseworker, old.Reference, "Zebedee's rent arrears"); err != nil {
			t.Fatal(err)
		}
		recent, err := w.svc.Create(ctx, w.caseworker, w.serviceID, w.referring, validForm())
		if err != nil {
			t.Fatal(err)
		}
		if err := w.svc.Move(ctx, w.caseworker, recent.Reference, models.MoveInput{To: models.StatusWithdrawn, Version: 1, ReasonCode: "made_in_error"}); err != nil {
			t.Fatal(err)
		}
		open, err := w.svc.Create(ctx, w.caseworker, w.serviceID, w.referring, validForm())
		if err != nil {
			t.Fatal(err)
		}
		// The first closed 200 days ago: past withdrawn's 180.
		db.Model(&models.Referral{}).Where("id = ?", old.ID).Update("closed_at", time.Now().Add(-200*24*time.Hour))

		dry, err := w.svc.ApplyRetention(ctx, models.DefaultRetention(), models.Now(), true)
		if err != nil || dry.Total() != 1 || dry.Counts[models.StatusWithdrawn] != 1 {
			t.Fatalf("dry run: %v, %+v", err, dry.Counts)
		}
		if v, _ := w.svc.Open(ctx, w.caseworker, old.Reference, models.AccessView); v.Person.GivenName != "Zebedee" {
			t.Fatal("the dry run changed something")
		}
		res, err := w.svc.ApplyRetention(ctx, models.DefaultRetention(), models.Now(), false)
		if err != nil || res.Total() != 1 {
			t.Fatalf("retention: %v, %+v", err, res.Counts)
		}
		for ref, wantGone := range map[string]bool{old.Reference: true, recent.Reference: false, open.Reference: false} {
			v, err := w.svc.Open(ctx, w.caseworker, ref, models.AccessView)
			if err != nil {
				t.Fatal(err)
			}
			if gone := v.AnonymisedAt != nil && v.Person.GivenName == ""; gone != wantGone {
				t.Errorf("%s anonymised = %v, want %v", ref, gone, wantGone)
			}
		}
		// With the key in hand, nothing of the person can be read back from
		// the old referral's rows: they hold no sealed data at all.
		var n int64
		db.Raw(`SELECT COUNT(*) FROM referral_notes n JOIN referrals r ON r.id = n.referral_id WHERE r.id = ? AND length(n.body_sealed) > 0`, old.ID).Scan(&n)
		var m int64
		db.Raw(`SELECT COUNT(*) FROM referral_events WHERE referral_id = ? AND reason_sealed IS NOT NULL AND kind <> 'anonymised'`, old.ID).Scan(&m)
		if n != 0 || m != 0 {
			t.Errorf("after retention: %d sealed notes and %d sealed reasons remain", n, m)
		}
		// A second run finds nothing more.
		if again, _ := w.svc.ApplyRetention(ctx, models.DefaultRetention(), models.Now(), false); again.Total() != 0 {
			t.Errorf("a second run anonymised %d more", again.Total())
		}
		// Nothing in the clear anywhere in the PostgreSQL dump.
		if models.DialectFor(db) == models.Postgres {
			if _, err := exec.LookPath("pg_dump"); err != nil {
				dbtest.SkipOrFail(t, "pg_dump is not on PATH (apt-get install -y postgresql-client)")
			}
			var schema string
			db.Raw("SELECT current_schema()").Scan(&schema)
			out, err := exec.CommandContext(ctx, "pg_dump", "--data-only", "-n", schema, "-d", os.Getenv("TEST_DATABASE_URL")).Output() //nolint:gosec // the test's own database
			if err != nil || !bytes.Contains(out, []byte("referral_events")) {
				t.Fatalf("pg_dump: %v (%d bytes)", err, len(out))
			}
			if s := secretsIn(out); len(s) > 0 {
				t.Errorf("the PostgreSQL dump holds %v in the clear", s)
			}
		}
		// Nothing in the clear anywhere in the SQLite file.
		if models.DialectFor(db) == models.SQLite {
			var file string
			db.Raw("SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&file)
			db.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if s := secretsIn(b); len(s) > 0 {
				t.Errorf("the SQLite file holds %v in the clear", s)
			}
		}
	})
}

func TestParseRetention(t *testing.T) {
	r, err := models.ParseRetention("completed=730, withdrawn=30")
	if err != nil || r[models.StatusCompleted] != 730*24*time.Hour || r[models.StatusWithdrawn] != 30*24*time.Hour ||
		r[models.StatusDeclined] != 180*24*time.Hour {
		t.Errorf("ParseRetention: %v, %v", err, r)
	}
	for _, bad := range []string{"sent=10", "completed=0", "completed", "completed=soon"} {
		if _, err := models.ParseRetention(bad); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
	if s := models.DefaultRetention().String(); !strings.Contains(s, "declined=180") {
		t.Errorf("String: %s", s)
	}
}

// Rotating keys moves every sealed value to the current key; a rotation
// stopped half way leaves data readable and resumes.
func TestRotateKeys(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newReferralWorld(t, db)
		oldKey := models.NewKey()
		k1, _ := models.ParseKeyring("k1:" + oldKey)
		w.svc.Keys = k1
		ref, err := w.svc.Create(ctx, w.caseworker, w.serviceID, w.referring, validForm())
		if err != nil {
			t.Fatal(err)
		}
		if err := w.svc.AddNote(ctx, w.caseworker, ref.Reference, "a note"); err != nil {
			t.Fatal(err)
		}
		if err := w.svc.Move(ctx, w.caseworker, ref.Reference, models.MoveInput{To: models.StatusWithdrawn, Version: 1, ReasonCode: "other", ReasonText: "a reason"}); err != nil {
			t.Fatal(err)
		}
		newKey := models.NewKey()
		both, _ := models.ParseKeyring("k2:" + newKey + ",k1:" + oldKey)
		if err := models.CheckKeys(ctx, db, both); err != nil {
			t.Fatal(err)
		}
		w.svc.Keys = both
		res, err := w.svc.RotateKeys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if res.Referrals != 1 || res.Notes != 1 || res.Events != 1 || len(res.Remaining) != 1 || res.Remaining[0] != "k2" {
			t.Errorf("rotation: %+v", res)
		}
		// Now the old key can go: the new one alone opens everything.
		k2, _ := models.ParseKeyring("k2:" + newKey)
		if err := models.CheckKeys(ctx, db, k2); err != nil {
			t.Errorf("the new key alone fails the start-up check: %v", err)
		}
		if err := models.CheckKeys(ctx, db, k1); !errors.Is(err, models.ErrNoKey) {
			t.Errorf("the old key alone passes the start-up check: %v", err)
		}
		w.svc.Keys = k2
		v, err := w.svc.Open(ctx, w.caseworker, ref.Reference, models.AccessView)
		if err != nil || v.Person.GivenName != "Zebedee" || v.Notes[0].Body != "a note" {
			t.Fatalf("after rotation: %v %+v", err, v.Notes)
		}
		found, _ := w.svc.List(ctx, w.caseworker, models.ReferralQuery{GivenName: "Zebedee", FamilyName: "Quartermaine", DateOfBirth: "1983-07-14"})
		if found.Total != 1 {
			t.Errorf("found by name after rotation: %d", found.Total)
		}
		again, _ := w.svc.RotateKeys(ctx)
		if again.Referrals+again.Notes+again.Events != 0 {
			t.Errorf("a second rotation re-encrypted %+v", again)
		}
	})
}
