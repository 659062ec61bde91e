package models

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Referral is one referral's row. The person's details are in
// PersonSealed, never in a plain column.
type Referral struct {
	ID                      string     `gorm:"column:id;primaryKey"`
	Reference               string     `gorm:"column:reference;not null"`
	ServiceID               string     `gorm:"column:service_id;not null"`
	ServiceName             string     `gorm:"column:service_name;not null"`
	ReceivingOrganisationID string     `gorm:"column:receiving_organisation_id;not null"`
	ReferringOrganisationID string     `gorm:"column:referring_organisation_id;not null"`
	ReferrerUserID          *string    `gorm:"column:referrer_user_id"`
	AssignedUserID          *string    `gorm:"column:assigned_user_id"`
	Status                  Status     `gorm:"column:status;not null"`
	Version                 int        `gorm:"column:version;not null"`
	Urgency                 string     `gorm:"column:urgency;not null"`
	LawfulBasis             string     `gorm:"column:lawful_basis;not null"`
	PersonAgreed            bool       `gorm:"column:person_agreed;not null"`
	AgreementMethod         string     `gorm:"column:agreement_method;not null"`
	AgreedOn                *time.Time `gorm:"column:agreed_on"`
	HadCapacity             bool       `gorm:"column:had_capacity;not null"`
	Under16                 bool       `gorm:"column:under_16;not null"`
	KeyID                   string     `gorm:"column:key_id;not null"`
	PersonSealed            []byte     `gorm:"column:person_sealed;not null"`
	PersonHash              string     `gorm:"column:person_hash;not null"`
	CreatedAt               time.Time  `gorm:"column:created_at;not null"`
	UpdatedAt               time.Time  `gorm:"column:updated_at;not null"`
	DueAt                   time.Time  `gorm:"column:due_at;not null"`
	ReceivedAt              *time.Time `gorm:"column:received_at"`
	RespondedAt             *time.Time `gorm:"column:responded_at"`
	ClosedAt                *time.Time `gorm:"column:closed_at"`
	AnonymisedAt            *time.Time `gorm:"column:anonymised_at"`

	// serviceResponders are the service's named responders (memberships),
	// read with the referral for the policy.
	serviceResponders []string `gorm:"-"`
}

// TableName implements gorm's Tabler.
func (Referral) TableName() string { return "referrals" }

// resource is the referral as the policy sees it; load fills in the
// service's named responders.
func (r Referral) resource() Resource {
	return Resource{ReferringOrganisationID: r.ReferringOrganisationID, ReceivingOrganisationID: r.ReceivingOrganisationID,
		ServiceResponders: r.serviceResponders}
}

// Overdue reports whether the receiving side has not responded in time.
func (r Referral) Overdue(now time.Time) bool {
	return (r.Status == StatusSent || r.Status == StatusReceived) && now.After(r.DueAt)
}

// Event kinds.
const (
	EventStatus     = "status"
	EventAssigned   = "assigned"
	EventCorrected  = "corrected"
	EventAnonymised = "anonymised"
)

// ReferralEvent is one entry of a referral's history.
type ReferralEvent struct {
	ID                 string    `gorm:"column:id;primaryKey"`
	ReferralID         string    `gorm:"column:referral_id;not null"`
	At                 time.Time `gorm:"column:at;not null"`
	UserID             *string   `gorm:"column:user_id"`
	Side               string    `gorm:"column:side;not null"`
	Kind               string    `gorm:"column:kind;not null"`
	FromStatus         Status    `gorm:"column:from_status;not null"`
	ToStatus           Status    `gorm:"column:to_status;not null"`
	ReasonCode         string    `gorm:"column:reason_code;not null"`
	SuggestedServiceID *string   `gorm:"column:suggested_service_id"`
	AssignedUserID     *string   `gorm:"column:assigned_user_id"`
	KeyID              string    `gorm:"column:key_id;not null"`
	ReasonSealed       []byte    `gorm:"column:reason_sealed"`
}

// TableName implements gorm's Tabler.
func (ReferralEvent) TableName() string { return "referral_events" }

// ReferralNote is a note one side wrote for the other.
type ReferralNote struct {
	ID         string    `gorm:"column:id;primaryKey"`
	ReferralID string    `gorm:"column:referral_id;not null"`
	At         time.Time `gorm:"column:at;not null"`
	UserID     *string   `gorm:"column:user_id"`
	Side       string    `gorm:"column:side;not null"`
	KeyID      string    `gorm:"column:key_id;not null"`
	BodySealed []byte    `gorm:"column:body_sealed;not null"`
}

// TableName implements gorm's Tabler.
func (ReferralNote) TableName() string { return "referral_notes" }

// Access log actions.
const (
	AccessView   = "view"
	AccessPrint  = "print"
	AccessExport = "export"
)

// ReferralAccess records one look at a referral's personal data.
type ReferralAccess struct {
	ID                   string    `gorm:"column:id;primaryKey"`
	ReferralID           string    `gorm:"column:referral_id;not null"`
	At                   time.Time `gorm:"column:at;not null"`
	UserID               *string   `gorm:"column:user_id"`
	MemberOrganisationID *string   `gorm:"column:member_organisation_id"`
	Action               string    `gorm:"column:action;not null"`
}

// TableName implements gorm's Tabler.
func (ReferralAccess) TableName() string { return "referral_access_log" }

// ReferralTables lists the referral models, for schema checks.
func ReferralTables() []any {
	return []any{&Referral{}, &ReferralEvent{}, &ReferralNote{}, &ReferralAccess{}}
}

// DefaultResponseTargetDays is the response target of a service that sets
// none.
const DefaultResponseTargetDays = 5

// Referrals is the referral use cases and what they need: the database,
// the keys that seal personal data, the job queue for notifications and
// the working-day calendar for response targets.
type Referrals struct {
	DB       *gorm.DB
	Keys     *Keyring
	Jobs     *Jobs
	Workdays *Workdays
	// Clock says when a referral is sent (its due time counts from it);
	// Now when nil. Tests set it to send on a chosen day.
	Clock func() time.Time
}

// ReferralTarget is a service as a destination for referrals.
type ReferralTarget struct {
	ServiceID               string
	ServiceName             string
	OrganizationName        string
	ReceivingOrganisationID string
	ResponseTargetDays      int
	// BankHolidays is the nation whose bank holidays the response target
	// skips; empty for the deployment's (Referrals.Workdays).
	BankHolidays     string
	CapacityStatus   CapacityStatus
	Responders       int64
	AcceptsReferrals bool
}

// Referable reports whether caseworkers can refer to the service: it
// accepts referrals and someone is there to respond.
func (t ReferralTarget) Referable() bool {
	return t.AcceptsReferrals && t.ReceivingOrganisationID != "" && t.Responders > 0
}

// Target returns a published service as a destination for referrals.
func (r *Referrals) Target(ctx context.Context, serviceID string) (ReferralTarget, error) {
	return referralTarget(ctx, r.DB, serviceID)
}

func referralTarget(ctx context.Context, db *gorm.DB, serviceID string) (ReferralTarget, error) {
	var rows []struct {
		ID, Name, OrgName, MemberOrgID string
		AcceptsReferrals               bool
		ResponseTargetDays             int
		CapacityStatus                 CapacityStatus
		BankHolidays                   string
	}
	err := db.WithContext(ctx).Table("services s").
		Select("s.id, s.name, o.name AS org_name, COALESCE(mo.id, '') AS member_org_id, s.accepts_referrals, s.response_target_days, s.capacity_status, s.bank_holidays").
		Joins("JOIN organizations o ON o.id = s.organization_id").
		Joins("LEFT JOIN member_organisations mo ON mo.hsds_organization_id = o.id AND mo.status = ?", OrgApproved).
		Where("s.id = ? AND s.visibility = ?", serviceID, Published).Limit(1).Scan(&rows).Error
	if err != nil {
		return ReferralTarget{}, fmt.Errorf("models: referral target: %w", err)
	}
	if len(rows) == 0 {
		return ReferralTarget{}, fmt.Errorf("models: referral target %s: %w", serviceID, ErrNotFound)
	}
	row := rows[0]
	t := ReferralTarget{ServiceID: row.ID, ServiceName: row.Name, OrganizationName: row.OrgName,
		ReceivingOrganisationID: row.MemberOrgID, ResponseTargetDays: row.ResponseTargetDays,
		CapacityStatus: row.CapacityStatus, AcceptsReferrals: row.AcceptsReferrals, BankHolidays: row.BankHolidays}
	if t.ResponseTargetDays <= 0 {
		t.ResponseTargetDays = DefaultResponseTargetDays
	}
	if t.ReceivingOrganisationID != "" {
		err := serviceResponders(db.WithContext(ctx), t.ReceivingOrganisationID, t.ServiceID).Count(&t.Responders).Error
		if err != nil {
			return ReferralTarget{}, fmt.Errorf("models: referral target: %w", err)
		}
	}
	return t, nil
}

// The role columns of memberships that activeMembers selects by.
const (
	roleCaseworker = "caseworker"
	roleResponder  = "responder"
	roleOrgAdmin   = "org_admin"
)

// activeMembers selects the members of an organisation who hold a role
// (one of the role columns above), are active and are not suspended.
func activeMembers(db *gorm.DB, orgID, role string) *gorm.DB {
	return db.Table("memberships m").Joins("JOIN users u ON u.id = m.user_id").
		Where("m.member_organisation_id = ? AND m."+role+" = ? AND m.status = ? AND u.suspended_at IS NULL",
			orgID, true, MembershipActive)
}

// activeResponders selects the users who can respond for an organisation.
func activeResponders(db *gorm.DB, orgID string) *gorm.DB {
	return activeMembers(db, orgID, roleResponder)
}

// activeCaseworkers selects the caseworkers of an organisation.
func activeCaseworkers(db *gorm.DB, orgID string) *gorm.DB {
	return activeMembers(db, orgID, roleCaseworker)
}

// activeNamedResponders selects the memberships named to respond for a
// service (?) that can respond now: still responders, active, not
// suspended. A service whose named responders have all gone is answered by
// the whole organisation again, so that no referral is left unseen.
const activeNamedResponders = `SELECT sr.membership_id ` + namedRespondersNow + ` AND sr.service_id = ?`

// namedRespondersNow is the one rule for which named responders can
// respond now, shared by activeNamedResponders and activeNamedFor.
const namedRespondersNow = `FROM service_responders sr
	JOIN memberships nm ON nm.id = sr.membership_id JOIN users nu ON nu.id = nm.user_id
	WHERE nm.responder = TRUE AND nm.status = 'active' AND nu.suspended_at IS NULL`

// serviceResponders selects who responds for a service: its active named
// responders when it has any, otherwise every responder of the
// organisation.
func serviceResponders(db *gorm.DB, orgID, serviceID string) *gorm.DB {
	return activeResponders(db, orgID).Where(
		"(NOT EXISTS ("+activeNamedResponders+") OR m.id IN ("+activeNamedResponders+"))", serviceID, serviceID)
}

// referenceAlphabet leaves out letters and digits that are read or heard
// as each other (0/O, 1/I/L, 5/S, 2/Z, U/V), so a reference read down a
// phone line arrives intact.
const referenceAlphabet = "346789ABCDEFGHJKMNPQRTWXY"

// newReference returns a reference like R-7KQ2-9M: six random characters
// (about 244 million), not derived from any id, so it says nothing about
// how many referrals exist and cannot be guessed from another.
func newReference() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	out := make([]byte, 6)
	for i := range b {
		out[i] = referenceAlphabet[int(b[i])%len(referenceAlphabet)]
	}
	return "R-" + string(out[:4]) + "-" + string(out[4:])
}

// NormaliseReference tidies a typed reference: case, spaces and a missing
// R- or dash.
func NormaliseReference(s string) string {
	s = strings.ToUpper(strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '-' }), ""))
	s = strings.TrimPrefix(s, "R")
	if len(s) != 6 {
		return ""
	}
	for _, r := range s {
		if !strings.ContainsRune(referenceAlphabet, r) {
			return ""
		}
	}
	return "R-" + s[:4] + "-" + s[4:]
}

// memberships lists the actor's active memberships that pass keep.
func (a *Actor) memberships(keep func(Roles) bool) []ActorMembership {
	if a == nil {
		return nil
	}
	var out []ActorMembership
	for _, m := range a.Memberships {
		if !m.Pending && keep(m.Roles) {
			out = append(out, m)
		}
	}
	return out
}

func orgIDs(ms []ActorMembership) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.OrganisationID
	}
	return out
}

// caseworkerOrgs and responderOrgs list the actor's organisations where
// they hold each role.
func (a *Actor) caseworkerOrgs() []string {
	return orgIDs(a.memberships(func(r Roles) bool { return r.Caseworker }))
}

func (a *Actor) responderOrgs() []string {
	return orgIDs(a.memberships(func(r Roles) bool { return r.Responder }))
}

// ReferringOrganisations lists the organisations the actor may refer for.
func (a *Actor) ReferringOrganisations() []ActorMembership {
	return a.memberships(func(r Roles) bool { return r.Caseworker })
}

func (r *Referrals) seal(plain []byte, associated string) (string, []byte) {
	return r.Keys.Seal(plain, associated)
}

// personAD binds a sealed person to its referral row.
func personAD(referralID string) string { return "referral:" + referralID + ":person" }

func eventAD(eventID string) string { return "referral_event:" + eventID + ":reason" }

func noteAD(noteID string) string { return "referral_note:" + noteID + ":body" }

// Create sends a referral: the form is checked in full, the person's
// details sealed, and the receiving organisation notified, all or nothing.
func (r *Referrals) Create(ctx context.Context, a *Actor, serviceID, fromOrgID string, f ReferralForm) (Referral, error) {
	if r.Keys == nil {
		return Referral{}, fmt.Errorf("models: create referral: %w", ErrNoKey)
	}
	if err := can(a, ReferPerson, Resource{OrganisationID: fromOrgID}); err != nil {
		return Referral{}, err
	}
	f.Trim()
	now := Now()
	if r.Clock != nil {
		now = r.Clock().UTC().Truncate(time.Millisecond)
	}
	if err := f.ValidateStep(StepCheck, now).Err(); err != nil {
		return Referral{}, err
	}
	target, err := r.Target(ctx, serviceID)
	if err != nil {
		return Referral{}, err
	}
	if !target.Referable() {
		v := &ValidationError{}
		v.Add("service", "This service is not taking referrals through the platform at the moment")
		return Referral{}, v
	}
	p := f.person()
	plain, err := json.Marshal(p)
	if err != nil {
		return Referral{}, fmt.Errorf("models: create referral: %w", err)
	}
	id := uuid.NewString()
	keyID, sealed := r.seal(plain, personAD(id))
	agreedOn, agreed := f.AgreedOn()
	ref := Referral{
		ID: id, ServiceID: target.ServiceID, ServiceName: target.ServiceName,
		ReceivingOrganisationID: target.ReceivingOrganisationID, ReferringOrganisationID: fromOrgID,
		ReferrerUserID: actorID(a), Status: StatusSent, Version: 1, Urgency: f.Urgency,
		LawfulBasis: f.LawfulBasis, PersonAgreed: f.PersonAgreed == "yes", AgreementMethod: f.AgreementMethod,
		HadCapacity: f.HadCapacity == "yes", Under16: f.Under16 == "yes",
		KeyID: keyID, PersonSealed: sealed,
		PersonHash: r.Keys.lookupHash(keyID, personLookupValue(p.GivenName, p.FamilyName, p.DateOfBirth)),
		CreatedAt:  now, UpdatedAt: now, DueAt: r.DueAt(now, target),
	}
	if agreed && ref.PersonAgreed {
		ref.AgreedOn = &agreedOn
	} else {
		ref.AgreementMethod = ""
	}
	err = r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for range 10 {
			ref.Reference = newReference()
			var n int64
			if err := tx.Model(&Referral{}).Where("reference = ?", ref.Reference).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				break
			}
		}
		if err := tx.Create(&ref).Error; err != nil {
			return err
		}
		ev := ReferralEvent{ID: uuid.NewString(), ReferralID: id, At: now, UserID: actorID(a), Side: string(Referrer),
			Kind: EventStatus, ToStatus: StatusSent}
		if err := tx.Create(&ev).Error; err != nil {
			return err
		}
		return r.Jobs.enqueueTx(ctx, tx, NotifyArgs{ReferralID: id, What: NotifyCreated}, nil)
	})
	if err != nil {
		return Referral{}, fmt.Errorf("models: create referral: %w", err)
	}
	return ref, nil
}

// DueAt is when a referral sent to t at from should be answered: its
// response target in working days, skipping the bank holidays of the
// service's nation, or the deployment's when it names none.
func (r *Referrals) DueAt(from time.Time, t ReferralTarget) time.Time {
	w := r.Workdays
	if t.BankHolidays != "" {
		// The form accepts only the nations WorkdaysOf knows; a value
		// written some other way falls back to the platform's calendar.
		if own, err := WorkdaysOf(t.BankHolidays); err == nil {
			w = own
		}
	}
	if w == nil {
		return from.AddDate(0, 0, t.ResponseTargetDays)
	}
	return w.Add(from, t.ResponseTargetDays)
}

// OpenDuplicates counts the open referrals of the same person (by name and
// date of birth) to the same service from the actor's own organisations: a
// warning, never a refusal.
func (r *Referrals) OpenDuplicates(ctx context.Context, a *Actor, serviceID string, f ReferralForm) (int64, error) {
	if !Can(a, ListReferrals, Resource{}) || r.Keys == nil {
		return 0, nil
	}
	f.Trim()
	dob, ok := f.DateOfBirth()
	if !ok {
		return 0, nil
	}
	hashes := r.Keys.LookupHashes(personLookupValue(f.GivenName, f.FamilyName, dob.Format(time.DateOnly)))
	var n int64
	// Only the actor's own organisations' referrals count: saying whether
	// another organisation has referred this person would tell a
	// caseworker what only that organisation may know.
	err := r.DB.WithContext(ctx).Model(&Referral{}).
		Where("service_id = ? AND person_hash IN ? AND status NOT IN ? AND referring_organisation_id IN ?",
			serviceID, hashes, FinalStatuses, orNoID(a.caseworkerOrgs())).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("models: duplicate referrals: %w", err)
	}
	return n, nil
}

// load finds a referral by reference that the actor may see. Any other
// referral, existing or not, is ErrNotFound: saying "forbidden" would
// confirm that the reference exists.
func (r *Referrals) load(tx *gorm.DB, a *Actor, reference string) (Referral, error) {
	ref := NormaliseReference(reference)
	var rows []Referral
	if ref != "" {
		if err := tx.Where("reference = ?", ref).Limit(1).Find(&rows).Error; err != nil {
			return Referral{}, fmt.Errorf("models: load referral: %w", err)
		}
	}
	if len(rows) == 0 {
		return Referral{}, fmt.Errorf("models: referral: %w", ErrNotFound)
	}
	if err := tx.Raw(activeNamedResponders, rows[0].ServiceID).Scan(&rows[0].serviceResponders).Error; err != nil {
		return Referral{}, fmt.Errorf("models: load referral: %w", err)
	}
	if !Can(a, ViewReferral, rows[0].resource()) {
		return Referral{}, fmt.Errorf("models: referral: %w", ErrNotFound)
	}
	return rows[0], nil
}

// sideOf says which side the actor acts for on a referral; a member of an
// organisation that refers to its own service acts for the receiving side
// where it holds the responder role.
func sideOf(a *Actor, ref Referral) Side {
	if Can(a, ActAsResponder, ref.resource()) {
		return Responder
	}
	return Referrer
}

// logAccess records a look at personal data.
func logAccess(tx *gorm.DB, a *Actor, ref Referral, action string, now time.Time) error {
	var org *string
	for _, id := range []string{ref.ReferringOrganisationID, ref.ReceivingOrganisationID} {
		if _, ok := a.Membership(id); ok {
			org = &id
			break
		}
	}
	return tx.Create(&ReferralAccess{ID: uuid.NewString(), ReferralID: ref.ID, At: now, UserID: actorID(a),
		MemberOrganisationID: org, Action: action}).Error
}

// ReferralView is one referral as a page shows it to someone allowed to
// see it.
type ReferralView struct {
	Referral
	Person                    Person
	ReferringOrganisationName string
	ReceivingOrganisationName string
	ReferrerName              string
	AssignedName              string
	History                   []HistoryEntry
	Notes                     []NoteEntry
	// AsReferrer and AsResponder say which sides the viewer acts for.
	AsReferrer, AsResponder bool
	// Moves are the statuses the viewer may move the referral to now.
	Moves []Status
	// Responders are who the referral can be assigned to, for responders.
	Responders []UserChoice
	// Caseworkers are who can take the referral over on the referring
	// side, for its caseworkers.
	Caseworkers []UserChoice
	Overdue     bool
}

// HistoryEntry is one event as people read it.
type HistoryEntry struct {
	At                 time.Time
	Who                string
	Side               string
	Kind               string
	From, To           Status
	ReasonCode         string
	ReasonLabel        string
	ReasonText         string
	SuggestedService   string
	SuggestedServiceID string
	AssignedTo         string
}

// NoteEntry is one note as people read it.
type NoteEntry struct {
	At   time.Time
	Who  string
	Side string
	Body string
}

// UserChoice is a user offered in a list.
type UserChoice struct{ ID, Name string }

// Open shows a referral to someone allowed to see it, recording the look
// in the access log. A responder's first look moves a sent referral to
// received and tells the referrer.
func (r *Referrals) Open(ctx context.Context, a *Actor, reference, access string) (ReferralView, error) {
	if r.Keys == nil {
		return ReferralView{}, fmt.Errorf("models: open referral: %w", ErrNoKey)
	}
	var ref Referral
	now := Now()
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		if ref, err = r.load(tx, a, reference); err != nil {
			return err
		}
		if err := logAccess(tx, a, ref, access, now); err != nil {
			return err
		}
		if ref.Status != StatusSent || !Can(a, ActAsResponder, ref.resource()) {
			return nil
		}
		res := tx.Model(&Referral{}).Where("id = ? AND version = ?", ref.ID, ref.Version).
			Updates(map[string]any{"status": StatusReceived, "version": ref.Version + 1, "updated_at": now, "received_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return nil // someone else moved it first; show what they did
		}
		ev := ReferralEvent{ID: uuid.NewString(), ReferralID: ref.ID, At: now, UserID: actorID(a), Side: string(Responder),
			Kind: EventStatus, FromStatus: StatusSent, ToStatus: StatusReceived}
		if err := tx.Create(&ev).Error; err != nil {
			return err
		}
		return r.Jobs.enqueueTx(ctx, tx, NotifyArgs{ReferralID: ref.ID, What: NotifyStatus, EventID: ev.ID}, nil)
	})
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return ReferralView{}, err
		}
		return ReferralView{}, fmt.Errorf("models: open referral: %w", err)
	}
	return r.view(ctx, a, ref.ID, ref.serviceResponders)
}

// view assembles a referral page; the caller has checked access.
func (r *Referrals) view(ctx context.Context, a *Actor, id string, named []string) (ReferralView, error) {
	db := r.DB.WithContext(ctx)
	var ref Referral
	if err := db.Where("id = ?", id).Take(&ref).Error; err != nil {
		return ReferralView{}, fmt.Errorf("models: referral view: %w", err)
	}
	ref.serviceResponders = named
	v := ReferralView{Referral: ref, Overdue: ref.Overdue(Now())}
	if ref.AnonymisedAt == nil {
		plain, err := r.Keys.Open(ref.KeyID, ref.PersonSealed, personAD(ref.ID))
		if err != nil {
			return ReferralView{}, err
		}
		if err := json.Unmarshal(plain, &v.Person); err != nil {
			return ReferralView{}, fmt.Errorf("models: referral view: %w", err)
		}
	}
	var events []ReferralEvent
	if err := db.Where("referral_id = ?", id).Order("at, id").Find(&events).Error; err != nil {
		return ReferralView{}, fmt.Errorf("models: referral history: %w", err)
	}
	var notes []ReferralNote
	if err := db.Where("referral_id = ?", id).Order("at, id").Find(&notes).Error; err != nil {
		return ReferralView{}, fmt.Errorf("models: referral notes: %w", err)
	}
	var userIDs []*string
	for _, e := range events {
		userIDs = append(userIDs, e.UserID, e.AssignedUserID)
	}
	for _, n := range notes {
		userIDs = append(userIDs, n.UserID)
	}
	names, err := namesOf(db, ref, userIDs)
	if err != nil {
		return ReferralView{}, err
	}
	v.ReferringOrganisationName = names.orgs[ref.ReferringOrganisationID]
	v.ReceivingOrganisationName = names.orgs[ref.ReceivingOrganisationID]
	v.ReferrerName = names.user(ref.ReferrerUserID)
	v.AssignedName = names.user(ref.AssignedUserID)
	var suggested []string
	for _, e := range events {
		if e.SuggestedServiceID != nil {
			suggested = append(suggested, *e.SuggestedServiceID)
		}
	}
	serviceNames := map[string]string{}
	if len(suggested) > 0 {
		var rows []struct{ ID, Name string }
		if err := db.Table("services").Select("id, name").Where("id IN ?", suggested).Scan(&rows).Error; err != nil {
			return ReferralView{}, fmt.Errorf("models: referral history: %w", err)
		}
		for _, row := range rows {
			serviceNames[row.ID] = row.Name
		}
	}
	for _, e := range events {
		h := HistoryEntry{At: e.At, Who: names.user(e.UserID), Side: e.Side, Kind: e.Kind, From: e.FromStatus, To: e.ToStatus,
			ReasonCode: e.ReasonCode, ReasonLabel: Label(Reasons[e.ToStatus], e.ReasonCode), AssignedTo: names.user(e.AssignedUserID)}
		if e.SuggestedServiceID != nil {
			h.SuggestedServiceID = *e.SuggestedServiceID
			h.SuggestedService = serviceNames[*e.SuggestedServiceID]
		}
		if len(e.ReasonSealed) > 0 {
			text, err := r.Keys.Open(e.KeyID, e.ReasonSealed, eventAD(e.ID))
			if err != nil {
				return ReferralView{}, err
			}
			h.ReasonText = string(text)
		}
		v.History = append(v.History, h)
	}
	for _, n := range notes {
		if len(n.BodySealed) == 0 {
			v.Notes = append(v.Notes, NoteEntry{At: n.At, Who: names.user(n.UserID), Side: n.Side, Body: "(This note was erased.)"})
			continue
		}
		body, err := r.Keys.Open(n.KeyID, n.BodySealed, noteAD(n.ID))
		if err != nil {
			return ReferralView{}, err
		}
		v.Notes = append(v.Notes, NoteEntry{At: n.At, Who: names.user(n.UserID), Side: n.Side, Body: string(body)})
	}
	v.AsReferrer = Can(a, ActAsReferrer, ref.resource())
	v.AsResponder = Can(a, ActAsResponder, ref.resource())
	for _, t := range Lifecycle {
		if t.From != ref.Status || ref.AnonymisedAt != nil {
			continue
		}
		if (t.By == Referrer && v.AsReferrer) || (t.By == Responder && v.AsResponder) {
			if t.To != StatusReceived { // receiving happens by opening
				v.Moves = append(v.Moves, t.To)
			}
		}
	}
	if v.AsReferrer && !IsFinal(ref.Status) {
		var cs []UserChoice
		if err := activeCaseworkers(db, ref.ReferringOrganisationID).Select("u.id, u.name").Order("u.name").Scan(&cs).Error; err != nil {
			return ReferralView{}, fmt.Errorf("models: referral caseworkers: %w", err)
		}
		v.Caseworkers = cs
	}
	if v.AsResponder && !IsFinal(ref.Status) {
		var rs []UserChoice
		if err := serviceResponders(db, ref.ReceivingOrganisationID, ref.ServiceID).Select("u.id, u.name").Order("u.name").Scan(&rs).Error; err != nil {
			return ReferralView{}, fmt.Errorf("models: referral responders: %w", err)
		}
		v.Responders = rs
	}
	return v, nil
}

type nameBook struct {
	orgs  map[string]string
	users map[string]string
}

func (n nameBook) user(id *string) string {
	if id == nil {
		return ""
	}
	if name, ok := n.users[*id]; ok {
		return name
	}
	return "A former user"
}

// namesOf reads the names of the organisations and users a referral's page
// mentions, in two queries.
func namesOf(db *gorm.DB, ref Referral, userIDs []*string) (nameBook, error) {
	book := nameBook{orgs: map[string]string{}, users: map[string]string{}}
	var orgs []struct{ ID, Name string }
	if err := db.Table("member_organisations").Select("id, name").
		Where("id IN ?", []string{ref.ReferringOrganisationID, ref.ReceivingOrganisationID}).Scan(&orgs).Error; err != nil {
		return book, fmt.Errorf("models: referral names: %w", err)
	}
	for _, o := range orgs {
		book.orgs[o.ID] = o.Name
	}
	ids := []string{""}
	for _, id := range append(userIDs, ref.ReferrerUserID, ref.AssignedUserID) {
		if id != nil {
			ids = append(ids, *id)
		}
	}
	var users []User
	if err := db.Where("id IN ?", ids).Find(&users).Error; err != nil {
		return book, fmt.Errorf("models: referral names: %w", err)
	}
	for _, u := range users {
		book.users[u.ID] = u.DisplayName()
	}
	return book, nil
}

// MoveInput is a request to move a referral to another status.
type MoveInput struct {
	To Status
	// Version is the version the person saw; if the referral has changed
	// since, the move is refused with ErrConflict and nothing is lost.
	Version            int
	ReasonCode         string
	ReasonText         string
	SuggestedServiceID string
}

// Move changes a referral's status, as the lifecycle table allows, for
// the side the actor acts for.
func (r *Referrals) Move(ctx context.Context, a *Actor, reference string, in MoveInput) error {
	in.ReasonText = strings.TrimSpace(strings.ToValidUTF8(in.ReasonText, "\uFFFD"))
	now := Now()
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		ref, err := r.load(tx, a, reference)
		if err != nil {
			return err
		}
		if ref.AnonymisedAt != nil {
			return fmt.Errorf("referral %s is anonymised: %w", ref.Reference, ErrInvalidTransition)
		}
		if in.Version != ref.Version {
			return fmt.Errorf("referral %s at version %d, not %d: %w", ref.Reference, ref.Version, in.Version, ErrConflict)
		}
		t, ok := FindTransition(ref.Status, in.To)
		if !ok || in.To == StatusReceived {
			return fmt.Errorf("referral %s from %s to %s: %w", ref.Reference, ref.Status, in.To, ErrInvalidTransition)
		}
		action := ActAsResponder
		if t.By == Referrer {
			action = ActAsReferrer
		}
		if err := can(a, action, ref.resource()); err != nil {
			return err
		}
		if err := r.checkReason(tx, t, in); err != nil {
			return err
		}
		updates := map[string]any{"status": in.To, "version": ref.Version + 1, "updated_at": now}
		if (in.To == StatusAccepted || in.To == StatusDeclined) && ref.RespondedAt == nil {
			updates["responded_at"] = now
		}
		if IsFinal(in.To) {
			updates["closed_at"] = now
		}
		res := tx.Model(&Referral{}).Where("id = ? AND version = ?", ref.ID, ref.Version).Updates(updates)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("referral %s changed meanwhile: %w", ref.Reference, ErrConflict)
		}
		ev := ReferralEvent{ID: uuid.NewString(), ReferralID: ref.ID, At: now, UserID: actorID(a), Side: string(t.By),
			Kind: EventStatus, FromStatus: ref.Status, ToStatus: in.To, ReasonCode: in.ReasonCode}
		if in.SuggestedServiceID != "" {
			ev.SuggestedServiceID = &in.SuggestedServiceID
		}
		if in.ReasonText != "" {
			ev.KeyID, ev.ReasonSealed = r.seal([]byte(in.ReasonText), eventAD(ev.ID))
		}
		if err := tx.Create(&ev).Error; err != nil {
			return err
		}
		return r.Jobs.enqueueTx(ctx, tx, NotifyArgs{ReferralID: ref.ID, What: NotifyStatus, EventID: ev.ID}, nil)
	})
	if err != nil {
		return wrapReferralErr("move referral", err)
	}
	return nil
}

// wrapReferralErr keeps the sentinels (and validation errors) visible to
// errors.Is and errors.As.
func wrapReferralErr(what string, err error) error {
	return fmt.Errorf("models: %s: %w", what, err)
}

// checkReason enforces the reason rules of a move.
func (r *Referrals) checkReason(tx *gorm.DB, t Transition, in MoveInput) error {
	v := &ValidationError{}
	reasons := Reasons[in.To]
	switch {
	case in.ReasonCode == "" && (t.ReasonRequired || in.To == StatusCompleted):
		v.Add("reason_code", "Select a reason")
	case in.ReasonCode != "" && !isChoice(reasons, in.ReasonCode):
		v.Add("reason_code", "Select a reason from the list")
	case in.ReasonCode == "other" && in.ReasonText == "":
		v.Add("reason_text", "Enter the reason")
	}
	if utf8.RuneCountInString(in.ReasonText) > maxTextLen {
		v.Add("reason_text", fmt.Sprintf("The reason must be %d characters or fewer", maxTextLen))
	}
	if in.SuggestedServiceID != "" {
		if in.ReasonCode != ReasonBetterServedElsewhere {
			v.Add("suggested_service_id", "A service can be suggested only when the person would be better served elsewhere")
		} else {
			var n int64
			if err := tx.Model(&Service{}).Where("id = ? AND visibility = ?", in.SuggestedServiceID, Published).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				v.Add("suggested_service_id", "Choose a service from the directory")
			}
		}
	}
	return v.Err()
}

// Assign gives a referral to a responder of the receiving organisation
// (or to nobody, with an empty userID).
func (r *Referrals) Assign(ctx context.Context, a *Actor, reference string, version int, userID string) error {
	return r.reassign(ctx, a, reference, version, ActAsResponder, "assign referral",
		func(tx *gorm.DB, ref Referral) (map[string]any, ReferralEvent, error) {
			var assigned *string
			if userID != "" {
				if err := mustBeOne(serviceResponders(tx, ref.ReceivingOrganisationID, ref.ServiceID), userID,
					"assigned_user_id", "Choose a responder of your organisation"); err != nil {
					return nil, ReferralEvent{}, err
				}
				assigned = &userID
			}
			return map[string]any{"assigned_user_id": assigned}, ReferralEvent{Side: string(Responder), AssignedUserID: assigned}, nil
		})
}

// ReassignReferrer hands a referral to another caseworker of the referring
// organisation, who then owns it: they are emailed its changes and see it
// under "Made by me".
func (r *Referrals) ReassignReferrer(ctx context.Context, a *Actor, reference string, version int, userID string) error {
	return r.reassign(ctx, a, reference, version, ActAsReferrer, "reassign referrer",
		func(tx *gorm.DB, ref Referral) (map[string]any, ReferralEvent, error) {
			if err := mustBeOne(activeCaseworkers(tx, ref.ReferringOrganisationID), userID,
				"referrer_user_id", "Choose a caseworker of your organisation"); err != nil {
				return nil, ReferralEvent{}, err
			}
			return map[string]any{"referrer_user_id": userID}, ReferralEvent{Side: string(Referrer), AssignedUserID: &userID}, nil
		})
}

// reassign runs a change of who handles an open referral for one side: it
// loads the referral for the actor, checks the action on it, the version
// the form was loaded at and that it is open, then writes what pick
// returns with the next version (refusing if someone changed it
// meanwhile) and records the assignment event.
func (r *Referrals) reassign(ctx context.Context, a *Actor, reference string, version int, action Action, op string,
	pick func(tx *gorm.DB, ref Referral) (map[string]any, ReferralEvent, error)) error {
	now := Now()
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		ref, err := r.load(tx, a, reference)
		if err != nil {
			return err
		}
		if err := can(a, action, ref.resource()); err != nil {
			return err
		}
		if version != ref.Version {
			return fmt.Errorf("referral %s at version %d, not %d: %w", ref.Reference, ref.Version, version, ErrConflict)
		}
		if IsFinal(ref.Status) {
			return fmt.Errorf("referral %s is closed: %w", ref.Reference, ErrInvalidTransition)
		}
		updates, ev, err := pick(tx, ref)
		if err != nil {
			return err
		}
		updates["version"], updates["updated_at"] = ref.Version+1, now
		res := tx.Model(&Referral{}).Where("id = ? AND version = ?", ref.ID, ref.Version).Updates(updates)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("referral %s changed meanwhile: %w", ref.Reference, ErrConflict)
		}
		ev.ID, ev.ReferralID, ev.At, ev.UserID, ev.Kind = uuid.NewString(), ref.ID, now, actorID(a), EventAssigned
		return tx.Create(&ev).Error
	})
	if err != nil {
		return wrapReferralErr(op, err)
	}
	return nil
}

// mustBeOne checks that userID is among the members a query selects, with
// the message for the form field otherwise.
func mustBeOne(members *gorm.DB, userID, field, message string) error {
	var n int64
	if err := members.Where("u.id = ?", userID).Count(&n).Error; err != nil {
		return err
	}
	if n == 0 {
		v := &ValidationError{}
		v.Add(field, message)
		return v
	}
	return nil
}

// AddNote adds a note for the other side, who is told by email.
func (r *Referrals) AddNote(ctx context.Context, a *Actor, reference, body string) error {
	body = strings.TrimSpace(strings.ToValidUTF8(body, "\uFFFD"))
	v := &ValidationError{}
	if body == "" {
		v.Add("note", "Enter a note")
	}
	checkLen(v, "note", body, "The note", maxTextLen)
	if err := v.Err(); err != nil {
		return err
	}
	now := Now()
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		ref, err := r.load(tx, a, reference)
		if err != nil {
			return err
		}
		if ref.AnonymisedAt != nil {
			return fmt.Errorf("referral %s is anonymised: %w", ref.Reference, ErrInvalidTransition)
		}
		// Touch the row first, only if it is still not erased: the update
		// holds the row, so an erasure cannot slip in before the note.
		res := tx.Model(&Referral{}).Where("id = ? AND anonymised_at IS NULL", ref.ID).Update("updated_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("referral %s was erased meanwhile: %w", ref.Reference, ErrInvalidTransition)
		}
		n := ReferralNote{ID: uuid.NewString(), ReferralID: ref.ID, At: now, UserID: actorID(a), Side: string(sideOf(a, ref))}
		n.KeyID, n.BodySealed = r.seal([]byte(body), noteAD(n.ID))
		if err := tx.Create(&n).Error; err != nil {
			return err
		}
		return r.Jobs.enqueueTx(ctx, tx, NotifyArgs{ReferralID: ref.ID, What: NotifyNote, Side: n.Side}, nil)
	})
	if err != nil {
		return wrapReferralErr("add note", err)
	}
	return nil
}
