package models_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/dbtest"
)

// referralWorld is the demo directory and accounts: organisations with a
// caseworker, a responder and an admin each, and services that accept
// referrals.
type referralWorld struct {
	db        *gorm.DB
	svc       *models.Referrals
	serviceID string
	// receiving is the organisation that responds for serviceID; referring
	// is another one.
	receiving, referring string
	caseworker           *models.Actor // of referring
	colleague            *models.Actor // another caseworker of referring, made here
	responder            *models.Actor // of receiving
	otherResponder       *models.Actor // of referring: not the receiving side
	admin                *models.Actor // org admin of referring, no other role
	platformAdmin        *models.Actor
}

func testKeys(t testing.TB) *models.Keyring {
	t.Helper()
	k, err := models.ParseKeyring("test1:" + models.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func actorWith(t testing.TB, db *gorm.DB, orgID, role string) *models.Actor {
	t.Helper()
	var ids []string
	if err := db.Table("memberships").Where("member_organisation_id = ? AND "+role+" = ?", orgID, true).
		Order("user_id").Limit(1).Pluck("user_id", &ids).Error; err != nil || len(ids) == 0 {
		t.Fatalf("no %s in %s: %v", role, orgID, err)
	}
	a, err := models.LoadActor(context.Background(), db, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func newReferralWorld(t testing.TB, db *gorm.DB) *referralWorld {
	t.Helper()
	ctx := context.Background()
	if _, err := models.LoadDemoDirectory(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := models.LoadDemoAccounts(ctx, db); err != nil {
		t.Fatal(err)
	}
	wd, err := models.NewWorkdays(models.EnglandAndWales)
	if err != nil {
		t.Fatal(err)
	}
	w := &referralWorld{db: db, svc: &models.Referrals{DB: db, Keys: testKeys(t), Workdays: wd}}
	var rows []struct{ ID, Org string }
	if err := db.Table("services s").Select("s.id, mo.id AS org").
		Joins("JOIN member_organisations mo ON mo.hsds_organization_id = s.organization_id").
		Where("s.accepts_referrals = ? AND s.visibility = ?", true, models.Published).Order("s.id").Limit(1).Scan(&rows).Error; err != nil || len(rows) == 0 {
		t.Fatalf("no demo service accepts referrals: %v", err)
	}
	w.serviceID, w.receiving = rows[0].ID, rows[0].Org
	var others []string
	if err := db.Table("member_organisations").Where("id <> ?", w.receiving).Order("id").Limit(1).Pluck("id", &others).Error; err != nil || len(others) == 0 {
		t.Fatalf("no second member organisation: %v", err)
	}
	w.referring = others[0]
	w.caseworker = actorWith(t, db, w.referring, "caseworker")
	w.responder = actorWith(t, db, w.receiving, "responder")
	w.otherResponder = actorWith(t, db, w.referring, "responder")
	w.admin = actorWith(t, db, w.referring, "org_admin")
	var padmin []string
	db.Table("users").Where("platform_admin = ?", true).Limit(1).Pluck("id", &padmin)
	if w.platformAdmin, err = models.LoadActor(ctx, db, padmin[0]); err != nil {
		t.Fatal(err)
	}
	// A second caseworker of the referring organisation.
	colleague := models.User{ID: "colleague-user", Issuer: "test", Subject: "colleague", Name: "Colleague",
		Email: "colleague@example.org.uk", CreatedAt: models.Now()}
	if err := db.Create(&colleague).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Create(&models.Membership{ID: "colleague-membership", UserID: colleague.ID, MemberOrganisationID: w.referring,
		Caseworker: true, Status: models.MembershipActive, CreatedAt: models.Now()}).Error; err != nil {
		t.Fatal(err)
	}
	if w.colleague, err = models.LoadActor(ctx, db, colleague.ID); err != nil {
		t.Fatal(err)
	}
	return w
}

// validForm is a complete referral for an adult who agreed.
func validForm() models.ReferralForm {
	return models.ReferralForm{
		LawfulBasis: "consent", PersonAgreed: "yes", AgreementCovers: "Sharing with the debt advice service",
		AgreementMethod: "in_person", AgreedDay: "2", AgreedMonth: "11", AgreedYear: "2026",
		HadCapacity: "yes", Under16: "no",
		GivenName: "Zebedee", FamilyName: "Quartermaine", BirthDay: "14", BirthMonth: "7", BirthYear: "1983",
		Phone: "07700 900982", PreferredContact: "phone", Postcode: "HD1 2QB", Address: "1 Test Street",
		Reason: "Needs help with rent arrears", Urgency: "soon",
	}
}

func TestReferralLifecycleAndAccess(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newReferralWorld(t, db)
		ref, err := w.svc.Create(ctx, w.caseworker, w.serviceID, w.referring, validForm())
		if err != nil {
			t.Fatalf("Create: %v", err)
		}
		if models.NormaliseReference(ref.Reference) != ref.Reference || !strings.HasPrefix(ref.Reference, "R-") {
			t.Errorf("reference %q is not in the R-XXXX-XX form", ref.Reference)
		}
		if ref.Status != models.StatusSent || !ref.DueAt.After(ref.CreatedAt.Add(4*24*time.Hour)) {
			t.Errorf("new referral: status %s, due %s after %s", ref.Status, ref.DueAt, ref.CreatedAt)
		}

		// Nobody outside the two sides sees it, and they cannot tell it exists.
		for name, a := range map[string]*models.Actor{"responder of another organisation": w.otherResponder,
			"org admin": w.admin, "platform admin": w.platformAdmin, "anonymous": nil} {
			if _, err := w.svc.Open(ctx, a, ref.Reference, models.AccessView); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("%s opened the referral: %v", name, err)
			}
		}
		// The referrer's colleague sees it; their look does not mark it received.
		v, err := w.svc.Open(ctx, w.colleague, ref.Reference, models.AccessView)
		if err != nil || v.Person.FullName() != "Zebedee Quartermaine" || v.Status != models.StatusSent {
			t.Fatalf("colleague: %v, %q, %s", err, v.Person.FullName(), v.Status)
		}
		// The responder's first look marks it received.
		v, err = w.svc.Open(ctx, w.responder, ref.Reference, models.AccessView)
		if err != nil || v.Status != models.StatusReceived || len(v.History) != 2 {
			t.Fatalf("responder open: %v, status %s, %d events", err, v.Status, len(v.History))
		}
		// A decline needs a reason; a withdrawal is not the responder's to make.
		err = w.svc.Move(ctx, w.responder, ref.Reference, models.MoveInput{To: models.StatusDeclined, Version: v.Version})
		var verr *models.ValidationError
		if !errors.As(err, &verr) || verr.Fields["reason_code"] == "" {
			t.Errorf("decline without reason: %v", err)
		}
		err = w.svc.Move(ctx, w.responder, ref.Reference, models.MoveInput{To: models.StatusWithdrawn, Version: v.Version, ReasonCode: "other", ReasonText: "x"})
		if !errors.Is(err, models.ErrForbidden) {
			t.Errorf("responder withdrew: %v", err)
		}
		if err := w.svc.Move(ctx, w.caseworker, ref.Reference, models.MoveInput{To: models.StatusAccepted, Version: v.Version}); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("caseworker accepted their own referral: %v", err)
		}
		if err := w.svc.Move(ctx, w.responder, ref.Reference, models.MoveInput{To: models.StatusCompleted, Version: v.Version, ReasonCode: "support_given"}); !errors.Is(err, models.ErrInvalidTransition) {
			t.Errorf("completed a referral never accepted: %v", err)
		}
		if err := w.svc.Move(ctx, w.responder, ref.Reference, models.MoveInput{To: models.StatusAccepted, Version: v.Version}); err != nil {
			t.Fatalf("accept: %v", err)
		}
		// A second move from the same (now stale) page is a conflict.
		err = w.svc.Move(ctx, w.responder, ref.Reference, models.MoveInput{To: models.StatusDeclined, Version: v.Version, ReasonCode: "no_capacity"})
		if !errors.Is(err, models.ErrConflict) {
			t.Errorf("stale move: %v", err)
		}
		if err := w.svc.AddNote(ctx, w.responder, ref.Reference, "Booked in for Tuesday"); err != nil {
			t.Fatalf("note: %v", err)
		}
		v, err = w.svc.Open(ctx, w.caseworker, ref.Reference, models.AccessView)
		if err != nil || v.Status != models.StatusAccepted || len(v.Notes) != 1 || v.Notes[0].Body != "Booked in for Tuesday" {
			t.Fatalf("referrer sees: %v, %s, %+v", err, v.Status, v.Notes)
		}
		if len(v.Moves) != 1 || v.Moves[0] != models.StatusWithdrawn {
			t.Errorf("referrer's moves on an accepted referral: %v", v.Moves)
		}
		err = w.svc.Move(ctx, w.caseworker, ref.Reference, models.MoveInput{To: models.StatusWithdrawn, Version: v.Version,
			ReasonCode: "other", ReasonText: "Moved away"})
		if err != nil {
			t.Fatalf("withdraw: %v", err)
		}
		v, _ = w.svc.Open(ctx, w.responder, ref.Reference, models.AccessView)
		last := v.History[len(v.History)-1]
		if last.To != models.StatusWithdrawn || last.ReasonText != "Moved away" || len(v.Moves) != 0 {
			t.Errorf("after withdrawal: %+v, moves %v", last, v.Moves)
		}

		// Every look was logged: colleague, responder, caseworker, responder.
		var looks int64
		db.Model(&models.ReferralAccess{}).Where("referral_id = ?", ref.ID).Count(&looks)
		if looks != 4 {
			t.Errorf("access log has %d entries, want 4", looks)
		}
	})
}

func TestReferralPersonalDataIsSealed(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newReferralWorld(t, db)
		ref, err := w.svc.Create(ctx, w.caseworker, w.serviceID, w.referring, validForm())
		if err != nil {
			t.Fatal(err)
		}
		if err := w.svc.AddNote(ctx, w.caseworker, ref.Reference, "Zebedee prefers mornings"); err != nil {
			t.Fatal(err)
		}
		// Read every column of every referral table as text: the person's
		// name, birth date, phone and postcode appear nowhere.
		for _, table := range []string{"referrals", "referral_events", "referral_notes", "referral_access_log"} {
			rows, err := db.Raw("SELECT * FROM " + table).Rows()
			if err != nil {
				t.Fatal(err)
			}
			cols, _ := rows.Columns()
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				for i, val := range vals {
					var b []byte
					switch x := val.(type) {
					case []byte:
						b = x
					case string:
						b = []byte(x)
					}
					for _, secret := range []string{"Zebedee", "Quartermaine", "1983-07-14", "07700 900982", "HD1 2QB", "rent arrears"} {
						if bytes.Contains(b, []byte(secret)) {
							t.Errorf("%s.%s holds %q in the clear", table, cols[i], secret)
						}
					}
				}
			}
			_ = rows.Close()
		}
		// Found by name and date of birth, whatever the case and spacing.
		list, err := w.svc.List(ctx, w.caseworker, models.ReferralQuery{List: models.ListSent,
			GivenName: " zebedee", FamilyName: "QUARTERMAINE ", DateOfBirth: "1983-07-14"})
		if err != nil || len(list.Items) != 1 || list.Items[0].Reference != ref.Reference {
			t.Errorf("find by name and birth date: %v, %+v", err, list.Items)
		}
		list, _ = w.svc.List(ctx, w.caseworker, models.ReferralQuery{List: models.ListSent,
			GivenName: "Zebedee", FamilyName: "Quartermaine", DateOfBirth: "1983-07-15"})
		if len(list.Items) != 0 {
			t.Errorf("another birth date found %d referrals", len(list.Items))
		}
		// Another organisation's responder's lists do not include it.
		list, _ = w.svc.List(ctx, w.otherResponder, models.ReferralQuery{List: models.ListReceived})
		if list.Total != 0 {
			t.Errorf("another organisation's inbox lists %d referrals", list.Total)
		}
		list, _ = w.svc.List(ctx, w.responder, models.ReferralQuery{List: models.ListReceived, Group: models.GroupNew})
		if list.Total != 1 || list.Counts[models.GroupNew] != 1 {
			t.Errorf("receiving inbox: total %d, counts %v", list.Total, list.Counts)
		}
		// The duplicate warning counts the open referral.
		if n, err := w.svc.OpenDuplicates(ctx, w.colleague, w.serviceID, validForm()); err != nil || n != 1 {
			t.Errorf("duplicates: %d, %v", n, err)
		}
		// A caseworker of another organisation is not told.
		outsider := actorWith(t, db, w.receiving, "caseworker")
		if n, _ := w.svc.OpenDuplicates(ctx, outsider, w.serviceID, validForm()); n != 0 {
			t.Errorf("another organisation's caseworker learns of %d referrals", n)
		}
		// A wrong key cannot open it.
		otherKeys, err := models.ParseKeyring("other:" + models.NewKey())
		if err != nil {
			t.Fatal(err)
		}
		other := &models.Referrals{DB: db, Keys: otherKeys}
		if _, err := other.Open(ctx, w.caseworker, ref.Reference, models.AccessView); !errors.Is(err, models.ErrNoKey) {
			t.Errorf("open with an unknown key id: %v", err)
		}
	})
}

// Two responders act on the same referral at the same moment: exactly one
// wins, and the other is told of a conflict rather than overwriting it.
func TestReferralConcurrentMoves(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newReferralWorld(t, db)
		ref, err := w.svc.Create(ctx, w.caseworker, w.serviceID, w.referring, validForm())
		if err != nil {
			t.Fatal(err)
		}
		v, err := w.svc.Open(ctx, w.responder, ref.Reference, models.AccessView)
		if err != nil {
			t.Fatal(err)
		}
		moves := []models.MoveInput{
			{To: models.StatusAccepted, Version: v.Version},
			{To: models.StatusDeclined, Version: v.Version, ReasonCode: "no_capacity"},
			{To: models.StatusAccepted, Version: v.Version},
			{To: models.StatusDeclined, Version: v.Version, ReasonCode: "not_eligible"},
		}
		errs := make([]error, len(moves))
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, m := range moves {
			wg.Go(func() {
				<-start
				errs[i] = w.svc.Move(ctx, w.responder, ref.Reference, m)
			})
		}
		close(start)
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case errors.Is(err, models.ErrConflict):
			default:
				t.Errorf("a move failed other than by conflict: %v", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d moves won, want exactly 1", won)
		}
		var events int64
		db.Model(&models.ReferralEvent{}).Where("referral_id = ?", ref.ID).Count(&events)
		if events != 3 { // sent, received, and the one winner
			t.Errorf("%d events, want 3", events)
		}
	})
}

func TestReferralFormValidation(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name  string
		edit  func(f *models.ReferralForm)
		step  string
		field string
	}{
		{"consent without agreement is refused", func(f *models.ReferralForm) { f.PersonAgreed = "no" }, models.StepBasis, "person_agreed"},
		{"no basis", func(f *models.ReferralForm) { f.LawfulBasis = "" }, models.StepBasis, "lawful_basis"},
		{"made-up basis", func(f *models.ReferralForm) { f.LawfulBasis = "because" }, models.StepBasis, "lawful_basis"},
		{"public task without agreement needs a reason", func(f *models.ReferralForm) {
			f.LawfulBasis, f.PersonAgreed = "public_task", "no"
		}, models.StepBasis, "basis_note"},
		{"someone else agreed: who", func(f *models.ReferralForm) { f.HadCapacity = "no" }, models.StepBasis, "agreed_by_name"},
		{"agreement in the future", func(f *models.ReferralForm) { f.AgreedYear = "2027" }, models.StepBasis, "agreed_day"},
		{"31 February", func(f *models.ReferralForm) { f.BirthDay, f.BirthMonth = "31", "2" }, models.StepPerson, "birth_day"},
		{"under 16 by birth date but not by answer", func(f *models.ReferralForm) { f.BirthYear = "2015" }, models.StepPerson, "birth_day"},
		{"bad phone", func(f *models.ReferralForm) { f.Phone = "call me<script>" }, models.StepPerson, "phone"},
		{"bad email", func(f *models.ReferralForm) { f.Email = "not an email" }, models.StepPerson, "email"},
		{"bad postcode", func(f *models.ReferralForm) { f.Postcode = "XX99 ZZZ9" }, models.StepPerson, "postcode"},
		{"prefers email, gives none", func(f *models.ReferralForm) { f.PreferredContact = "email" }, models.StepPerson, "email"},
		{"very long name", func(f *models.ReferralForm) { f.GivenName = strings.Repeat("a", 101) }, models.StepPerson, "given_name"},
		{"very long reason", func(f *models.ReferralForm) { f.Reason = strings.Repeat("é", 5001) }, models.StepReason, "reason"},
		{"no urgency", func(f *models.ReferralForm) { f.Urgency = "" }, models.StepReason, "urgency"},
	}
	if err := validForm().ValidateStep(models.StepCheck, now).Err(); err != nil {
		t.Fatalf("the valid form fails: %v", err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := validForm()
			c.edit(&f)
			f.Trim()
			v := f.ValidateStep(c.step, now)
			if v.Fields[c.field] == "" {
				t.Errorf("no message for %s; got %v", c.field, v.Fields)
			}
			if all := f.ValidateStep(models.StepCheck, now); all.Fields[c.field] == "" {
				t.Errorf("sending does not catch it: %v", all.Fields)
			}
		})
	}
}

func TestWorkdaysFollowBankHolidays(t *testing.T) {
	ew, _ := models.NewWorkdays(models.EnglandAndWales)
	sc, _ := models.NewWorkdays(models.Scotland)
	// Friday 19 December 2025, 10:00 UK time: working days skip the
	// weekends, Christmas Day and Boxing Day in both nations, 1 January in
	// both, and 2 January only in Scotland.
	start := time.Date(2025, 12, 19, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		w    *models.Workdays
		name string
		days int
		want string
	}{
		{ew, "England and Wales", 5, "2025-12-30"},
		{sc, "Scotland", 5, "2025-12-30"},
		{ew, "England and Wales", 7, "2026-01-02"},
		{sc, "Scotland", 7, "2026-01-05"},
	} {
		if got := c.w.Add(start, c.days).Format(time.DateOnly); got != c.want {
			t.Errorf("%s, %d working days: %s, want %s", c.name, c.days, got, c.want)
		}
	}
	if _, err := models.NewWorkdays("wales-only"); err == nil {
		t.Error("an unknown nation was accepted")
	}
}

// A service may follow another nation's bank holidays than the
// deployment's: a Scottish service on an England and Wales platform does
// not count St Andrew's Day as a working day, and a service that names
// none follows the platform.
func TestReferralDueFollowsTheServicesBankHolidays(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newReferralWorld(t, db)
		// Friday 27 November 2026, 10:00: one working day later is Monday
		// 30 November, St Andrew's Day, a bank holiday only in Scotland.
		friday := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
		due := func() string {
			t.Helper()
			target, err := w.svc.Target(ctx, w.serviceID)
			if err != nil {
				t.Fatal(err)
			}
			target.ResponseTargetDays = 1
			return w.svc.DueAt(friday, target).Format(time.DateOnly)
		}
		if got := due(); got != "2026-11-30" {
			t.Errorf("following the platform (England and Wales): due %s, want 2026-11-30", got)
		}
		if err := db.Model(&models.Service{}).Where("id = ?", w.serviceID).Update("bank_holidays", models.Scotland).Error; err != nil {
			t.Fatal(err)
		}
		if got := due(); got != "2026-12-01" {
			t.Errorf("following Scotland: due %s, want 2026-12-01", got)
		}
		// Sending a referral uses the same rule: sent that Friday to a
		// service with a one-day target, it is due on the Tuesday.
		if err := db.Model(&models.Service{}).Where("id = ?", w.serviceID).Update("response_target_days", 1).Error; err != nil {
			t.Fatal(err)
		}
		w.svc.Clock = func() time.Time { return friday }
		ref, err := w.svc.Create(ctx, w.caseworker, w.serviceID, w.referring, validForm())
		if err != nil {
			t.Fatal(err)
		}
		if got := ref.DueAt.Format(time.DateOnly); got != "2026-12-01" || !ref.CreatedAt.Equal(friday) {
			t.Errorf("a referral sent %s to the Scottish service is due %s, want 2026-12-01", ref.CreatedAt, got)
		}
	})
}

// A service with named responders is answered by them alone: another
// responder of the same organisation neither sees nor lists its referrals.
func TestReferralNamedResponders(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newReferralWorld(t, db)
		named := models.User{ID: "named-responder", Issuer: "test", Subject: "named", Name: "Named Responder",
			Email: "named@example.org.uk", CreatedAt: models.Now()}
		if err := db.Create(&named).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Create(&models.Membership{ID: "named-membership", UserID: named.ID, MemberOrganisationID: w.receiving,
			Responder: true, Status: models.MembershipActive, CreatedAt: models.Now()}).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Create(&models.ServiceResponder{ServiceID: w.serviceID, MembershipID: "named-membership"}).Error; err != nil {
			t.Fatal(err)
		}
		namedActor, err := models.LoadActor(ctx, db, named.ID)
		if err != nil {
			t.Fatal(err)
		}
		ref, err := w.svc.Create(ctx, w.caseworker, w.serviceID, w.referring, validForm())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Open(ctx, w.responder, ref.Reference, models.AccessView); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("an unnamed responder opened it: %v", err)
		}
		if list, _ := w.svc.List(ctx, w.responder, models.ReferralQuery{List: models.ListReceived}); list.Total != 0 {
			t.Errorf("an unnamed responder's inbox lists %d", list.Total)
		}
		v, err := w.svc.Open(ctx, namedActor, ref.Reference, models.AccessView)
		if err != nil || v.Status != models.StatusReceived {
			t.Fatalf("the named responder: %v, %s", err, v.Status)
		}
		if len(v.Responders) != 1 || v.Responders[0].ID != named.ID {
			t.Errorf("assignable responders: %+v", v.Responders)
		}
		// The named responder is suspended: the whole organisation answers
		// again, so the referral is not left unseen.
		db.Model(&models.User{}).Where("id = ?", named.ID).Update("suspended_at", models.Now())
		if _, err := w.svc.Open(ctx, w.responder, ref.Reference, models.AccessView); err != nil {
			t.Errorf("after the named responder was suspended, the organisation's responder: %v", err)
		}
		if list, _ := w.svc.List(ctx, w.responder, models.ReferralQuery{List: models.ListReceived}); list.Total != 1 {
			t.Errorf("after the suspension the inbox lists %d", list.Total)
		}
	})
}

// A caseworker hands a referral to a colleague, who then owns it; nobody on
// the receiving side can, and only caseworkers of the referring side can
// take it.
func TestReferralHandOver(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		w := newReferralWorld(t, db)
		ref, err := w.svc.Create(ctx, w.caseworker, w.serviceID, w.referring, validForm())
		if err != nil {
			t.Fatal(err)
		}
		if err := w.svc.ReassignReferrer(ctx, w.responder, ref.Reference, 1, w.responder.User.ID); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("the responder took over the referring side: %v", err)
		}
		var ve *models.ValidationError
		if err := w.svc.ReassignReferrer(ctx, w.caseworker, ref.Reference, 1, w.responder.User.ID); !errors.As(err, &ve) {
			t.Errorf("handed to someone who is not a caseworker there: %v", err)
		}
		if err := w.svc.ReassignReferrer(ctx, w.caseworker, ref.Reference, 1, w.colleague.User.ID); err != nil {
			t.Fatal(err)
		}
		mine, _ := w.svc.List(ctx, w.colleague, models.ReferralQuery{List: models.ListSent, Mine: true})
		if mine.Total != 1 {
			t.Errorf("the colleague's own referrals: %d", mine.Total)
		}
		v, _ := w.svc.Open(ctx, w.colleague, ref.Reference, models.AccessView)
		if v.ReferrerName != "Colleague" || v.History[len(v.History)-1].Kind != models.EventAssigned {
			t.Errorf("after hand-over: referrer %q, last event %+v", v.ReferrerName, v.History[len(v.History)-1])
		}
	})
}
