package models

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// DemoIssuer is the issuer of demo accounts: they never come from a real
// OpenID Provider and exist only in demo mode.
const DemoIssuer = "demo"

// DemoAccount is one account the demo sign-in page offers.
type DemoAccount struct {
	UserID       string
	Name         string
	Email        string
	Organisation string
	Role         string
}

// demoOrgCount is how many demo HSDS organisations get member organisations
// with a full team each.
const demoOrgCount = 3

// LoadDemoAccounts creates, once, member organisations for the first demo
// publishers (a caseworker, a responder and an organisation admin each), a
// platform admin and a user with no organisation. It needs the demo
// directory loaded first.
func LoadDemoAccounts(ctx context.Context, db *gorm.DB) error {
	var orgs []Organization
	if err := db.WithContext(ctx).Where("source = ?", DemoSource).Order("name").Limit(demoOrgCount).Find(&orgs).Error; err != nil {
		return fmt.Errorf("models: demo accounts: %w", err)
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := Now()
		user := func(key, name, email string, admin bool) User {
			return User{ID: NormaliseID(DemoSource, "user:"+key), Issuer: DemoIssuer, Subject: key, Name: name,
				Email: email, EmailVerified: true, PlatformAdmin: admin, CreatedAt: now}
		}
		users := []User{
			user("platform-admin", "Pat Admin (platform admin)", "pat.admin@platform.example.org.uk", true),
			user("no-organisation", "Noor Newcomer (no organisation yet)", "noor@newcomer.example.org.uk", false),
		}
		var mos []MemberOrganisation
		var ms []Membership
		roles := []struct {
			key, label string
			r          Roles
		}{
			{"caseworker", "caseworker", Roles{Caseworker: true}},
			{"responder", "responder", Roles{Responder: true}},
			{"admin", "organisation admin", Roles{OrgAdmin: true}},
			{"dpo", "data protection lead", Roles{DataProtectionLead: true}},
		}
		firstNames := []string{"Sam", "Ravi", "Jo", "Priya", "Ayesha", "Tom", "Kasia", "Femi", "Dev", "Mel", "Chris", "Lou"}
		for i, o := range orgs {
			hsdsID := o.ID
			mo := MemberOrganisation{ID: NormaliseID(DemoSource, "member-org:"+o.ID), Name: o.Name, HSDSOrganizationID: &hsdsID,
				Status: OrgApproved, CreatedAt: now, DecidedAt: &now}
			mos = append(mos, mo)
			// The position keeps keys apart when two names share a first word.
			slug := fmt.Sprintf("%s%d", strings.ToLower(strings.Fields(o.Name)[0]), i+1)
			for j, r := range roles {
				first := firstNames[(i*len(roles)+j)%len(firstNames)]
				u := user(slug+"-"+r.key, fmt.Sprintf("%s (%s, %s)", first, r.label, o.Name),
					strings.ToLower(first)+"."+r.key+"@"+strings.TrimRight(slug, "0123456789")+".example.org.uk", false)
				users = append(users, u)
				ms = append(ms, Membership{ID: NormaliseID(DemoSource, "membership:"+u.ID), UserID: u.ID,
					MemberOrganisationID: mo.ID, Caseworker: r.r.Caseworker, Responder: r.r.Responder,
					OrgAdmin: r.r.OrgAdmin, DataProtectionLead: r.r.DataProtectionLead, Status: MembershipActive, CreatedAt: now})
			}
		}
		for _, step := range []func() error{
			func() error { return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&users).Error },
			func() error {
				if len(mos) == 0 {
					return nil
				}
				return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&mos).Error
			},
			func() error {
				if len(ms) == 0 {
					return nil
				}
				return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&ms).Error
			},
		} {
			if err := step(); err != nil {
				return fmt.Errorf("models: demo accounts: %w", err)
			}
		}
		return nil
	})
}

// DemoAccounts lists the demo accounts, for the demo sign-in page.
func DemoAccounts(ctx context.Context, db *gorm.DB) ([]DemoAccount, error) {
	var rows []struct {
		ID, Name, Email, OrgName   string
		Caseworker, Responder, Adm bool
		DataProtectionLead         bool
		PlatformAdmin              bool
	}
	err := db.WithContext(ctx).Table("users u").
		Select("u.id, u.name, u.email, u.platform_admin, COALESCE(o.name, '') AS org_name, COALESCE(m.caseworker, FALSE) AS caseworker, COALESCE(m.responder, FALSE) AS responder, COALESCE(m.org_admin, FALSE) AS adm, COALESCE(m.data_protection_lead, FALSE) AS data_protection_lead").
		Joins("LEFT JOIN memberships m ON m.user_id = u.id").
		Joins("LEFT JOIN member_organisations o ON o.id = m.member_organisation_id").
		Where("u.issuer = ? AND u.suspended_at IS NULL", DemoIssuer).
		Order("COALESCE(o.name, ''), u.name").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("models: demo accounts: %w", err)
	}
	out := make([]DemoAccount, len(rows))
	for i, r := range rows {
		role := strings.Join(Roles{Caseworker: r.Caseworker, Responder: r.Responder, OrgAdmin: r.Adm,
			DataProtectionLead: r.DataProtectionLead}.Names(), ", ")
		if r.PlatformAdmin {
			role = "platform admin"
		}
		if role == "" {
			role = "no organisation"
		}
		out[i] = DemoAccount{UserID: r.ID, Name: r.Name, Email: r.Email, Organisation: r.OrgName, Role: role}
	}
	return out, nil
}

// DemoUser returns a demo user by id, or ErrNotFound: the demo sign-in can
// sign in as nobody else.
func DemoUser(ctx context.Context, db *gorm.DB, id string) (User, error) {
	var users []User
	if err := db.WithContext(ctx).Where("id = ? AND issuer = ? AND suspended_at IS NULL", id, DemoIssuer).Limit(1).Find(&users).Error; err != nil {
		return User{}, fmt.Errorf("models: demo user: %w", err)
	}
	if len(users) == 0 {
		return User{}, fmt.Errorf("models: demo user %s: %w", id, ErrNotFound)
	}
	return users[0], nil
}
