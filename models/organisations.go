package models

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"gorm.io/gorm"
)

// InvitationLifetime is how long an invitation link works.
const InvitationLifetime = 7 * 24 * time.Hour

// can returns ErrForbidden unless the policy allows the action.
func can(a *Actor, action Action, r Resource) error {
	if !Can(a, action, r) {
		return fmt.Errorf("models: %s on %q: %w", action, r.OrganisationID, ErrForbidden)
	}
	return nil
}

func actorID(a *Actor) *string {
	if a == nil {
		return nil
	}
	id := a.User.ID
	return &id
}

// RequestOrganisation records a request to join the platform as a new
// member organisation; the requester becomes its first organisation admin
// once a platform admin approves it.
func RequestOrganisation(ctx context.Context, db *gorm.DB, a *Actor, name, note string) (MemberOrganisation, error) {
	if err := can(a, RequestMembership, Resource{}); err != nil {
		return MemberOrganisation{}, err
	}
	v := &ValidationError{}
	name, note = strings.TrimSpace(name), strings.TrimSpace(note)
	switch {
	case name == "":
		v.Add("name", "Enter the name of your organisation")
	case len([]rune(name)) > 200:
		v.Add("name", "Organisation name must be 200 characters or fewer")
	}
	if len([]rune(note)) > 2000 {
		v.Add("note", "Tell us about your organisation in 2,000 characters or fewer")
	}
	if err := v.Err(); err != nil {
		return MemberOrganisation{}, err
	}
	now := Now()
	mo := MemberOrganisation{ID: NewID(), Name: name, Status: OrgPending, RequestNote: note, RequestedBy: actorID(a), CreatedAt: now}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&mo).Error; err != nil {
			return err
		}
		m := Membership{ID: NewID(), UserID: a.User.ID, MemberOrganisationID: mo.ID, OrgAdmin: true, Status: MembershipActive, CreatedAt: now}
		if err := tx.Create(&m).Error; err != nil {
			return err
		}
		return Audit(ctx, tx, AuditEvent{ActorUserID: actorID(a), Action: "organisation.requested",
			SubjectType: "member_organisation", SubjectID: mo.ID, MemberOrganisationID: &mo.ID})
	})
	if err != nil {
		return MemberOrganisation{}, fmt.Errorf("models: request organisation: %w", err)
	}
	return mo, nil
}

// OrganisationSummary is a member organisation as the platform admin sees it.
type OrganisationSummary struct {
	MemberOrganisation
	Members        int
	HSDSName       string
	RequesterEmail string
}

// ListOrganisations lists every member organisation, pending first.
func ListOrganisations(ctx context.Context, db *gorm.DB, a *Actor) ([]OrganisationSummary, error) {
	if err := can(a, AdminOrganisations, Resource{}); err != nil {
		return nil, err
	}
	var rows []OrganisationSummary
	err := db.WithContext(ctx).Table("member_organisations mo").
		Select(`mo.*, (SELECT COUNT(*) FROM memberships m WHERE m.member_organisation_id = mo.id) AS members,
			COALESCE(o.name, '') AS hsds_name, COALESCE(u.email, '') AS requester_email`).
		Joins("LEFT JOIN organizations o ON o.id = mo.hsds_organization_id").
		Joins("LEFT JOIN users u ON u.id = mo.requested_by").
		Order("CASE mo.status WHEN 'pending' THEN 0 WHEN 'approved' THEN 1 ELSE 2 END, mo.name").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("models: list organisations: %w", err)
	}
	return rows, nil
}

// DecideOrganisation approves or rejects a pending member organisation.
func DecideOrganisation(ctx context.Context, db *gorm.DB, a *Actor, orgID string, approve bool) error {
	if err := can(a, AdminOrganisations, Resource{}); err != nil {
		return err
	}
	status, action := OrgRejected, "organisation.rejected"
	if approve {
		status, action = OrgApproved, "organisation.approved"
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		now := Now()
		res := tx.Model(&MemberOrganisation{}).Where("id = ?", orgID).
			Updates(map[string]any{"status": status, "decided_at": now, "decided_by": a.User.ID})
		if res.Error != nil {
			return fmt.Errorf("models: decide organisation: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("models: organisation %s: %w", orgID, ErrNotFound)
		}
		return Audit(ctx, tx, AuditEvent{ActorUserID: actorID(a), Action: action, SubjectType: "member_organisation",
			SubjectID: orgID, MemberOrganisationID: &orgID})
	})
}

// LinkOrganisation links a member organisation to the HSDS organization
// whose listings it keeps, or unlinks it with an empty hsdsID.
func LinkOrganisation(ctx context.Context, db *gorm.DB, a *Actor, orgID, hsdsID string) error {
	if err := can(a, AdminOrganisations, Resource{}); err != nil {
		return err
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var link *string
		if hsdsID != "" {
			var n int64
			if err := tx.Model(&Organization{}).Where("id = ?", hsdsID).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				v := &ValidationError{}
				v.Add("hsds_organization_id", "Choose a directory organisation")
				return v
			}
			var taken int64
			if err := tx.Model(&MemberOrganisation{}).Where("hsds_organization_id = ? AND id <> ?", hsdsID, orgID).Count(&taken).Error; err != nil {
				return err
			}
			if taken > 0 {
				v := &ValidationError{}
				v.Add("hsds_organization_id", "Another member organisation already keeps these listings")
				return v
			}
			link = &hsdsID
		}
		res := tx.Model(&MemberOrganisation{}).Where("id = ?", orgID).Update("hsds_organization_id", link)
		if res.Error != nil {
			return fmt.Errorf("models: link organisation: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("models: organisation %s: %w", orgID, ErrNotFound)
		}
		return Audit(ctx, tx, AuditEvent{ActorUserID: actorID(a), Action: "organisation.linked", SubjectType: "member_organisation",
			SubjectID: orgID, MemberOrganisationID: &orgID, Detail: hsdsID})
	})
}

// TeamMember is one member of an organisation as its admins see them.
type TeamMember struct {
	MembershipID string
	UserID       string
	Name         string
	Email        string
	Roles        Roles
	Pending      bool
	Suspended    bool
}

// Team lists an organisation's members and its open invitations.
func Team(ctx context.Context, db *gorm.DB, a *Actor, orgID string) ([]TeamMember, []Invitation, error) {
	if err := can(a, ViewTeam, Resource{OrganisationID: orgID}); err != nil {
		return nil, nil, err
	}
	var rows []struct {
		Membership
		Name, Email string
		SuspendedAt *time.Time
	}
	err := db.WithContext(ctx).Table("memberships m").Select("m.*, u.name, u.email, u.suspended_at").
		Joins("JOIN users u ON u.id = m.user_id").Where("m.member_organisation_id = ?", orgID).
		Order("m.status DESC, u.name, u.email").Scan(&rows).Error
	if err != nil {
		return nil, nil, fmt.Errorf("models: team: %w", err)
	}
	out := make([]TeamMember, len(rows))
	for i, r := range rows {
		out[i] = TeamMember{MembershipID: r.ID, UserID: r.UserID, Name: r.Name, Email: r.Email, Roles: r.Roles(),
			Pending: r.Status == MembershipPending, Suspended: r.SuspendedAt != nil}
	}
	var invs []Invitation
	if err := db.WithContext(ctx).Where("member_organisation_id = ? AND used_at IS NULL AND expires_at > ?", orgID, Now()).
		Order("created_at DESC").Find(&invs).Error; err != nil {
		return nil, nil, fmt.Errorf("models: team invitations: %w", err)
	}
	return out, invs, nil
}

// membershipIn loads a membership that belongs to orgID; a membership of
// another organisation is reported as not found.
func membershipIn(tx *gorm.DB, orgID, membershipID string) (Membership, error) {
	var ms []Membership
	if err := tx.Where("id = ? AND member_organisation_id = ?", membershipID, orgID).Limit(1).Find(&ms).Error; err != nil {
		return Membership{}, err
	}
	if len(ms) == 0 {
		return Membership{}, fmt.Errorf("models: membership %s: %w", membershipID, ErrNotFound)
	}
	return ms[0], nil
}

// ErrLastAdmin means the change would leave an organisation with no admin.
var ErrLastAdmin = errors.New("an organisation needs at least one organisation admin")

func otherAdmins(tx *gorm.DB, orgID, membershipID string) (int64, error) {
	var n int64
	err := tx.Model(&Membership{}).Where("member_organisation_id = ? AND id <> ? AND org_admin = ? AND status = ?",
		orgID, membershipID, true, MembershipActive).Count(&n).Error
	return n, err
}

// SetRoles sets a member's roles; approving a pending member is setting
// their roles. An organisation always keeps at least one admin.
func SetRoles(ctx context.Context, db *gorm.DB, a *Actor, orgID, membershipID string, r Roles) error {
	if err := can(a, ManageTeam, Resource{OrganisationID: orgID}); err != nil {
		return err
	}
	if !r.Any() {
		v := &ValidationError{}
		v.Add("roles", "Choose at least one role, or remove the member")
		return v
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		m, err := membershipIn(tx, orgID, membershipID)
		if err != nil {
			return err
		}
		if m.OrgAdmin && !r.OrgAdmin {
			n, err := otherAdmins(tx, orgID, membershipID)
			if err != nil {
				return err
			}
			if n == 0 {
				v := &ValidationError{}
				v.Add("roles", ErrLastAdmin.Error())
				return v
			}
		}
		err = tx.Model(&Membership{}).Where("id = ?", m.ID).Updates(map[string]any{
			"caseworker": r.Caseworker, "responder": r.Responder, "org_admin": r.OrgAdmin,
			"data_protection_lead": r.DataProtectionLead, "status": MembershipActive,
		}).Error
		if err != nil {
			return fmt.Errorf("models: set roles: %w", err)
		}
		return Audit(ctx, tx, AuditEvent{ActorUserID: actorID(a), Action: "membership.roles_changed", SubjectType: "user",
			SubjectID: m.UserID, MemberOrganisationID: &orgID, Detail: strings.Join(r.Names(), ",")})
	})
}

// RemoveMember removes a member from an organisation.
func RemoveMember(ctx context.Context, db *gorm.DB, a *Actor, orgID, membershipID string) error {
	if err := can(a, ManageTeam, Resource{OrganisationID: orgID}); err != nil {
		return err
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		m, err := membershipIn(tx, orgID, membershipID)
		if err != nil {
			return err
		}
		if m.OrgAdmin {
			n, err := otherAdmins(tx, orgID, membershipID)
			if err != nil {
				return err
			}
			if n == 0 {
				v := &ValidationError{}
				v.Add("member", ErrLastAdmin.Error())
				return v
			}
		}
		if err := tx.Delete(&Membership{}, "id = ?", m.ID).Error; err != nil {
			return fmt.Errorf("models: remove member: %w", err)
		}
		return Audit(ctx, tx, AuditEvent{ActorUserID: actorID(a), Action: "membership.removed", SubjectType: "user",
			SubjectID: m.UserID, MemberOrganisationID: &orgID})
	})
}

func newToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Invite creates an invitation for an email address to join an organisation
// with roles. It returns the secret token for the link; only its hash is
// stored.
func Invite(ctx context.Context, db *gorm.DB, a *Actor, orgID, email string, r Roles) (Invitation, string, error) {
	if err := can(a, ManageTeam, Resource{OrganisationID: orgID}); err != nil {
		return Invitation{}, "", err
	}
	email = strings.ToLower(strings.TrimSpace(email))
	v := &ValidationError{}
	if validEmail(email) == "" {
		v.Add("email", "Enter an email address in the correct format, like name@example.org.uk")
	}
	if !r.Any() {
		v.Add("roles", "Choose at least one role")
	}
	if err := v.Err(); err != nil {
		return Invitation{}, "", err
	}
	token := newToken()
	now := Now()
	inv := Invitation{ID: NewID(), MemberOrganisationID: orgID, Email: email, Caseworker: r.Caseworker, Responder: r.Responder,
		OrgAdmin: r.OrgAdmin, TokenHash: HashToken(token), InvitedBy: actorID(a), CreatedAt: now, ExpiresAt: now.Add(InvitationLifetime)}
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&inv).Error; err != nil {
			return err
		}
		return Audit(ctx, tx, AuditEvent{ActorUserID: actorID(a), Action: "invitation.created", SubjectType: "invitation",
			SubjectID: inv.ID, MemberOrganisationID: &orgID, Detail: strings.Join(r.Names(), ",")})
	})
	if err != nil {
		return Invitation{}, "", fmt.Errorf("models: invite: %w", err)
	}
	return inv, token, nil
}

// InvitationByToken returns a usable invitation and its organisation's
// name; a used, expired or unknown token is ErrNotFound.
func InvitationByToken(ctx context.Context, db *gorm.DB, token string) (Invitation, string, error) {
	var rows []struct {
		Invitation
		OrgName string
	}
	err := db.WithContext(ctx).Table("invitations i").Select("i.*, o.name AS org_name").
		Joins("JOIN member_organisations o ON o.id = i.member_organisation_id").
		Where("i.token_hash = ? AND i.used_at IS NULL AND i.expires_at > ?", HashToken(token), Now()).Limit(1).Scan(&rows).Error
	if err != nil {
		return Invitation{}, "", fmt.Errorf("models: invitation: %w", err)
	}
	if len(rows) == 0 {
		return Invitation{}, "", fmt.Errorf("models: invitation: %w", ErrNotFound)
	}
	return rows[0].Invitation, rows[0].OrgName, nil
}

// ErrWrongAccount means an invitation was opened by an account whose email
// is not the one invited.
var ErrWrongAccount = errors.New("invitation is for another email address")

// AcceptInvitation makes the signed-in user a member with the invited
// roles. The invitation works once, before it expires, and only for the
// account whose email was invited, so a forwarded link is useless.
func AcceptInvitation(ctx context.Context, db *gorm.DB, a *Actor, token string) (string, error) {
	if err := can(a, ViewAccount, Resource{}); err != nil {
		return "", err
	}
	var orgID string
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		inv, _, err := InvitationByToken(ctx, tx, token)
		if err != nil {
			return err
		}
		if !strings.EqualFold(inv.Email, a.User.Email) {
			return fmt.Errorf("models: accept invitation %s: %w", inv.ID, ErrWrongAccount)
		}
		now := Now()
		res := tx.Model(&Invitation{}).Where("id = ? AND used_at IS NULL", inv.ID).Updates(map[string]any{"used_at": now, "used_by": a.User.ID})
		if res.Error != nil || res.RowsAffected == 0 {
			return fmt.Errorf("models: accept invitation %s: %w", inv.ID, ErrConflict)
		}
		var existing []Membership
		if err := tx.Where("user_id = ? AND member_organisation_id = ?", a.User.ID, inv.MemberOrganisationID).Find(&existing).Error; err != nil {
			return err
		}
		m := Membership{ID: NewID(), UserID: a.User.ID, MemberOrganisationID: inv.MemberOrganisationID, Caseworker: inv.Caseworker,
			Responder: inv.Responder, OrgAdmin: inv.OrgAdmin, Status: MembershipActive, CreatedAt: now}
		if len(existing) > 0 {
			m = existing[0]
			m.Caseworker, m.Responder, m.OrgAdmin = m.Caseworker || inv.Caseworker, m.Responder || inv.Responder, m.OrgAdmin || inv.OrgAdmin
			m.Status = MembershipActive
		}
		if err := tx.Save(&m).Error; err != nil {
			return err
		}
		orgID = inv.MemberOrganisationID
		return Audit(ctx, tx, AuditEvent{ActorUserID: actorID(a), Action: "invitation.accepted", SubjectType: "invitation",
			SubjectID: inv.ID, MemberOrganisationID: &orgID})
	})
	if err != nil {
		return "", fmt.Errorf("models: accept invitation: %w", err)
	}
	return orgID, nil
}

// UserSummary is a user as the platform admin sees them.
type UserSummary struct {
	User
	Organisations string
}

// ListUsers lists every user, for platform admins.
func ListUsers(ctx context.Context, db *gorm.DB, a *Actor) ([]UserSummary, error) {
	if err := can(a, AdminUsers, Resource{}); err != nil {
		return nil, err
	}
	var users []User
	if err := db.WithContext(ctx).Order("email, name").Find(&users).Error; err != nil {
		return nil, fmt.Errorf("models: list users: %w", err)
	}
	var ms []struct{ UserID, Name string }
	if err := db.WithContext(ctx).Table("memberships m").Select("m.user_id, o.name").
		Joins("JOIN member_organisations o ON o.id = m.member_organisation_id").Order("o.name").Scan(&ms).Error; err != nil {
		return nil, fmt.Errorf("models: list users: %w", err)
	}
	orgs := map[string][]string{}
	for _, m := range ms {
		orgs[m.UserID] = append(orgs[m.UserID], m.Name)
	}
	out := make([]UserSummary, len(users))
	for i, u := range users {
		out[i] = UserSummary{User: u, Organisations: strings.Join(orgs[u.ID], ", ")}
	}
	return out, nil
}

// SetSuspended suspends or restores a user's account. A suspended user is
// refused on their next request. Platform admins cannot suspend themselves.
func SetSuspended(ctx context.Context, db *gorm.DB, a *Actor, userID string, suspend bool) error {
	if err := can(a, AdminUsers, Resource{}); err != nil {
		return err
	}
	if suspend && a.User.ID == userID {
		v := &ValidationError{}
		v.Add("user", "You cannot suspend your own account")
		return v
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var at any
		action := "user.restored"
		if suspend {
			at, action = Now(), "user.suspended"
		}
		res := tx.Model(&User{}).Where("id = ?", userID).Update("suspended_at", at)
		if res.Error != nil {
			return fmt.Errorf("models: suspend user: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("models: user %s: %w", userID, ErrNotFound)
		}
		return Audit(ctx, tx, AuditEvent{ActorUserID: actorID(a), Action: action, SubjectType: "user", SubjectID: userID})
	})
}

// PendingRequests names the organisations an actor asked for that still
// await a platform admin.
func PendingRequests(ctx context.Context, db *gorm.DB, a *Actor) ([]string, error) {
	if err := can(a, ViewAccount, Resource{}); err != nil {
		return nil, err
	}
	var names []string
	err := db.WithContext(ctx).Model(&MemberOrganisation{}).Where("requested_by = ? AND status = ?", a.User.ID, OrgPending).
		Order("name").Pluck("name", &names).Error
	if err != nil {
		return nil, fmt.Errorf("models: pending requests: %w", err)
	}
	return names, nil
}

// DirectoryOrganisation names an HSDS organization.
type DirectoryOrganisation struct{ ID, Name string }

// DirectoryOrganisations lists the HSDS organizations by name, for linking.
func DirectoryOrganisations(ctx context.Context, db *gorm.DB) ([]DirectoryOrganisation, error) {
	var out []DirectoryOrganisation
	if err := db.WithContext(ctx).Model(&Organization{}).Select("id, name").Order("name").Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("models: directory organisations: %w", err)
	}
	return out, nil
}

// domainShape is a DNS name of at least two labels.
var domainShape = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)

// AddEmailDomain records that an organisation owns an email domain, once a
// platform admin has checked it (for example by a DNS record or a letter on
// headed paper): people who sign in with a provider-verified address there
// then join the organisation as pending members. Shared domains are refused.
func AddEmailDomain(ctx context.Context, db *gorm.DB, a *Actor, orgID, domain string) error {
	if err := can(a, AdminOrganisations, Resource{}); err != nil {
		return err
	}
	domain = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(domain), "@")))
	v := &ValidationError{}
	switch {
	case !domainShape.MatchString(domain):
		v.Add("domain", "Enter a domain like example.org.uk")
	case IsSharedDomain(domain):
		v.Add("domain", domain+" is shared by many unrelated people, so no organisation can claim it")
	}
	if err := v.Err(); err != nil {
		return err
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var orgs int64
		if err := tx.Model(&MemberOrganisation{}).Where("id = ?", orgID).Count(&orgs).Error; err != nil {
			return err
		}
		if orgs == 0 {
			return fmt.Errorf("models: organisation %s: %w", orgID, ErrNotFound)
		}
		var existing []EmailDomain
		if err := tx.Where("domain = ?", domain).Find(&existing).Error; err != nil {
			return err
		}
		if len(existing) > 0 {
			v.Add("domain", domain+" is already claimed")
			return v
		}
		d := EmailDomain{Domain: domain, MemberOrganisationID: orgID, VerifiedAt: Now(), VerifiedBy: actorID(a)}
		if err := tx.Create(&d).Error; err != nil {
			return fmt.Errorf("models: add email domain: %w", err)
		}
		return Audit(ctx, tx, AuditEvent{ActorUserID: actorID(a), Action: "organisation.domain_added", SubjectType: "member_organisation",
			SubjectID: orgID, MemberOrganisationID: &orgID, Detail: domain})
	})
}

// RemoveEmailDomain withdraws an organisation's claim to a domain.
func RemoveEmailDomain(ctx context.Context, db *gorm.DB, a *Actor, orgID, domain string) error {
	if err := can(a, AdminOrganisations, Resource{}); err != nil {
		return err
	}
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Where("domain = ? AND member_organisation_id = ?", strings.ToLower(strings.TrimSpace(domain)), orgID).Delete(&EmailDomain{})
		if res.Error != nil {
			return fmt.Errorf("models: remove email domain: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("models: email domain %s of %s: %w", domain, orgID, ErrNotFound)
		}
		return Audit(ctx, tx, AuditEvent{ActorUserID: actorID(a), Action: "organisation.domain_removed", SubjectType: "member_organisation",
			SubjectID: orgID, MemberOrganisationID: &orgID, Detail: domain})
	})
}

// EmailDomainsByOrganisation lists the claimed domains of every organisation.
func EmailDomainsByOrganisation(ctx context.Context, db *gorm.DB, a *Actor) (map[string][]string, error) {
	if err := can(a, AdminOrganisations, Resource{}); err != nil {
		return nil, err
	}
	var ds []EmailDomain
	if err := db.WithContext(ctx).Order("domain").Find(&ds).Error; err != nil {
		return nil, fmt.Errorf("models: email domains: %w", err)
	}
	out := map[string][]string{}
	for _, d := range ds {
		out[d.MemberOrganisationID] = append(out[d.MemberOrganisationID], d.Domain)
	}
	return out, nil
}
