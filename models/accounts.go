package models

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// User is a person who signs in. Accounts are keyed on the OpenID
// Provider's (issuer, subject), never on email: an email address can change
// hands, a subject cannot.
type User struct {
	ID            string     `gorm:"column:id;primaryKey"`
	Issuer        string     `gorm:"column:issuer;not null"`
	Subject       string     `gorm:"column:subject;not null"`
	Email         string     `gorm:"column:email"`
	EmailVerified bool       `gorm:"column:email_verified;not null"`
	Name          string     `gorm:"column:name"`
	PlatformAdmin bool       `gorm:"column:platform_admin;not null"`
	SuspendedAt   *time.Time `gorm:"column:suspended_at"`
	CreatedAt     time.Time  `gorm:"column:created_at;not null"`
	LastSignInAt  *time.Time `gorm:"column:last_sign_in_at"`
}

// TableName implements gorm's Tabler.
func (User) TableName() string { return "users" }

// DisplayName is how pages name the user.
func (u User) DisplayName() string {
	if u.Name != "" {
		return u.Name
	}
	if u.Email != "" {
		return u.Email
	}
	return "Signed-in user"
}

// Organisation statuses.
const (
	OrgPending  = "pending"
	OrgApproved = "approved"
	OrgRejected = "rejected"
)

// MemberOrganisation is a tenant of the platform: it has members and takes
// part in referrals, and may keep the listings of one HSDS organization.
type MemberOrganisation struct {
	ID                 string     `gorm:"column:id;primaryKey"`
	Name               string     `gorm:"column:name;not null"`
	HSDSOrganizationID *string    `gorm:"column:hsds_organization_id"`
	Status             string     `gorm:"column:status;not null"`
	RequestNote        string     `gorm:"column:request_note"`
	RequestedBy        *string    `gorm:"column:requested_by"`
	CreatedAt          time.Time  `gorm:"column:created_at;not null"`
	DecidedAt          *time.Time `gorm:"column:decided_at"`
	DecidedBy          *string    `gorm:"column:decided_by"`
}

// TableName implements gorm's Tabler.
func (MemberOrganisation) TableName() string { return "member_organisations" }

// Membership statuses.
const (
	MembershipActive  = "active"
	MembershipPending = "pending"
)

// Membership gives a user roles in a member organisation.
type Membership struct {
	ID                   string    `gorm:"column:id;primaryKey"`
	UserID               string    `gorm:"column:user_id;not null"`
	MemberOrganisationID string    `gorm:"column:member_organisation_id;not null"`
	Caseworker           bool      `gorm:"column:caseworker;not null"`
	Responder            bool      `gorm:"column:responder;not null"`
	OrgAdmin             bool      `gorm:"column:org_admin;not null"`
	DataProtectionLead   bool      `gorm:"column:data_protection_lead;not null"`
	Status               string    `gorm:"column:status;not null"`
	CreatedAt            time.Time `gorm:"column:created_at;not null"`
}

// TableName implements gorm's Tabler.
func (Membership) TableName() string { return "memberships" }

// Roles returns the membership's roles.
func (m Membership) Roles() Roles {
	return Roles{Caseworker: m.Caseworker, Responder: m.Responder, OrgAdmin: m.OrgAdmin, DataProtectionLead: m.DataProtectionLead}
}

// Roles are what a member may do in their organisation.
type Roles struct {
	Caseworker, Responder, OrgAdmin bool
	// DataProtectionLead answers subject access requests, corrects and
	// erases people's data and reads the access log. It is a permission
	// an org admin gives a member; being org admin does not include it.
	DataProtectionLead bool
}

// Names lists the roles held, for pages.
func (r Roles) Names() []string {
	var out []string
	if r.Caseworker {
		out = append(out, "caseworker")
	}
	if r.Responder {
		out = append(out, "responder")
	}
	if r.OrgAdmin {
		out = append(out, "organisation admin")
	}
	if r.DataProtectionLead {
		out = append(out, "data protection lead")
	}
	return out
}

// Any reports whether any role is held.
func (r Roles) Any() bool { return r.Caseworker || r.Responder || r.OrgAdmin || r.DataProtectionLead }

// Invitation invites an email address to join an organisation with roles.
type Invitation struct {
	ID                   string     `gorm:"column:id;primaryKey"`
	MemberOrganisationID string     `gorm:"column:member_organisation_id;not null"`
	Email                string     `gorm:"column:email;not null"`
	Caseworker           bool       `gorm:"column:caseworker;not null"`
	Responder            bool       `gorm:"column:responder;not null"`
	OrgAdmin             bool       `gorm:"column:org_admin;not null"`
	TokenHash            string     `gorm:"column:token_hash;not null"`
	InvitedBy            *string    `gorm:"column:invited_by"`
	CreatedAt            time.Time  `gorm:"column:created_at;not null"`
	ExpiresAt            time.Time  `gorm:"column:expires_at;not null"`
	UsedAt               *time.Time `gorm:"column:used_at"`
	UsedBy               *string    `gorm:"column:used_by"`
}

// TableName implements gorm's Tabler.
func (Invitation) TableName() string { return "invitations" }

// EmailDomain is a domain an organisation has verified as its own.
type EmailDomain struct {
	Domain               string    `gorm:"column:domain;primaryKey"`
	MemberOrganisationID string    `gorm:"column:member_organisation_id;not null"`
	VerifiedAt           time.Time `gorm:"column:verified_at;not null"`
	VerifiedBy           *string   `gorm:"column:verified_by"`
}

// TableName implements gorm's Tabler.
func (EmailDomain) TableName() string { return "email_domains" }

// AdminGrant makes the first user who signs in with a verified email a
// platform admin; `referrals admin create` leaves one.
type AdminGrant struct {
	Email     string     `gorm:"column:email;primaryKey"`
	CreatedAt time.Time  `gorm:"column:created_at;not null"`
	UsedBy    *string    `gorm:"column:used_by"`
	UsedAt    *time.Time `gorm:"column:used_at"`
}

// TableName implements gorm's Tabler.
func (AdminGrant) TableName() string { return "admin_grants" }

// AuditEvent records a security-relevant action: sign-in, sign-out, a
// failed sign-in, a change of roles or membership.
type AuditEvent struct {
	ID                   string    `gorm:"column:id;primaryKey"`
	At                   time.Time `gorm:"column:at;not null"`
	ActorUserID          *string   `gorm:"column:actor_user_id"`
	Action               string    `gorm:"column:action;not null"`
	SubjectType          string    `gorm:"column:subject_type"`
	SubjectID            string    `gorm:"column:subject_id"`
	MemberOrganisationID *string   `gorm:"column:member_organisation_id"`
	IP                   string    `gorm:"column:ip"`
	Detail               string    `gorm:"column:detail"`
}

// TableName implements gorm's Tabler.
func (AuditEvent) TableName() string { return "audit_events" }

// AccountTables lists the account models, for schema checks.
func AccountTables() []any {
	return []any{&User{}, &MemberOrganisation{}, &Membership{}, &Invitation{}, &EmailDomain{}, &AdminGrant{}, &AuditEvent{}}
}

// Audit writes an audit event in tx. Detail must never hold personal data
// about service users.
func Audit(ctx context.Context, tx *gorm.DB, e AuditEvent) error {
	if e.ID == "" {
		e.ID = NewID()
	}
	if e.At.IsZero() {
		e.At = Now()
	}
	if err := tx.WithContext(ctx).Create(&e).Error; err != nil {
		return fmt.Errorf("models: audit %s: %w", e.Action, err)
	}
	return nil
}

// sharedDomains are email domains many unrelated people use: an
// organisation can never claim them, so nobody joins one by their address.
var sharedDomains = map[string]bool{
	"gmail.com": true, "googlemail.com": true, "outlook.com": true, "hotmail.com": true, "hotmail.co.uk": true,
	"live.com": true, "live.co.uk": true, "msn.com": true, "yahoo.com": true, "yahoo.co.uk": true, "icloud.com": true,
	"me.com": true, "aol.com": true, "protonmail.com": true, "proton.me": true, "btinternet.com": true,
	"sky.com": true, "talktalk.net": true, "virginmedia.com": true, "nhs.net": true, "gov.uk": true,
	"mail.com": true, "gmx.com": true, "gmx.co.uk": true, "zoho.com": true,
}

// IsSharedDomain reports whether a domain is one many unrelated people use.
func IsSharedDomain(domain string) bool {
	return sharedDomains[strings.ToLower(strings.TrimSpace(domain))]
}

// ErrSuspended means the account is suspended.
var ErrSuspended = errors.New("account suspended")

// Identity is what an OpenID Provider says about the person signing in.
type Identity struct {
	Issuer, Subject, Email, Name string
	EmailVerified                bool
}

// SignIn finds or creates the user for an identity, refreshes their email
// and name, and applies what their verified email entitles them to: a
// pending platform-admin grant, and pending membership of an organisation
// that has verified the email's domain. A suspended user is refused.
func SignIn(ctx context.Context, db *gorm.DB, id Identity) (User, error) {
	if id.Issuer == "" || id.Subject == "" {
		return User{}, fmt.Errorf("models: sign in without issuer or subject: %w", ErrForbidden)
	}
	email := strings.ToLower(strings.TrimSpace(id.Email))
	var u User
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := Now()
		var found []User
		if err := tx.Where("issuer = ? AND subject = ?", id.Issuer, id.Subject).Limit(1).Find(&found).Error; err != nil {
			return err
		}
		if len(found) == 1 {
			u = found[0]
		} else {
			u = User{ID: NewID(), Issuer: id.Issuer, Subject: id.Subject, CreatedAt: now}
		}
		if u.SuspendedAt != nil {
			return ErrSuspended
		}
		u.Email, u.EmailVerified, u.LastSignInAt = email, id.EmailVerified && email != "", &now
		if id.Name != "" {
			u.Name = id.Name
		}
		if err := tx.Save(&u).Error; err != nil {
			return err
		}
		if !u.EmailVerified {
			return nil
		}
		// A grant is used once, by the first verified sign-in with its email.
		res := tx.Model(&AdminGrant{}).Where("email = ? AND used_at IS NULL", email).
			Updates(map[string]any{"used_by": u.ID, "used_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected > 0 {
			u.PlatformAdmin = true
			if err := tx.Model(&u).Update("platform_admin", true).Error; err != nil {
				return err
			}
		}
		_, domain, ok := strings.Cut(email, "@")
		if !ok || IsSharedDomain(domain) {
			return nil
		}
		var doms []EmailDomain
		if err := tx.Where("domain = ?", domain).Limit(1).Find(&doms).Error; err != nil || len(doms) == 0 {
			return err
		}
		m := Membership{ID: NewID(), UserID: u.ID, MemberOrganisationID: doms[0].MemberOrganisationID,
			Status: MembershipPending, CreatedAt: now}
		return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&m).Error
	})
	if err != nil {
		if errors.Is(err, ErrSuspended) {
			return User{}, fmt.Errorf("models: sign in %s: %w", u.ID, ErrSuspended)
		}
		return User{}, fmt.Errorf("models: sign in: %w", err)
	}
	return u, nil
}

// ActorMembership is one organisation an actor belongs to.
type ActorMembership struct {
	MembershipID     string
	OrganisationID   string
	OrganisationName string
	Roles            Roles
	Pending          bool
}

// Actor is who is making a request: a signed-in user with their
// memberships of approved organisations. A nil *Actor is the public.
type Actor struct {
	User        User
	Memberships []ActorMembership
}

// Membership returns the actor's active membership of an organisation.
func (a *Actor) Membership(orgID string) (ActorMembership, bool) {
	if a == nil {
		return ActorMembership{}, false
	}
	for _, m := range a.Memberships {
		if m.OrganisationID == orgID && !m.Pending {
			return m, true
		}
	}
	return ActorMembership{}, false
}

// IsMember reports whether the actor is an active member of any organisation.
func (a *Actor) IsMember() bool {
	if a == nil {
		return false
	}
	for _, m := range a.Memberships {
		if !m.Pending {
			return true
		}
	}
	return false
}

// Audience is what directory data the actor may see: members see what is
// marked for professionals.
func (a *Actor) Audience() Audience {
	if a.IsMember() {
		return Professional
	}
	return Public
}

// LoadActor loads a user and their memberships for a request. A missing
// user gives ErrNotFound and a suspended one ErrSuspended, so a suspension
// or a removed membership takes effect on the user's next request.
func LoadActor(ctx context.Context, db *gorm.DB, userID string) (*Actor, error) {
	var users []User
	if err := db.WithContext(ctx).Where("id = ?", userID).Limit(1).Find(&users).Error; err != nil {
		return nil, fmt.Errorf("models: load actor: %w", err)
	}
	if len(users) == 0 {
		return nil, fmt.Errorf("models: actor %s: %w", userID, ErrNotFound)
	}
	if users[0].SuspendedAt != nil {
		return nil, fmt.Errorf("models: actor %s: %w", userID, ErrSuspended)
	}
	var rows []struct {
		Membership
		OrgName string
	}
	err := db.WithContext(ctx).Table("memberships m").
		Select("m.*, o.name AS org_name").
		Joins("JOIN member_organisations o ON o.id = m.member_organisation_id AND o.status = ?", OrgApproved).
		Where("m.user_id = ?", userID).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("models: load actor memberships: %w", err)
	}
	a := &Actor{User: users[0]}
	for _, r := range rows {
		a.Memberships = append(a.Memberships, ActorMembership{
			MembershipID: r.ID, OrganisationID: r.MemberOrganisationID, OrganisationName: r.OrgName,
			Roles: r.Roles(), Pending: r.Status == MembershipPending,
		})
	}
	sort.Slice(a.Memberships, func(i, j int) bool { return a.Memberships[i].OrganisationName < a.Memberships[j].OrganisationName })
	return a, nil
}

// HashToken returns the hex SHA-256 of a secret token, which is what is
// stored: a leaked database does not leak usable invitation links.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateAdminGrant records that the first verified sign-in with email
// becomes a platform admin.
func CreateAdminGrant(ctx context.Context, db *gorm.DB, email string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	if !strings.Contains(email, "@") || validEmail(email) == "" {
		v := &ValidationError{}
		v.Add("email", "must be an email address")
		return v
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// An existing user with that verified email is made admin at once.
		res := tx.Model(&User{}).Where("email = ? AND email_verified = ?", email, true).Update("platform_admin", true)
		if res.Error != nil {
			return res.Error
		}
		g := AdminGrant{Email: email, CreatedAt: Now()}
		if res.RowsAffected > 0 {
			now := Now()
			g.UsedAt = &now
		}
		return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&g).Error
	})
}
