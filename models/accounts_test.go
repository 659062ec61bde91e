package models_test

import (
	"context"
	"errors"
	"testing"

	"gorm.io/gorm"

	"github.com/openreferral-uk/referrals/models"
	"github.com/openreferral-uk/referrals/models/dbtest"
)

func TestSignInRules(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		// An organisation that has verified its domain, and an admin grant.
		org := models.MemberOrganisation{ID: models.NewID(), Name: "Holme Advice", Status: models.OrgApproved, CreatedAt: models.Now()}
		if err := db.Create(&org).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Create(&models.EmailDomain{Domain: "holme.example.org.uk", MemberOrganisationID: org.ID, VerifiedAt: models.Now()}).Error; err != nil {
			t.Fatal(err)
		}
		if err := models.CreateAdminGrant(ctx, db, "Boss@Platform.example.org.uk"); err != nil {
			t.Fatal(err)
		}

		// The same subject twice is one user, whatever their email says.
		u1, err := models.SignIn(ctx, db, models.Identity{Issuer: "https://idp", Subject: "s1", Email: "a@holme.example.org.uk", EmailVerified: true, Name: "A"})
		if err != nil {
			t.Fatal(err)
		}
		u1b, err := models.SignIn(ctx, db, models.Identity{Issuer: "https://idp", Subject: "s1", Email: "renamed@holme.example.org.uk", EmailVerified: true})
		if err != nil || u1b.ID != u1.ID || u1b.Email != "renamed@holme.example.org.uk" || u1b.Name != "A" {
			t.Errorf("second sign-in: %+v, %v", u1b, err)
		}
		// The same email from another issuer is another person.
		other, _ := models.SignIn(ctx, db, models.Identity{Issuer: "https://other-idp", Subject: "s1", Email: "a@holme.example.org.uk", EmailVerified: true})
		if other.ID == u1.ID {
			t.Error("accounts were matched on email across issuers")
		}
		// A verified email at the organisation's domain joins it as pending.
		a, _ := models.LoadActor(ctx, db, u1.ID)
		if len(a.Memberships) != 1 || !a.Memberships[0].Pending || a.IsMember() {
			t.Errorf("domain joiner's memberships: %+v", a.Memberships)
		}
		// An unverified email never joins, and never takes an admin grant.
		unverified, _ := models.SignIn(ctx, db, models.Identity{Issuer: "https://idp", Subject: "s2", Email: "boss@platform.example.org.uk"})
		ua, _ := models.LoadActor(ctx, db, unverified.ID)
		if ua.User.PlatformAdmin {
			t.Error("an unverified email took the admin grant")
		}
		u3, _ := models.SignIn(ctx, db, models.Identity{Issuer: "https://idp", Subject: "s3", Email: "c@holme.example.org.uk", EmailVerified: false})
		if a3, _ := models.LoadActor(ctx, db, u3.ID); len(a3.Memberships) != 0 {
			t.Error("an unverified email joined by domain")
		}
		// The grant goes to the first verified sign-in, once.
		boss, _ := models.SignIn(ctx, db, models.Identity{Issuer: "https://idp", Subject: "s4", Email: "boss@platform.example.org.uk", EmailVerified: true})
		if !boss.PlatformAdmin {
			t.Error("the verified email did not take the admin grant")
		}
		again, _ := models.SignIn(ctx, db, models.Identity{Issuer: "https://idp2", Subject: "s5", Email: "boss@platform.example.org.uk", EmailVerified: true})
		if again.PlatformAdmin {
			t.Error("an admin grant was used twice")
		}
		// Shared domains can never be joined by.
		if !models.IsSharedDomain("GMAIL.com") || !models.IsSharedDomain("nhs.net") || models.IsSharedDomain("holme.example.org.uk") {
			t.Error("shared domain list is wrong")
		}
		if err := db.Create(&models.EmailDomain{Domain: "gmail.com", MemberOrganisationID: org.ID, VerifiedAt: models.Now()}).Error; err != nil {
			t.Fatal(err)
		}
		g, _ := models.SignIn(ctx, db, models.Identity{Issuer: "https://idp", Subject: "s6", Email: "x@gmail.com", EmailVerified: true})
		if ga, _ := models.LoadActor(ctx, db, g.ID); len(ga.Memberships) != 0 {
			t.Error("a gmail.com address joined an organisation")
		}
		// A suspended user cannot sign in or be loaded.
		admin, _ := models.LoadActor(ctx, db, boss.ID)
		if err := models.SetSuspended(ctx, db, admin, u1.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := models.SignIn(ctx, db, models.Identity{Issuer: "https://idp", Subject: "s1"}); !errors.Is(err, models.ErrSuspended) {
			t.Errorf("suspended sign-in: %v", err)
		}
		if _, err := models.LoadActor(ctx, db, u1.ID); !errors.Is(err, models.ErrSuspended) {
			t.Errorf("suspended actor: %v", err)
		}
	})
}

func TestTeamRules(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		mk := func(sub, email string) *models.Actor {
			u, err := models.SignIn(ctx, db, models.Identity{Issuer: "https://idp", Subject: sub, Email: email, EmailVerified: true})
			if err != nil {
				t.Fatal(err)
			}
			a, _ := models.LoadActor(ctx, db, u.ID)
			return a
		}
		founder := mk("f", "founder@a.example.org.uk")
		padmin := mk("p", "p@platform.example.org.uk")
		db.Model(&models.User{}).Where("id = ?", padmin.User.ID).Update("platform_admin", true)
		padmin, _ = models.LoadActor(ctx, db, padmin.User.ID)

		org, err := models.RequestOrganisation(ctx, db, founder, "A Charity", "We help.")
		if err != nil {
			t.Fatal(err)
		}
		if err := models.DecideOrganisation(ctx, db, founder, org.ID, true); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("a requester approved their own organisation: %v", err)
		}
		if err := models.DecideOrganisation(ctx, db, padmin, org.ID, true); err != nil {
			t.Fatal(err)
		}
		founder, _ = models.LoadActor(ctx, db, founder.User.ID)
		if m, ok := founder.Membership(org.ID); !ok || !m.Roles.OrgAdmin {
			t.Fatalf("the founder is not the organisation's admin: %+v", founder.Memberships)
		}

		// Invitations: bound to the invited email, single use.
		_, token, err := models.Invite(ctx, db, founder, org.ID, "Worker@A.example.org.uk", models.Roles{Caseworker: true})
		if err != nil {
			t.Fatal(err)
		}
		stranger := mk("s", "stranger@b.example.org.uk")
		if _, err := models.AcceptInvitation(ctx, db, stranger, token); !errors.Is(err, models.ErrWrongAccount) {
			t.Errorf("a stranger used the invitation: %v", err)
		}
		worker := mk("w", "worker@a.example.org.uk")
		if _, err := models.AcceptInvitation(ctx, db, worker, token); err != nil {
			t.Fatal(err)
		}
		if _, err := models.AcceptInvitation(ctx, db, worker, token); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("an invitation worked twice: %v", err)
		}
		worker, _ = models.LoadActor(ctx, db, worker.User.ID)
		wm, ok := worker.Membership(org.ID)
		if !ok || !wm.Roles.Caseworker || wm.Roles.OrgAdmin {
			t.Fatalf("the invited worker's membership: %+v", worker.Memberships)
		}
		if _, _, err := models.Invite(ctx, db, worker, org.ID, "x@a.example.org.uk", models.Roles{Caseworker: true}); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("a caseworker invited someone: %v", err)
		}

		// The last admin cannot be removed or demoted.
		fm, _ := founder.Membership(org.ID)
		var ve *models.ValidationError
		if err := models.SetRoles(ctx, db, founder, org.ID, fm.MembershipID, models.Roles{Caseworker: true}); !errors.As(err, &ve) {
			t.Errorf("the last admin was demoted: %v", err)
		}
		if err := models.RemoveMember(ctx, db, founder, org.ID, fm.MembershipID); !errors.As(err, &ve) {
			t.Errorf("the last admin was removed: %v", err)
		}
		if err := models.SetRoles(ctx, db, founder, org.ID, wm.MembershipID, models.Roles{Caseworker: true, OrgAdmin: true}); err != nil {
			t.Fatal(err)
		}
		if err := models.RemoveMember(ctx, db, founder, org.ID, fm.MembershipID); err != nil {
			t.Errorf("with another admin, the founder could not leave: %v", err)
		}
		var events int64
		db.Model(&models.AuditEvent{}).Where("member_organisation_id = ?", org.ID).Count(&events)
		if events < 6 {
			t.Errorf("only %d audit events for the organisation", events)
		}
	})
}

func TestPolicyTable(t *testing.T) {
	orgA, orgB := "org-a", "org-b"
	admin := &models.Actor{Memberships: []models.ActorMembership{{OrganisationID: orgA, Roles: models.Roles{OrgAdmin: true}}}}
	pendingAdmin := &models.Actor{Memberships: []models.ActorMembership{{OrganisationID: orgA, Roles: models.Roles{OrgAdmin: true}, Pending: true}}}
	caseworker := &models.Actor{Memberships: []models.ActorMembership{{OrganisationID: orgA, Roles: models.Roles{Caseworker: true}}}}
	platform := &models.Actor{User: models.User{PlatformAdmin: true}}
	tests := []struct {
		name   string
		actor  *models.Actor
		action models.Action
		org    string
		want   bool
	}{
		{"public cannot view an account", nil, models.ViewAccount, "", false},
		{"anyone signed in can ask to join", caseworker, models.RequestMembership, "", true},
		{"admin manages own team", admin, models.ManageTeam, orgA, true},
		{"admin cannot manage another team", admin, models.ManageTeam, orgB, false},
		{"pending admin cannot manage", pendingAdmin, models.ManageTeam, orgA, false},
		{"caseworker cannot manage", caseworker, models.ManageTeam, orgA, false},
		{"platform admin cannot manage a team", platform, models.ManageTeam, orgA, false},
		{"platform admin approves organisations", platform, models.AdminOrganisations, "", true},
		{"org admin cannot approve organisations", admin, models.AdminOrganisations, "", false},
		{"unknown action is refused", platform, models.Action("no.such.action"), "", false},
	}
	for _, tt := range tests {
		if got := models.Can(tt.actor, tt.action, models.Resource{OrganisationID: tt.org}); got != tt.want {
			t.Errorf("%s: Can = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestDemoAccountsGiveEveryDemoOrganisationATeam(t *testing.T) {
	db := dbtest.SQLite(t)
	ctx := context.Background()
	if _, err := models.LoadDemoDirectory(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := models.LoadDemoAccounts(ctx, db); err != nil {
		t.Fatal(err)
	}
	accounts, err := models.DemoAccounts(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	perOrg := map[string]int{}
	for _, a := range accounts {
		perOrg[a.Organisation]++
	}
	if len(perOrg) != 4 || perOrg[""] != 2 {
		t.Fatalf("demo accounts by organisation: %v; want three organisations and two accounts without one", perOrg)
	}
	for org, n := range perOrg {
		if org != "" && n != 4 {
			t.Errorf("%s has %d demo accounts, want a caseworker, a responder, an admin and a data protection lead", org, n)
		}
	}
	// Loading again changes nothing.
	if err := models.LoadDemoAccounts(ctx, db); err != nil {
		t.Fatal(err)
	}
	again, _ := models.DemoAccounts(ctx, db)
	if len(again) != len(accounts) {
		t.Errorf("loading demo accounts twice gave %d, then %d", len(accounts), len(again))
	}
}

func TestEmailDomainClaims(t *testing.T) {
	dbtest.Dialects(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		u, _ := models.SignIn(ctx, db, models.Identity{Issuer: "https://idp", Subject: "p", Email: "p@platform.example.org.uk", EmailVerified: true})
		db.Model(&models.User{}).Where("id = ?", u.ID).Update("platform_admin", true)
		padmin, _ := models.LoadActor(ctx, db, u.ID)
		founderU, _ := models.SignIn(ctx, db, models.Identity{Issuer: "https://idp", Subject: "f", Email: "f@kirk.example.org.uk", EmailVerified: true})
		founder, _ := models.LoadActor(ctx, db, founderU.ID)
		org, err := models.RequestOrganisation(ctx, db, founder, "Kirk Trust", "")
		if err != nil {
			t.Fatal(err)
		}
		_ = models.DecideOrganisation(ctx, db, padmin, org.ID, true)
		var ve *models.ValidationError
		for _, bad := range []string{"gmail.com", "NHS.net", "not a domain", "localhost", ""} {
			if err := models.AddEmailDomain(ctx, db, padmin, org.ID, bad); !errors.As(err, &ve) {
				t.Errorf("domain %q accepted: %v", bad, err)
			}
		}
		if err := models.AddEmailDomain(ctx, db, founder, org.ID, "kirk.example.org.uk"); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("an organisation admin claimed a domain without a platform admin: %v", err)
		}
		if err := models.AddEmailDomain(ctx, db, padmin, org.ID, "@Kirk.Example.org.uk "); err != nil {
			t.Fatal(err)
		}
		if err := models.AddEmailDomain(ctx, db, padmin, org.ID, "kirk.example.org.uk"); !errors.As(err, &ve) {
			t.Errorf("a domain was claimed twice: %v", err)
		}
		joiner, _ := models.SignIn(ctx, db, models.Identity{Issuer: "https://idp", Subject: "j", Email: "j@kirk.example.org.uk", EmailVerified: true})
		ja, _ := models.LoadActor(ctx, db, joiner.ID)
		if len(ja.Memberships) != 1 || !ja.Memberships[0].Pending {
			t.Errorf("a verified address at the claimed domain did not join as pending: %+v", ja.Memberships)
		}
		if err := models.RemoveEmailDomain(ctx, db, padmin, org.ID, "kirk.example.org.uk"); err != nil {
			t.Fatal(err)
		}
		later, _ := models.SignIn(ctx, db, models.Identity{Issuer: "https://idp", Subject: "k", Email: "k@kirk.example.org.uk", EmailVerified: true})
		if la, _ := models.LoadActor(ctx, db, later.ID); len(la.Memberships) != 0 {
			t.Error("a removed domain still let people join")
		}
	})
}
